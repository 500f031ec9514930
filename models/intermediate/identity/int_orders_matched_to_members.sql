-- Every staged order (the latest valid version of each order_id) with how it names its
-- person (docs/cleaning_and_identity.md): its customer_id; else a member's email; else a
-- member's phone; else its own guest email or phone; else nothing; and the identity node
-- that method names. The one place of the rule: the identity graph takes the guest orders'
-- contacts from here, fct_orders the node of every order. Ephemeral: inlined where read.
{{ config(materialized='ephemeral') }}
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
    where is_latest_version
),

customers as (
    select * from {{ ref('stg_raw__customers') }}
    where is_latest_version
),

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

-- Left joins, not `not in (subquery)`: that is a nested-loop join on Spark.
matched as (
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

final as (
    select
        *,
        case attribution_method
            when 'customer_id' then {{ dbt.concat(["'customer_id:'", 'customer_id']) }}
            when 'member_email' then {{ dbt.concat(["'email:'", 'contact_email_hash']) }}
            when 'member_phone' then {{ dbt.concat(["'phone:'", 'contact_phone_hash']) }}
            when 'guest_email' then {{ dbt.concat(["'email:'", 'contact_email_hash']) }}
            when 'guest_phone' then {{ dbt.concat(["'phone:'", 'contact_phone_hash']) }}
        end as identity_node
    from matched
)

select * from final
