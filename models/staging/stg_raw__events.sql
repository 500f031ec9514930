-- One row per event_id.
with

checked as (
    select * from {{ ref('base_raw__events') }}
    where reject_reason is null
),

latest as (
    {{ stratify.keep_first_per_key('checked', 'event_id', 'occurred_at, customer_id, anonymous_id, event_type') }}
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
        search_term
    from latest
)

select * from final
