-- Raw order rows that cannot be used, one row each with its reason code: validation
-- failures as they arrived (as text), and valid orders that fct_orders could not convert
-- to CNY (reasons unknown_currency: no rate for the currency at all; missing_fx_rate: none
-- on or before the order date). Contact details are left out.
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
    where is_latest_version
),

fct_orders as (select * from {{ ref('fct_orders') }}),

known_currencies as (select distinct currency from {{ ref('int_fx_rates_daily') }}),

failed_validation as (
    {{ stratify.rejected_rows('stg_raw__orders') }}
),

-- Left joins, not `not in (subquery)`: that is a nested-loop join on Spark.
failed_conversion as (
    select
        case when known_currencies.currency is null then 'unknown_currency' else 'missing_fx_rate' end
            as reject_reason,
        orders.order_id,
        orders.channel,
        orders.customer_id,
        orders.store_id,
        cast(orders.ordered_at as {{ dbt.type_string() }}),
        orders.status,
        orders.currency,
        cast(orders.gross_amount as {{ dbt.type_string() }}),
        cast(orders.discount_amount as {{ dbt.type_string() }}),
        cast(orders.shipping_amount as {{ dbt.type_string() }}),
        cast(orders.refunded_amount as {{ dbt.type_string() }}),
        orders.coupon_code,
        cast(orders.updated_at as {{ dbt.type_string() }})
    from orders
    left join fct_orders
        on orders.order_id = fct_orders.order_id
    left join known_currencies
        on orders.currency = known_currencies.currency
    where fct_orders.order_id is null
),

final as (
    select * from failed_validation
    union all
    select * from failed_conversion
)

select * from final
