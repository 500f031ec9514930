-- The email and phone hashes of members (the latest version of each customers row), one
-- row each: what a guest order's contact is matched against, by the identity graph
-- (int_identity_edges) and by the attribution of orders (fct_orders). Ephemeral: a small
-- distinct list, inlined where it is read.
{{ config(materialized='ephemeral') }}
with

customers as (
    select * from {{ ref('stg_raw__customers') }}
    where is_latest_version
),

final as (
    select distinct
        'email' as contact_type,
        email_hash as contact_hash
    from customers
    where email_hash is not null
    union
    select distinct
        'phone' as contact_type,
        phone_hash as contact_hash
    from customers
    where phone_hash is not null
)

select * from final
