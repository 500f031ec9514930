-- One row per usable order (deduplicated, validated, converted to CNY), attributed to a
-- person. Rejected orders are in rejected_orders; guest orders without any usable
-- contact have a null person_key but still count in revenue totals.
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

orders as (select * from {{ ref('int_orders_attributed_to_persons') }}),

usable_orders as (
    select
        order_id,
        person_key,
        customer_id,
        attribution_method,
        channel,
        store_id,
        ordered_at,
        order_date,
        status,
        is_qualifying,
        currency,
        rate_to_cny,
        gross_amount,
        discount_amount,
        shipping_amount,
        refunded_amount,
        net_amount,
        gross_amount_cny,
        net_revenue_cny,
        has_discount,
        coupon_code,
        updated_at,
        -- Last: Spark stores a table's partition column last.
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month
    from orders
    where reject_reason is null
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
