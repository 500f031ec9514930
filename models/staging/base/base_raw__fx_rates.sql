-- Every raw exchange-rate row, typed, with the reason it cannot be used (if any).
with

source as (select * from {{ source('raw', 'fx_rates') }}),

typed as (
    select
        {{ stratify.raw_text_columns(
            ['currency', 'rate_date', 'rate_to_cny']
        ) }},
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
)

select * from checked
