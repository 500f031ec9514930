-- One row per currency and calendar day from the currency's first rate date to the build
-- date, carrying the latest rate on or before that day forward: orders then convert by an
-- equality join instead of a range join over millions of rows.
{%- set first_day = modules.datetime.date.fromisoformat(var('min_valid_order_date') | string) -%}
{%- set day_count = (run_started_at.date() - first_day).days + 2 %}

with

fx_rates as (
    select * from {{ ref('stg_raw__fx_rates') }}
    where is_latest_version
),

day_numbers as ({{ dbt.generate_series(day_count) }}),

calendar as (
    select
        cast({{ dbt.dateadd('day', 'generated_number - 1', "cast('" ~ first_day ~ "' as date)") }} as date) as rate_day
    from day_numbers
),

-- Rates published before the calendar starts count from its first day, latest first, so
-- an order on that day still converts at the rate in force.
rates_on_calendar as (
    select
        currency,
        rate_day,
        rate_to_cny
    from (
        select
            currency,
            greatest(rate_date, cast('{{ first_day }}' as date)) as rate_day,
            rate_to_cny,
            row_number() over (
                partition by currency, greatest(rate_date, cast('{{ first_day }}' as date))
                order by rate_date desc
            ) as recency_rank
        from fx_rates
    ) as clamped
    where recency_rank = 1
),

currency_ranges as (
    select
        currency,
        min(rate_day) as first_rate_date
    from rates_on_calendar
    group by currency
),

currency_days as (
    select
        currency_ranges.currency,
        calendar.rate_day,
        rates_on_calendar.rate_to_cny as published_rate
    from currency_ranges
    inner join calendar
        on currency_ranges.first_rate_date <= calendar.rate_day
    left join rates_on_calendar
        on currency_ranges.currency = rates_on_calendar.currency
        and calendar.rate_day = rates_on_calendar.rate_day
),

-- count() skips nulls, so each published rate opens a group that the following
-- unpublished days join: a portable "last value ignoring nulls".
grouped as (
    select
        *,
        count(published_rate) over (
            partition by currency order by rate_day rows between unbounded preceding and current row
        ) as rate_group
    from currency_days
),

final as (
    select
        currency,
        rate_day,
        max(published_rate) over (partition by currency, rate_group) as rate_to_cny
    from grouped
)

select * from final
