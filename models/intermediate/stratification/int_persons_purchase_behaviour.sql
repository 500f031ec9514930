-- One row per person with a qualifying order in the lookback window: how they buy there
-- (orders with a discount, largest order, margin, preferred channel and category).
with

window_orders as (select * from {{ ref('int_orders_in_lookback_window') }}),

order_items as (select * from {{ ref('int_order_items_converted_to_cny') }}),

per_person as (
    select
        person_key,
        count(*) as window_orders,
        sum(case when has_discount then 1 else 0 end) as discounted_orders,
        max(net_revenue_cny) as max_order_net_revenue_cny,
        cast(sum(net_revenue_cny) as decimal(38, 10)) as window_net_revenue_cny,
        cast(coalesce(sum(case when cost_of_goods_cny is not null then net_revenue_cny end), 0)
            as decimal(38, 10)) as revenue_with_known_cost_cny,
        cast(coalesce(sum(cost_of_goods_cny), 0) as decimal(38, 10)) as cost_of_goods_cny,
        cast(coalesce(sum(margin_cny), 0) as decimal(38, 10)) as margin_cny
    from window_orders
    group by person_key
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
        window_orders.person_key,
        order_items.category,
        row_number() over (
            partition by window_orders.person_key
            order by sum(order_items.line_amount_cny) desc, order_items.category
        ) as category_rank
    from window_orders
    inner join order_items
        on order_items.order_id = window_orders.order_id
    group by window_orders.person_key, order_items.category
),

final as (
    select
        per_person.person_key,
        cast(per_person.window_orders as {{ dbt.type_bigint() }}) as window_orders,
        cast(per_person.discounted_orders as {{ dbt.type_bigint() }}) as discounted_orders,
        per_person.max_order_net_revenue_cny,
        per_person.window_net_revenue_cny,
        per_person.revenue_with_known_cost_cny,
        per_person.cost_of_goods_cny,
        per_person.margin_cny,
        channel_revenue.channel as preferred_channel,
        category_revenue.category as preferred_category
    from per_person
    left join channel_revenue
        on channel_revenue.person_key = per_person.person_key
        and channel_revenue.channel_rank = 1
    left join category_revenue
        on category_revenue.person_key = per_person.person_key
        and category_revenue.category_rank = 1
)

select * from final
