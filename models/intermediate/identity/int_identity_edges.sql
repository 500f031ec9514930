-- The identity graph (docs/cleaning_and_identity.md): one row per edge between two
-- identifier nodes ('customer_id:<id>', 'email:<hash>', 'phone:<hash>'). Members link to
-- their email and phone; guest orders that match no member link their own email and
-- phone; every member id links to itself so that lone ids are nodes too. Built from
-- staged members and orders: a person exists whether or not an order's currency converts.
with

customers as (
    select * from {{ ref('stg_raw__customers') }}
    where is_latest_version
),

orders as (select * from {{ ref('int_orders_matched_to_members') }}),

member_ids as (
    select customer_id from customers
    union
    select customer_id
    from orders
    where customer_id is not null
),

member_contacts as (
    select
        {{ dbt.concat(["'customer_id:'", 'customer_id']) }} as member_node,
        {{ dbt.concat(["'email:'", 'email_hash']) }} as email_node,
        {{ dbt.concat(["'phone:'", 'phone_hash']) }} as phone_node
    from customers
),

-- Guest orders that match no member bring their own contacts into the graph.
unmatched_guest_orders as (
    select
        {{ dbt.concat(["'email:'", 'contact_email_hash']) }} as email_node,
        {{ dbt.concat(["'phone:'", 'contact_phone_hash']) }} as phone_node
    from orders
    where attribution_method in ('guest_email', 'guest_phone')
),

edges as (
    select
        {{ dbt.concat(["'customer_id:'", 'customer_id']) }} as node,
        {{ dbt.concat(["'customer_id:'", 'customer_id']) }} as linked_node
    from member_ids
    union
    select
        member_node as node,
        email_node as linked_node
    from member_contacts
    where email_node is not null
    union
    select
        member_node as node,
        phone_node as linked_node
    from member_contacts
    where phone_node is not null
    union
    select
        coalesce(email_node, phone_node) as node,
        coalesce(phone_node, email_node) as linked_node
    from unmatched_guest_orders
)

select * from edges
