-- One row per scored person: P(alive), expected purchases, expected value per purchase and
-- predicted CLV from the fitted BG/NBD and Gamma-Gamma models, the churn-risk band and the
-- high-value-at-risk signal (thresholds are vars).
with

rfm as (select * from {{ ref('customer_rfm') }}),

summary as (select * from {{ ref('int_persons_clv_summary') }}),

scores as (select * from {{ ref('int_persons_clv_scores') }}),

clv_signal as (select * from {{ ref('int_persons_clv_signal') }}),

settings as (select * from {{ ref('int_clv_settings') }}),

today as (
    select summary.*
    from summary
    inner join settings
        on summary.summary_date = settings.as_of_date
),

scored as (
    select
        rfm.person_key,
        rfm.as_of_date,
        today.repeat_purchases,
        today.recency_t_x,
        today.age_t,
        clv_signal.p_alive,
        clv_signal.p_alive_before,
        cast(scores.expected_purchases_30d as {{ stratify.type_double() }}) as expected_purchases_30d,
        cast(scores.expected_purchases_90d as {{ stratify.type_double() }}) as expected_purchases_90d,
        cast(scores.expected_purchases_365d as {{ stratify.type_double() }}) as expected_purchases_365d,
        cast(scores.expected_purchase_value_cny as {{ stratify.type_double() }}) as expected_purchase_value_cny,
        clv_signal.predicted_clv_cny,
        clv_signal.predicted_clv_top_share,
        clv_signal.is_high_value_at_risk
    from rfm
    left join today
        on rfm.person_key = today.person_key
    left join scores
        on rfm.person_key = scores.person_key
    left join clv_signal
        on rfm.person_key = clv_signal.person_key
),

final as (
    select
        *,
        case
            when p_alive is null then null
            when p_alive < {{ var('clv_churn_risk_cut_points')[0] }} then 'high'
            when p_alive < {{ var('clv_churn_risk_cut_points')[1] }} then 'medium'
            else 'low'
        end as churn_risk_band
    from scored
)

select * from final
