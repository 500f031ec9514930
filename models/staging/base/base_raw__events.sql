-- Every raw behaviour event, typed, with the reason it cannot be used (if any).
with

source as (select * from {{ source('raw', 'events') }}),

typed as (
    select
        {{ stratify.raw_text_columns(
            ['event_id', 'occurred_at', 'customer_id', 'anonymous_id', 'event_type', 'product_id', 'category']
        ) }},
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
)

select * from checked
