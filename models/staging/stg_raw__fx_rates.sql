-- Every raw exchange-rate row, read once: typed, with the reason it cannot be used
-- (reject_reason) and whether it is the one usable version of its (currency, rate_date)
-- (is_latest_version).
{%- set raw_columns = ['currency', 'rate_date', 'rate_to_cny'] %}
with

source as (select * from {{ source('raw', 'fx_rates') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
        {{ stratify.clean_code('currency', case='upper') }} as currency,
        {{ dbt.safe_cast('rate_date', 'date') }} as rate_date,
        {{ dbt.safe_cast('rate_to_cny', 'decimal(18, 8)') }} as rate_to_cny
    from source
),

checked as (
    select
        *,
        {{ stratify.first_reject_reason([
            ('missing_currency', 'currency is null'),
            ('missing_rate_date', 'rate_date is null'),
            ('invalid_rate', 'rate_to_cny is null or rate_to_cny <= 0'),
        ]) }} as reject_reason
    from typed
),

final as (
    select
        currency,
        rate_date,
        rate_to_cny,
        reject_reason,
        -- Of two rates for one currency and day the lower wins, the same on every engine.
        {{ stratify.is_latest_version('currency, rate_date', 'rate_to_cny') }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
