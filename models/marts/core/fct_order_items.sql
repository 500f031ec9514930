-- One row per order line of a usable order, with amounts converted to CNY at its order's
-- rate. Lines of unknown or rejected orders are in rejected_order_items.
with

order_items as (select * from {{ ref('int_order_items_converted_to_cny') }}),

final as (
    select
        order_id,
        line_number,
        person_key,
        order_date,
        product_id,
        category,
        quantity,
        unit_price,
        unit_cost,
        line_amount_cny,
        line_cost_cny
    from order_items
)

select * from final
