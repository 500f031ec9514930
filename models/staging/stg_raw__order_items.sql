-- One row per (order_id, line_number).
with

checked as (select * from {{ ref('base_raw__order_items') }} where reject_reason is null),

latest as (
    {{ stratify.keep_first_per_key(
        'checked', 'order_id, line_number', 'product_id, quantity, unit_price, unit_cost'
    ) }}
),

final as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        unit_cost,
        quantity * unit_price as line_amount
    from latest
)

select * from final
