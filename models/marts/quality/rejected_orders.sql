-- Raw order rows that cannot be used, one row each with its reason code: validation
-- failures as they arrived (as text), and cleaned orders whose currency cannot be
-- converted (reasons unknown_currency, missing_fx_rate). Contact details are left out.
with

converted_orders as (select * from {{ ref('int_orders_converted_to_cny') }}),

failed_validation as (
    {{ stratify.rejected_rows('base_raw__orders') }}
),

failed_conversion as (
    select
        reject_reason,
        order_id,
        channel,
        customer_id,
        store_id,
        cast(ordered_at as {{ dbt.type_string() }}),
        status,
        currency,
        cast(gross_amount as {{ dbt.type_string() }}),
        cast(discount_amount as {{ dbt.type_string() }}),
        cast(shipping_amount as {{ dbt.type_string() }}),
        cast(refunded_amount as {{ dbt.type_string() }}),
        coupon_code,
        cast(updated_at as {{ dbt.type_string() }})
    from converted_orders
    where reject_reason is not null
),

final as (
    select * from failed_validation
    union all
    select * from failed_conversion
)

select * from final
