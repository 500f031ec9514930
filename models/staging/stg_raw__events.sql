-- Every raw behaviour event, read once: typed, with the reason it cannot be used
-- (reject_reason) and whether it is the one usable version of its event_id
-- (is_latest_version).
{%- set raw_columns = ['event_id', 'occurred_at', 'customer_id', 'anonymous_id', 'event_type', 'product_id',
    'category'] %}
with

source as (select * from {{ source('raw', 'events') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
        {{ stratify.clean_text('event_id') }} as event_id,
        {{ dbt.safe_cast('occurred_at', dbt.type_timestamp()) }} as occurred_at,
        {{ stratify.clean_text('customer_id') }} as customer_id,
        {{ stratify.clean_text('anonymous_id') }} as anonymous_id,
        {{ stratify.clean_code('event_type') }} as event_type,
        {{ stratify.clean_text('product_id') }} as product_id,
        {{ stratify.clean_code('category') }} as category,
        {{ stratify.clean_text('search_term') }} as search_term
    from source
),

checked as (
    select
        *,
        {{ stratify.first_reject_reason([
            ('missing_event_id', 'event_id is null'),
            ('missing_occurred_at', 'occurred_at is null'),
            ('unknown_event_type', "event_type is null or event_type not in ('page_view', 'product_view', 'search', 'add_to_cart', 'checkout_start')"),
        ]) }} as reject_reason
    from typed
),

final as (
    select
        event_id,
        customer_id,
        anonymous_id,
        occurred_at,
        cast(occurred_at as date) as event_date,
        event_type,
        product_id,
        category,
        search_term,
        reject_reason,
        -- Events carry no updated_at: of identical ids the values decide, the same on every engine.
        {{ stratify.is_latest_version(
            'event_id', 'occurred_at, customer_id, anonymous_id, event_type'
        ) }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
