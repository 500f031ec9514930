-- Every raw order row, read once: typed and normalised, with the reason it cannot be used
-- (reject_reason) and whether it is the latest usable version of its order_id
-- (is_latest_version). Contacts leave staging only as hashes.
{%- set raw_columns = ['order_id', 'channel', 'customer_id', 'store_id', 'ordered_at', 'status', 'currency',
    'gross_amount', 'discount_amount', 'shipping_amount', 'refunded_amount', 'coupon_code', 'updated_at'] %}
with

source as (select * from {{ source('raw', 'orders') }}),

-- Known codes, joined rather than tested with `not in (subquery)` (a nested-loop join
-- on Spark); renamed so that the checks below stay unambiguous.
known_statuses as (select distinct status as known_status from {{ ref('order_statuses') }}),

known_channels as (select distinct channel as known_channel from {{ ref('sales_channels') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
        {{ stratify.clean_text('order_id') }} as order_id,
        {{ stratify.clean_text('customer_id') }} as customer_id,
        {{ stratify.clean_code('channel') }} as channel,
        {{ stratify.clean_text('store_id') }} as store_id,
        {{ dbt.safe_cast('ordered_at', dbt.type_timestamp()) }} as ordered_at,
        {{ stratify.clean_code('status') }} as status,
        {{ stratify.clean_code('currency', case='upper') }} as currency,
        {{ dbt.safe_cast('gross_amount', 'decimal(18, 2)') }} as gross_amount,
        {{ dbt.safe_cast('discount_amount', 'decimal(18, 2)') }} as discount_amount,
        {{ dbt.safe_cast('shipping_amount', 'decimal(18, 2)') }} as shipping_amount,
        {{ dbt.safe_cast('refunded_amount', 'decimal(18, 2)') }} as refunded_amount,
        {{ stratify.clean_text('coupon_code') }} as coupon_code,
        {{ stratify.normalize_email('contact_email') }} as contact_email_normalized,
        {{ stratify.normalize_phone('contact_phone') }} as contact_phone_normalized,
        {{ dbt.safe_cast('updated_at', dbt.type_timestamp()) }} as updated_at
    from source
),

checked as (
    select
        typed.*,
        {{ stratify.first_reject_reason([
            ('missing_order_id', 'order_id is null'),
            ('missing_ordered_at', stratify.clean_text('raw_ordered_at') ~ ' is null'),
            ('unparseable_ordered_at', 'ordered_at is null'),
            ('ordered_at_in_future', "ordered_at > " ~ stratify.run_started_at_literal()),
            ('ordered_at_before_min', "ordered_at < cast('" ~ var('min_valid_order_date') ~ "' as " ~ dbt.type_timestamp() ~ ")"),
            ('missing_status', 'status is null'),
            ('unknown_status', 'known_status is null'),
            ('missing_channel', 'channel is null'),
            ('unknown_channel', 'known_channel is null'),
            ('missing_currency', 'currency is null'),
            ('missing_amount', 'raw_gross_amount is null or raw_discount_amount is null or raw_shipping_amount is null or raw_refunded_amount is null'),
            ('unparseable_amount', 'gross_amount is null or discount_amount is null or shipping_amount is null or refunded_amount is null'),
            ('negative_amount', 'gross_amount < 0 or discount_amount < 0 or shipping_amount < 0 or refunded_amount < 0'),
            ('discount_exceeds_gross', 'discount_amount > gross_amount'),
            ('unparseable_updated_at', stratify.clean_text('raw_updated_at') ~ ' is not null and updated_at is null'),
        ]) }} as reject_reason
    from typed
    left join known_statuses
        on typed.status = known_statuses.known_status
    left join known_channels
        on typed.channel = known_channels.known_channel
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
        updated_at,
        reject_reason,
        -- Among the usable rows of an order_id the latest updated_at wins; the other columns only
        -- make the choice the same on every engine when two versions share an updated_at.
        {{ stratify.is_latest_version(
            'order_id',
            'updated_at desc nulls last, status, gross_amount, discount_amount, refunded_amount, shipping_amount,'
            ~ ' currency, channel, ordered_at'
        ) }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
