-- One row per usable order (deduplicated, validated, converted to CNY), attributed to a
-- person. Rejected orders are in rejected_orders; guest orders without any usable
-- contact have a null person_key but still count in revenue totals.
with

orders as (select * from {{ ref('int_orders_attributed_to_persons') }}),

final as (
    select
        order_id,
        person_key,
        customer_id,
        attribution_method,
        channel,
        store_id,
        ordered_at,
        order_date,
        status,
        is_qualifying,
        currency,
        rate_to_cny,
        gross_amount,
        discount_amount,
        shipping_amount,
        refunded_amount,
        net_amount,
        gross_amount_cny,
        net_revenue_cny,
        has_discount,
        coupon_code,
        updated_at
    from orders
    where reject_reason is null
)

select * from final
