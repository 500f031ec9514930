-- Each identity node with the anchor of its connected component: the smallest node id in
-- the component, found by min-label propagation unrolled identity_stitching_rounds times.
-- 'customer_id:' sorts before 'email:' and 'phone:', so a component with a member is
-- anchored on its smallest member id. The test assert_identity_components_converged
-- fails if the rounds were too few for the data.

with

edges as (select * from {{ ref('int_identity_edges') }}),

-- Both directions, and a loop on every node so a node keeps its own label in the running.
both_directions as (
    select
        node,
        linked_node
    from edges
    union
    select
        linked_node as node,
        node as linked_node
    from edges
    union
    select
        linked_node as node,
        linked_node
    from edges
),

labels_0 as (
    select distinct
        node,
        node as anchor_node
    from both_directions
),

{%- for round in range(1, var('identity_stitching_rounds') + 1) %}

labels_{{ round }} as (
    select
        both_directions.node,
        min(neighbour.anchor_node) as anchor_node
    from both_directions
    inner join labels_{{ round - 1 }} as neighbour
        on both_directions.linked_node = neighbour.node
    group by both_directions.node
),
{%- endfor %}

final as (
    select
        node,
        anchor_node,
        {{ dbt.hash('anchor_node') }} as person_key
    from labels_{{ var('identity_stitching_rounds') }}
)

select * from final
