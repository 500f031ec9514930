-- One row per (order_id, line_number).
with

checked as (
    select * from {{ ref('base_raw__order_items') }}
    where reject_reason is null
),

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
        -- Money type again (an integer times decimal(18,2) is decimal(28,2) on DuckDB, (29,2)
        -- on Spark), so that line_amount * rate_to_cny stays exact within 38 digits on Spark.
        cast(quantity * unit_price as decimal(18, 2)) as line_amount,
        -- Also in the money type: with three factors (quantity, cost, rate) Spark's decimal
        -- rules would round the product to 6 decimals.
        cast(quantity * unit_cost as decimal(18, 2)) as line_cost
    from latest
)

select * from final
