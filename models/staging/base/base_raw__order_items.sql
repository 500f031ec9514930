-- Every raw order line, typed, with the reason it cannot be used (if any). Whether its
-- order exists is checked after orders are cleaned (fct_order_items).
with

source as (select * from {{ source('raw', 'order_items') }}),

typed as (
    select
        {{ stratify.raw_text_columns(
            ['order_id', 'line_number', 'product_id', 'quantity', 'unit_price', 'unit_cost']
        ) }},
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
)

select * from checked
