-- Every raw product row, typed, with the reason it cannot be used (if any).
with

source as (select * from {{ source('raw', 'products') }}),

typed as (
    select
        {{ stratify.raw_text_columns(
            ['product_id', 'product_name', 'category', 'brand', 'list_price']
        ) }},
        {{ stratify.clean_text('product_id') }} as product_id,
        {{ stratify.clean_text('product_name') }} as product_name,
        {{ stratify.clean_code('category') }} as category,
        {{ stratify.clean_text('brand') }} as brand,
        {{ dbt.safe_cast('list_price', 'decimal(18, 2)') }} as list_price
    from source
),

checked as (
    select
        *,
        {{ stratify.first_reject_reason([('missing_product_id', 'product_id is null')]) }} as reject_reason
    from typed
)

select * from checked
