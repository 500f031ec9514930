-- One row per identifier of the identity graph: every member id (from customers and
-- orders), and the hash of every normalised email and phone that took part in stitching,
-- with the person it belongs to. Hashes only: no raw PII.
with

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

typed as (
    select
        case
            when node like 'customer_id:%' then 'customer_id'
            when node like 'email:%' then 'email'
            else 'phone'
        end as identifier_type,
        node,
        person_key
    from nodes
),

final as (
    select
        identifier_type,
        {{ dbt.right('node', dbt.length('node') ~ ' - ' ~ dbt.length('identifier_type') ~ ' - 1') }} as identifier,
        person_key
    from typed
)

select * from final
