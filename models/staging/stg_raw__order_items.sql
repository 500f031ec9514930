-- Every raw order line, read once: typed, with the reason it cannot be used (reject_reason)
-- and whether it is the one usable version of its (order_id, line_number)
-- (is_latest_version). Whether its order exists is checked in fct_order_items.
{%- set raw_columns = ['order_id', 'line_number', 'product_id', 'quantity', 'unit_price', 'unit_cost'] %}
with

source as (select * from {{ source('raw', 'order_items') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
        {{ stratify.clean_text('order_id') }} as order_id,
        {{ dbt.safe_cast('line_number', dbt.type_int()) }} as line_number,
        {{ stratify.clean_text('product_id') }} as product_id,
        {{ dbt.safe_cast('quantity', dbt.type_int()) }} as quantity,
        {{ dbt.safe_cast('unit_price', 'decimal(18, 2)') }} as unit_price,
        {{ dbt.safe_cast('unit_cost', 'decimal(18, 2)') }} as unit_cost
    from source
),

checked as (
    select
        *,
        {{ stratify.first_reject_reason([
            ('missing_order_id', 'order_id is null'),
            ('missing_line_number', 'line_number is null'),
            ('missing_product_id', 'product_id is null'),
            ('invalid_quantity', 'quantity is null or quantity <= 0'),
            ('invalid_unit_price', 'unit_price is null or unit_price < 0'),
        ]) }} as reject_reason
    from typed
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
        cast(quantity * unit_cost as decimal(18, 2)) as line_cost,
        reject_reason,
        -- Order lines carry no updated_at: of identical keys the values decide, the same on every engine.
        {{ stratify.is_latest_version(
            'order_id, line_number', 'product_id, quantity, unit_price, unit_cost'
        ) }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
