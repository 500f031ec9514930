-- Every raw product row, read once: typed, with the reason it cannot be used
-- (reject_reason) and whether it is the one usable version of its product_id
-- (is_latest_version).
{%- set raw_columns = ['product_id', 'product_name', 'category', 'brand', 'list_price'] %}
with

source as (select * from {{ source('raw', 'products') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
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
),

final as (
    select
        product_id,
        product_name,
        coalesce(category, 'unknown') as category,
        brand,
        list_price,
        reject_reason,
        -- Products carry no updated_at: of identical ids the values decide, the same on every engine.
        {{ stratify.is_latest_version(
            'product_id', 'product_name, category, brand, list_price'
        ) }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
