-- One row per period of the history (var history_grain: month, or ISO week ending on
-- Sunday), from the period of history_start_date (or of the first qualifying order) to the
-- period of as_of_date, with the date its state is computed for: the period's last day, or
-- as_of_date for the period it falls in (open until its last day), whose state is today's.
{%- set grain = var('history_grain') %}
{#- A compile-time bound for the series: 5,200 weeks or months, a century at least. #}
{%- set max_periods = 5200 %}
with

orders as (select * from {{ ref('fct_orders') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

period_numbers as ({{ dbt.generate_series(max_periods) }}),

first_period as (
    select
        cast({{ dbt.date_trunc(grain, 'least(history_start.start_date, as_of.as_of_date)') }} as date) as period_start
    from (
        select
            {% if var('history_start_date') is none -%}
            min(orders.order_date)
            {%- else -%}
            -- aggregated too, so that the start is one row whichever way it is given
            min(cast('{{ var("history_start_date") }}' as date))
            {%- endif %} as start_date
        from orders
        where {{ stratify.is_qualifying_order('orders') }}
    ) as history_start
    -- A start after as_of_date still gives today's period.
    cross join as_of
),

period_starts as (
    select
        cast({{ dbt.dateadd(grain, 'period_numbers.generated_number - 1', 'first_period.period_start') }} as date)
            as period_start
    from first_period
    cross join period_numbers
),

periods as (
    select
        period_start,
        {%- if grain == 'month' %}
        cast({{ dbt.last_day('period_start', 'month') }} as date) as period_end
        {%- else %}
        cast({{ dbt.dateadd('day', 6, 'period_start') }} as date) as period_end
        {%- endif %}
    from period_starts
),

final as (
    select
        periods.period_start,
        case
            when periods.period_end < as_of.as_of_date then periods.period_end
            else as_of.as_of_date
        end as as_of_date
    from periods
    cross join as_of
    where periods.period_start <= as_of.as_of_date
)

select * from final
