-- One row per order: the latest usable version of each order_id.
with

checked as (select * from {{ ref('base_raw__orders') }} where reject_reason is null),

latest as (
    {{ stratify.keep_first_per_key(
        'checked', 'order_id',
        'updated_at desc nulls last, status, gross_amount, discount_amount, refunded_amount, shipping_amount, currency, channel, ordered_at'
    ) }}
),

final as (
    select
        order_id,
        customer_id,
        {{ stratify.sha256_hex('contact_email_normalized') }} as contact_email_hash,
        {{ stratify.sha256_hex('contact_phone_normalized') }} as contact_phone_hash,
        channel,
        store_id,
        ordered_at,
        cast(ordered_at as date) as order_date,
        status,
        currency,
        gross_amount,
        discount_amount,
        shipping_amount,
        refunded_amount,
        gross_amount - discount_amount - refunded_amount as net_amount,
        coupon_code,
        updated_at
    from latest
)

select * from final
