-- Every cleaned order with its net revenue in CNY at the rate of the latest rate date on or
-- before the order date (CNY at 1). Orders that cannot be converted keep a reject reason
-- and are quarantined in rejected_orders instead of fct_orders.
with

orders as (select * from {{ ref('stg_raw__orders') }}),

fx_rates_daily as (select * from {{ ref('int_fx_rates_daily') }}),

known_currencies as (select distinct currency from fx_rates_daily),

order_statuses as (select * from {{ ref('order_statuses') }}),

converted as (
    select
        orders.*,
        case
            when orders.currency = 'CNY' then cast(1 as decimal(18, 8))
            else fx_rates_daily.rate_to_cny
        end as rate_to_cny,
        case
            when orders.currency = 'CNY' or fx_rates_daily.rate_to_cny is not null then null
            when known_currencies.currency is null then 'unknown_currency'
            else 'missing_fx_rate'
        end as reject_reason
    from orders
    left join fx_rates_daily
        on orders.currency = fx_rates_daily.currency
        and orders.order_date = fx_rates_daily.rate_day
    -- a join, not `not in (subquery)`: that is a nested-loop join on Spark
    left join known_currencies
        on orders.currency = known_currencies.currency
),

final as (
    select
        converted.*,
        cast(converted.net_amount * converted.rate_to_cny as decimal(28, 10)) as net_revenue_cny,
        cast(converted.gross_amount * converted.rate_to_cny as decimal(28, 10)) as gross_amount_cny,
        coalesce(order_statuses.is_purchase, false)
        and converted.net_amount > 0 as is_qualifying,
        converted.discount_amount > 0 or converted.coupon_code is not null as has_discount
    from converted
    left join order_statuses
        on converted.status = order_statuses.status
)

select * from final
