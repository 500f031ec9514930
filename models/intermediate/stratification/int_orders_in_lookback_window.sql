-- One row per qualifying order of a person in the lookback window (as_of_date -
-- lookback_days, as_of_date]: the orders behind frequency and monetary, with what the
-- behavioural segments and signals need (channel, discount, cost of goods).
with

orders as (select * from {{ ref('int_qualifying_orders_as_of') }}),

order_items as (select * from {{ ref('int_order_items_converted_to_cny') }}),

order_costs as (
    select
        order_id,
        count(*) as line_count,
        sum(case when line_cost_cny is null then 1 else 0 end) as lines_without_cost,
        sum(line_cost_cny) as cost_of_goods_cny
    from order_items
    group by order_id
),

-- Known only when every line of the order has a unit cost.
known_costs as (
    select
        order_id,
        cast(cost_of_goods_cny as decimal(28, 10)) as cost_of_goods_cny
    from order_costs
    where line_count > 0 and lines_without_cost = 0
),

final as (
    select
        orders.person_key,
        orders.order_id,
        orders.order_date,
        orders.channel,
        orders.net_revenue_cny,
        orders.has_discount,
        costs.cost_of_goods_cny,
        -- Per order, in decimal(28, 10): on Spark a difference of two decimal(38, 10) sums
        -- would be rounded to 9 decimals.
        cast(orders.net_revenue_cny - costs.cost_of_goods_cny as decimal(28, 10)) as margin_cny
    from orders
    left join known_costs as costs
        on costs.order_id = orders.order_id
    where orders.days_before_as_of < {{ var('lookback_days') }}
)

select * from final
