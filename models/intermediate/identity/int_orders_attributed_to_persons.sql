-- Every converted order with the person it belongs to, through the identity node its
-- attribution method names (int_orders_matched_to_members; docs/cleaning_and_identity.md).
-- Guest orders without a usable contact stay unattributed.
with

classified as (select * from {{ ref('int_orders_matched_to_members') }}),

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

with_node as (
    select
        *,
        case attribution_method
            when 'customer_id' then {{ dbt.concat(["'customer_id:'", 'customer_id']) }}
            when 'member_email' then {{ dbt.concat(["'email:'", 'contact_email_hash']) }}
            when 'member_phone' then {{ dbt.concat(["'phone:'", 'contact_phone_hash']) }}
            when 'guest_email' then {{ dbt.concat(["'email:'", 'contact_email_hash']) }}
            when 'guest_phone' then {{ dbt.concat(["'phone:'", 'contact_phone_hash']) }}
        end as identity_node
    from classified
),

final as (
    select
        with_node.*,
        nodes.person_key
    from with_node
    left join nodes
        on with_node.identity_node = nodes.node
)

select * from final
