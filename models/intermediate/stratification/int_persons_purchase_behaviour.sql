-- One row per person with a qualifying order in the lookback window: how they buy there
-- (orders with a discount, largest order, margin, preferred channel and category).
with

window_orders as (select * from {{ ref('int_orders_in_lookback_window') }}),

order_items as (select * from {{ ref('fct_order_items') }}),

-- The lines of the window's orders: order items are read once, for costs and categories.
window_lines as (
    select
        window_orders.person_key,
        order_items.order_id,
        order_items.category,
        order_items.line_amount_cny,
        order_items.line_cost_cny
    from window_orders
    inner join order_items
        on window_orders.order_id = order_items.order_id
),

-- Cost of goods of an order, known only when every line of it has a unit cost.
order_costs as (
    select
        order_id,
        cast(sum(line_cost_cny) as decimal(28, 10)) as cost_of_goods_cny
    from window_lines
    group by order_id
    having count(line_cost_cny) = count(*)
),

per_person as (
    select
        window_orders.person_key,
        count(*) as window_orders,
        sum(case when window_orders.has_discount then 1 else 0 end) as discounted_orders,
        max(window_orders.net_revenue_cny) as max_order_net_revenue_cny,
        cast(
            coalesce(sum(case when order_costs.order_id is not null then window_orders.net_revenue_cny end), 0)
            as decimal(38, 10)
        ) as revenue_with_known_cost_cny,
        -- Per order in decimal(28, 10), then summed: on Spark a difference of two
        -- decimal(38, 10) sums would be rounded to 9 decimals.
        cast(coalesce(sum(
            cast(window_orders.net_revenue_cny - order_costs.cost_of_goods_cny as decimal(28, 10))
        ), 0) as decimal(38, 10)) as margin_cny
    from window_orders
    left join order_costs
        on window_orders.order_id = order_costs.order_id
    group by window_orders.person_key
),

channel_revenue as (
    select
        person_key,
        channel,
        row_number() over (
            partition by person_key order by sum(net_revenue_cny) desc, channel
        ) as channel_rank
    from window_orders
    group by person_key, channel
),

-- Order-level discounts and refunds cannot be split across lines: categories are ranked
-- by the CNY value of their lines in the window's qualifying orders.
category_revenue as (
    select
        person_key,
        category,
        row_number() over (
            partition by person_key order by sum(line_amount_cny) desc, category
        ) as category_rank
    from window_lines
    group by person_key, category
),

final as (
    select
        per_person.person_key,
        cast(per_person.window_orders as {{ dbt.type_bigint() }}) as window_orders,
        cast(per_person.discounted_orders as {{ dbt.type_bigint() }}) as discounted_orders,
        per_person.max_order_net_revenue_cny,
        per_person.revenue_with_known_cost_cny,
        per_person.margin_cny,
        channel_revenue.channel as preferred_channel,
        category_revenue.category as preferred_category
    from per_person
    left join channel_revenue
        on per_person.person_key = channel_revenue.person_key
        and channel_revenue.channel_rank = 1
    left join category_revenue
        on per_person.person_key = category_revenue.person_key
        and category_revenue.category_rank = 1
)

select * from final
