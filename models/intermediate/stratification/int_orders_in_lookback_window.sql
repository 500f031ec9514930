-- One row per qualifying order of a person in the lookback window (as_of_date -
-- lookback_days, as_of_date]: the orders behind frequency and monetary, with what the
-- behavioural segments and signals need (channel, discount, cost of goods).
with

orders as (select * from {{ ref('int_orders_attributed_to_persons') }}),

order_items as (select * from {{ ref('int_order_items_converted_to_cny') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

order_costs as (
    select
        order_id,
        count(*) as line_count,
        sum(case when line_cost_cny is null then 1 else 0 end) as lines_without_cost,
        sum(line_cost_cny) as cost_of_goods_cny
    from order_items
    group by order_id
),

window_orders as (
    select
        orders.person_key,
        orders.order_id,
        orders.order_date,
        orders.channel,
        orders.net_revenue_cny,
        orders.discount_amount > 0 or orders.coupon_code is not null as has_discount,
        as_of.as_of_date,
        {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} as days_before_as_of
    from orders
    cross join as_of
    where
        orders.reject_reason is null
        and orders.is_qualifying
        and orders.person_key is not null
        and orders.order_date <= as_of.as_of_date
),

final as (
    select
        window_orders.person_key,
        window_orders.order_id,
        window_orders.order_date,
        window_orders.channel,
        window_orders.net_revenue_cny,
        window_orders.has_discount,
        -- Known only when every line of the order has a unit cost.
        case
            when order_costs.line_count > 0 and order_costs.lines_without_cost = 0
                then cast(order_costs.cost_of_goods_cny as decimal(28, 10))
        end as cost_of_goods_cny
    from window_orders
    left join order_costs
        on order_costs.order_id = window_orders.order_id
    where window_orders.days_before_as_of < {{ var('lookback_days') }}
)

select * from final
