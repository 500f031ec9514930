-- Every member id of the cleaned customers and of the usable orders maps to a person.
with

customers as (
    select * from {{ ref('stg_raw__customers') }}
    where is_latest_version
),

orders as (select * from {{ ref('fct_orders') }}),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where identifier_type = 'customer_id'
),

member_ids as (
    select customer_id from customers
    union
    select customer_id
    from orders
    where customer_id is not null
)

select member_ids.customer_id
from member_ids
left join identity_map
    on member_ids.customer_id = identity_map.identifier
where identity_map.identifier is null
