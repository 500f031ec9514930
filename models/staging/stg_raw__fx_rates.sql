-- One row per (currency, rate_date).
with

checked as (
    select * from {{ ref('base_raw__fx_rates') }}
    where reject_reason is null
),

latest as (
    {{ stratify.keep_first_per_key('checked', 'currency, rate_date', 'rate_to_cny') }}
),

final as (
    select
        currency,
        rate_date,
        rate_to_cny
    from latest
)

select * from final
