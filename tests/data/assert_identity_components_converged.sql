-- Every edge of the identity graph must join two nodes of the same person. A row here
-- means label propagation stopped before a component was fully merged: raise the var
-- identity_stitching_rounds.
with

edges as (select * from {{ ref('int_identity_edges') }}),

nodes as (select * from {{ ref('int_identity_nodes_labelled') }})

select
    edges.node,
    edges.linked_node,
    node_labels.anchor_node as node_anchor,
    linked_labels.anchor_node as linked_node_anchor
from edges
inner join nodes as node_labels
    on edges.node = node_labels.node
inner join nodes as linked_labels
    on edges.linked_node = linked_labels.node
where node_labels.anchor_node != linked_labels.anchor_node
