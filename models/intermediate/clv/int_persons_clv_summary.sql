{{ config(enabled=stratify.clv_is_scored()) }}
-- One row per person and summary date (the dates of int_clv_settings: calibration end,
-- as_of_date, holdout calibration end, the P(alive) comparison date) for persons with a
-- purchase on or before it: the BG/NBD and Gamma-Gamma summary as of that date, and the
-- purchases after it up to as_of_date (the holdout's actuals).
with

purchase_days as (select * from {{ ref('int_persons_purchase_days') }}),

settings as (select * from {{ ref('int_clv_settings') }}),

summary_dates as (
    select calibration_end as summary_date from settings
    union
    select as_of_date from settings
    union
    select holdout_calibration_end from settings
    union
    select p_alive_compared_at from settings
),

purchases_by_then as (
    select
        purchase_days.person_key,
        summary_dates.summary_date,
        purchase_days.purchase_date,
        purchase_days.net_revenue_cny,
        min(purchase_days.purchase_date)
            over (partition by purchase_days.person_key, summary_dates.summary_date)
            as person_first_purchase_date
    from purchase_days
    inner join summary_dates
        on purchase_days.purchase_date <= summary_dates.summary_date
),

summarised as (
    select
        person_key,
        summary_date,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        count(*) - 1 as repeat_purchases,
        -- Gamma-Gamma's spend: the mean over repeat purchases, the first one left out
        sum(case when purchase_date > person_first_purchase_date then net_revenue_cny end)
        / nullif(count(*) - 1, 0) as repeat_purchase_mean_cny
    from purchases_by_then
    group by person_key, summary_date
),

spans as (
    select
        *,
        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }}
            as recency_days,
        {{ dbt.datediff('first_purchase_date', 'summary_date', 'day') }}
            as age_days
    from summarised
),

purchases_after as (
    select
        purchase_days.person_key,
        summary_dates.summary_date,
        count(*) as purchases_after
    from purchase_days
    inner join summary_dates
        on purchase_days.purchase_date > summary_dates.summary_date
    group by purchase_days.person_key, summary_dates.summary_date
),

final as (
    select
        spans.person_key,
        spans.summary_date,
        spans.first_purchase_date,
        spans.last_purchase_date,
        cast(spans.repeat_purchases as {{ dbt.type_int() }}) as repeat_purchases,
        cast(spans.recency_days as {{ stratify.type_double() }}) / settings.days_per_unit as recency_t_x,
        cast(spans.age_days as {{ stratify.type_double() }}) / settings.days_per_unit as age_t,
        cast(spans.repeat_purchase_mean_cny as decimal(38, 10)) as repeat_purchase_mean_cny,
        cast(coalesce(purchases_after.purchases_after, 0) as {{ dbt.type_int() }}) as purchases_after
    from spans
    cross join settings
    left join purchases_after
        on spans.person_key = purchases_after.person_key
        and spans.summary_date = purchases_after.summary_date
)

select * from final
