-- Raw order lines that cannot be used, with their reason code: validation failures as
-- they arrived (as text), and valid lines whose order is unknown or was rejected
-- (reason unknown_order).
with

order_items as (
    select * from {{ ref('stg_raw__order_items') }}
    where is_latest_version
),

orders as (select * from {{ ref('fct_orders') }}),

failed_validation as (
    {{ stratify.rejected_rows('stg_raw__order_items') }}
),

without_order as (
    select
        'unknown_order' as reject_reason,
        order_items.order_id,
        cast(order_items.line_number as {{ dbt.type_string() }}),
        order_items.product_id,
        cast(order_items.quantity as {{ dbt.type_string() }}),
        cast(order_items.unit_price as {{ dbt.type_string() }}),
        cast(order_items.unit_cost as {{ dbt.type_string() }})
    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    where orders.order_id is null
),

final as (
    select * from failed_validation
    union all
    select * from without_order
)

select * from final
