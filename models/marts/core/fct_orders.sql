-- The order table of record: one row per usable order (the latest valid version of each
-- order_id in staging, converted to CNY), with its person. Every model after it reads it.
-- Orders whose currency cannot be converted are quarantined in rejected_orders instead;
-- guest orders without any usable contact have a null person_key but still count in
-- revenue totals. How an order finds its person: docs/cleaning_and_identity.md.
-- Incremental: a run replaces whole months (order_month), those that can have changed:
-- months of new orders, of orders delivered again (a later updated_at: a late status
-- change such as a return, at any age; both months if it moved), of orders whose person
-- changed (new identity links) or that are no longer usable, and every month within
-- late_arriving_days of the newest order built (changes that do not show in updated_at,
-- e.g. a corrected fx rate).
{{ config(
    materialized='incremental',
    unique_key='order_month',
    partition_by=stratify.partitioned_by('order_month'),
    on_schema_change='append_new_columns'
) }}
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
    where is_latest_version
),

fx_rates_daily as (select * from {{ ref('int_fx_rates_daily') }}),

order_statuses as (select * from {{ ref('order_statuses') }}),

identity_nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

member_contact_hashes as (select * from {{ ref('int_member_contact_hashes') }}),

-- At the rate of the latest rate date on or before the order date (CNY at 1); an order
-- without one is left out here and quarantined by rejected_orders.
converted as (
    select
        orders.*,
        case
            when orders.currency = 'CNY' then cast(1 as decimal(18, 8))
            else fx_rates_daily.rate_to_cny
        end as rate_to_cny
    from orders
    left join fx_rates_daily
        on orders.currency = fx_rates_daily.currency
        and orders.order_date = fx_rates_daily.rate_day
    where orders.currency = 'CNY' or fx_rates_daily.rate_to_cny is not null
),

-- How the order names its person: its customer_id; else a member's email; else a
-- member's phone; else its own guest email or phone; else nothing.
attributed as (
    select
        converted.*,
        case
            when converted.customer_id is not null then 'customer_id'
            when member_emails.contact_hash is not null then 'member_email'
            when member_phones.contact_hash is not null then 'member_phone'
            when converted.contact_email_hash is not null then 'guest_email'
            when converted.contact_phone_hash is not null then 'guest_phone'
            else 'unattributed'
        end as attribution_method
    from converted
    left join member_contact_hashes as member_emails
        on member_emails.contact_type = 'email'
        and converted.contact_email_hash = member_emails.contact_hash
    left join member_contact_hashes as member_phones
        on member_phones.contact_type = 'phone'
        and converted.contact_phone_hash = member_phones.contact_hash
),

-- The identity node the method names (int_identity_nodes_labelled holds its person).
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
    from attributed
),

usable_orders as (
    select
        with_node.order_id,
        identity_nodes.person_key,
        with_node.customer_id,
        with_node.attribution_method,
        with_node.channel,
        with_node.store_id,
        with_node.ordered_at,
        with_node.order_date,
        with_node.status,
        coalesce(order_statuses.is_purchase, false) and with_node.net_amount > 0 as is_qualifying,
        with_node.currency,
        with_node.rate_to_cny,
        with_node.gross_amount,
        with_node.discount_amount,
        with_node.shipping_amount,
        with_node.refunded_amount,
        with_node.net_amount,
        cast(with_node.gross_amount * with_node.rate_to_cny as decimal(28, 10)) as gross_amount_cny,
        cast(with_node.net_amount * with_node.rate_to_cny as decimal(28, 10)) as net_revenue_cny,
        with_node.discount_amount > 0 or with_node.coupon_code is not null as has_discount,
        with_node.coupon_code,
        with_node.updated_at,
        -- Last: Spark stores a table's partition column last.
        cast({{ dbt.date_trunc('month', 'with_node.order_date') }} as date) as order_month
    from with_node
    left join identity_nodes
        on with_node.identity_node = identity_nodes.node
    left join order_statuses
        on with_node.status = order_statuses.status
),

{% if is_incremental() %}
built as (select * from {{ this }}),

-- One comparison of every order with its built row; a changed order names its month now
-- and the month it was built in (the same unless the order was re-dated).
changed_orders as (
    select
        usable_orders.order_month as new_month,
        built.order_month as built_month
    from usable_orders
    full outer join built
        on usable_orders.order_id = built.order_id
    where
        built.order_id is null
        or usable_orders.order_id is null
        or built.updated_at != usable_orders.updated_at
        or coalesce(built.person_key, '') != coalesce(usable_orders.person_key, '')
        or usable_orders.order_date >= (
            select {{ dbt.dateadd('day', -var('late_arriving_days'), 'max(all_built.order_date)') }}
            from built as all_built
        )
),

changed_months as (
    select new_month as order_month
    from changed_orders
    where new_month is not null
    union
    select built_month as order_month
    from changed_orders
    where built_month is not null
),
{% endif %}

final as (
    select *
    from usable_orders
    {%- if is_incremental() %}
    where order_month in (select changed_months.order_month from changed_months)
    {%- endif %}
)

select * from final
