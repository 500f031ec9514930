-- One row per ticket_id.
with

checked as (
    select * from {{ ref('base_raw__support_tickets') }}
    where reject_reason is null
),

latest as (
    {{ stratify.keep_first_per_key('checked', 'ticket_id', 'opened_at, closed_at, customer_id, topic') }}
),

final as (
    select
        ticket_id,
        customer_id,
        {{ stratify.sha256_hex('contact_email_normalized') }} as contact_email_hash,
        opened_at,
        closed_at,
        channel,
        topic,
        case when csat_score between 1 and 5 then csat_score end as csat_score
    from latest
)

select * from final
