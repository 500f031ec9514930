-- Every converted order with the person it belongs to: a member order by its customer_id;
-- a guest order by a member's email, else a member's phone, else its own guest identity
-- (docs/cleaning_and_identity.md). Guest orders without a usable contact stay unattributed.
with

orders as (select * from {{ ref('int_orders_converted_to_cny') }}),

customers as (select * from {{ ref('stg_raw__customers') }}),

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

member_emails as (
    select distinct email_hash
    from customers
    where email_hash is not null
),

member_phones as (
    select distinct phone_hash
    from customers
    where phone_hash is not null
),

classified as (
    select
        orders.*,
        case
            when orders.customer_id is not null then 'customer_id'
            when member_emails.email_hash is not null then 'member_email'
            when member_phones.phone_hash is not null then 'member_phone'
            when orders.contact_email_hash is not null then 'guest_email'
            when orders.contact_phone_hash is not null then 'guest_phone'
            else 'unattributed'
        end as attribution_method
    from orders
    left join member_emails
        on orders.contact_email_hash = member_emails.email_hash
    left join member_phones
        on orders.contact_phone_hash = member_phones.phone_hash
),

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
