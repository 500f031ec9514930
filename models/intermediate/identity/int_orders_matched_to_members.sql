-- Every converted order with how it names its person (docs/cleaning_and_identity.md): its
-- customer_id; else a member's email; else a member's phone; else its own guest email or
-- phone; else nothing. The identity graph takes the guest orders' contacts from here, and
-- int_orders_attributed_to_persons the method, so both read member contacts the same way.
with

orders as (select * from {{ ref('int_orders_converted_to_cny') }}),

customers as (select * from {{ ref('stg_raw__customers') }}),

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

final as (
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
)

select * from final
