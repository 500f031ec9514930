-- One row per product_id.
with

checked as (
    select * from {{ ref('base_raw__products') }}
    where reject_reason is null
),

latest as (
    {{ stratify.keep_first_per_key('checked', 'product_id', 'product_name, category, brand, list_price') }}
),

final as (
    select
        product_id,
        product_name,
        coalesce(category, 'unknown') as category,
        brand,
        list_price
    from latest
)

select * from final
