-- The order-line table of record: one row per line of a usable order (fct_orders), with
-- its order's person and date, its product's category, and amounts converted to CNY at
-- its order's rate. Lines of unknown or rejected orders are in rejected_order_items.
with

order_items as (
    select * from {{ ref('stg_raw__order_items') }}
    where is_latest_version
),

orders as (select * from {{ ref('fct_orders') }}),

products as (
    select * from {{ ref('stg_raw__products') }}
    where is_latest_version
),

final as (
    select
        order_items.order_id,
        order_items.line_number,
        orders.person_key,
        orders.order_date,
        order_items.product_id,
        coalesce(products.category, 'unknown') as category,
        order_items.quantity,
        order_items.unit_price,
        order_items.unit_cost,
        cast(order_items.line_amount * orders.rate_to_cny as decimal(28, 10)) as line_amount_cny,
        cast(order_items.line_cost * orders.rate_to_cny as decimal(28, 10)) as line_cost_cny
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
)

select * from final
