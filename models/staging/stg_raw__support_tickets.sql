-- Every raw support ticket, read once: typed, with the reason it cannot be used
-- (reject_reason) and whether it is the one usable version of its ticket_id
-- (is_latest_version). The contact email leaves staging only as a hash.
{%- set raw_columns = ['ticket_id', 'customer_id', 'opened_at', 'closed_at', 'channel', 'topic', 'csat_score'] %}
with

source as (select * from {{ source('raw', 'support_tickets') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
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
        case when csat_score between 1 and 5 then csat_score end as csat_score,
        reject_reason,
        -- Tickets carry no updated_at: of identical ids the values decide, the same on every engine.
        {{ stratify.is_latest_version('ticket_id', 'opened_at, closed_at, customer_id, topic') }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
