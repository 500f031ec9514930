-- Every raw support ticket, typed, with the reason it cannot be used (if any).
with

source as (select * from {{ source('raw', 'support_tickets') }}),

typed as (
    select
        {{ stratify.raw_text_columns(
            ['ticket_id', 'customer_id', 'opened_at', 'closed_at', 'channel', 'topic', 'csat_score']
        ) }},
        {{ stratify.clean_text('ticket_id') }} as ticket_id,
        {{ stratify.clean_text('customer_id') }} as customer_id,
        {{ stratify.normalize_email('contact_email') }} as contact_email_normalized,
        {{ dbt.safe_cast('opened_at', dbt.type_timestamp()) }} as opened_at,
        {{ dbt.safe_cast('closed_at', dbt.type_timestamp()) }} as closed_at,
        {{ stratify.clean_code('channel') }} as channel,
        {{ stratify.clean_code('topic') }} as topic,
        {{ dbt.safe_cast('csat_score', dbt.type_int()) }} as csat_score
    from source
),

checked as (
    select
        *,
        {{ stratify.first_reject_reason([
            ('missing_ticket_id', 'ticket_id is null'),
            ('missing_opened_at', 'opened_at is null'),
        ]) }} as reject_reason
    from typed
)

select * from checked
