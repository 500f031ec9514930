-- One row per order: the latest usable version of each order_id.
with

checked as (
    select * from {{ ref('base_raw__orders') }}
    where reject_reason is null
),

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
        -- Cast back to the money type: Spark widens decimal(18,2) - decimal(18,2) to
        -- decimal(19,2), DuckDB keeps decimal(18,2).
        cast(gross_amount - discount_amount - refunded_amount as decimal(18, 2)) as net_amount,
        coupon_code,
        updated_at
    from latest
)

select * from final
