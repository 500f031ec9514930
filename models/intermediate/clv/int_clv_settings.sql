{{ config(enabled=stratify.clv_is_scored()) }}
-- The CLV vars resolved to one row (dates from as_of_date), read by the CLV models so
-- that they need no var plumbing of their own.
with

as_of as (select * from {{ ref('int_as_of_date') }}),

final as (
    select
        as_of_date,
        {% if var('clv_calibration_end') is none -%}
        as_of_date
        {%- else -%}
        cast('{{ var("clv_calibration_end") }}' as date)
        {%- endif %} as calibration_end,
        cast({{ dbt.dateadd('day', -var('clv_holdout_days'), 'as_of_date') }} as date) as holdout_calibration_end,
        cast({{ var('clv_holdout_days') }} as {{ dbt.type_int() }}) as holdout_days,
        cast({{ dbt.dateadd('day', -var('high_value_at_risk_days'), 'as_of_date') }} as date) as p_alive_compared_at,
        {{ stratify.quoted_text(var('clv_time_unit')) }} as time_unit,
        cast({{ 7 if var('clv_time_unit') == 'week' else 1 }} as {{ dbt.type_int() }}) as days_per_unit,
        cast({{ var('clv_horizon_months') }} as {{ dbt.type_int() }}) as horizon_months,
        cast({{ var('clv_monthly_discount_rate') }} as {{ stratify.type_double() }}) as monthly_discount_rate
    from as_of
)

select * from final
