-- Raw order rows that cannot be used, one row each with its reason code: validation
-- failures as they arrived (as text), and cleaned orders whose currency cannot be
-- converted (reasons unknown_currency, missing_fx_rate). Contact details are left out.
with

base_orders as (select * from {{ ref('base_raw__orders') }}),

converted_orders as (select * from {{ ref('int_orders_converted_to_cny') }}),

failed_validation as (
    select
        reject_reason,
        raw_order_id,
        raw_channel,
        raw_customer_id,
        raw_store_id,
        raw_ordered_at,
        raw_status,
        raw_currency,
        raw_gross_amount,
        raw_discount_amount,
        raw_shipping_amount,
        raw_refunded_amount,
        raw_coupon_code,
        raw_updated_at
    from base_orders
    where reject_reason is not null
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
