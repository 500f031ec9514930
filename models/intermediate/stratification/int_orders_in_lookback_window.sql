-- One row per qualifying order of a person in the lookback window (as_of_date -
-- lookback_days, as_of_date]: the orders behind frequency and monetary, with what the
-- behavioural segments and signals need (channel, discount).
with

orders as (select * from {{ ref('int_qualifying_orders_as_of') }}),

final as (
    select
        person_key,
        order_id,
        order_date,
        channel,
        net_revenue_cny,
        has_discount
    from orders
    where days_before_as_of < {{ var('lookback_days') }}
)

select * from final
