-- Raw support_tickets rows that cannot be used, as they arrived (as text, PII left out), with their
-- reason code.
with

base as (select * from {{ ref('base_raw__support_tickets') }}),

final as (
    select
        reject_reason,
        {{ stratify.raw_columns_of('base_raw__support_tickets') }}
    from base
    where reject_reason is not null
)

select * from final
