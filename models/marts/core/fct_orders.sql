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

orders as (select * from {{ ref('int_orders_matched_to_members') }}),

fx_rates_daily as (select * from {{ ref('int_fx_rates_daily') }}),

order_statuses as (select * from {{ ref('order_statuses') }}),

identity_nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

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

usable_orders as (
    select
        converted.order_id,
        identity_nodes.person_key,
        converted.customer_id,
        converted.attribution_method,
        converted.channel,
        converted.store_id,
        converted.ordered_at,
        converted.order_date,
        converted.status,
        coalesce(order_statuses.is_purchase, false) and converted.net_amount > 0 as is_qualifying,
        converted.currency,
        converted.rate_to_cny,
        converted.gross_amount,
        converted.discount_amount,
        converted.shipping_amount,
        converted.refunded_amount,
        converted.net_amount,
        cast(converted.gross_amount * converted.rate_to_cny as decimal(28, 10)) as gross_amount_cny,
        cast(converted.net_amount * converted.rate_to_cny as decimal(28, 10)) as net_revenue_cny,
        converted.discount_amount > 0 or converted.coupon_code is not null as has_discount,
        converted.coupon_code,
        converted.updated_at,
        -- Last: Spark stores a table's partition column last.
        cast({{ dbt.date_trunc('month', 'converted.order_date') }} as date) as order_month
    from converted
    left join identity_nodes
        on converted.identity_node = identity_nodes.node
    left join order_statuses
        on converted.status = order_statuses.status
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
