{{ config(enabled=stratify.clv_is_scored()) }}
-- One row per scored person: P(alive), expected purchases, expected value per purchase and
-- predicted CLV from the BG/NBD and Gamma-Gamma parameters of int_clv_scoring_parameters,
-- the churn-risk band and the high-value-at-risk signal (thresholds are vars). Where the run
-- fits no model (engines without dbt Python models, given clv_parameters), the expected
-- purchases and the predicted CLV are null (docs/clv.md).
with

rfm as (select * from {{ ref('customer_rfm') }}),

summary as (select * from {{ ref('int_persons_clv_summary') }}),

closed_form as (select * from {{ ref('int_persons_p_alive_and_spend') }}),

{% if stratify.clv_is_fitted() -%}
expected as (select * from {{ ref('int_persons_expected_purchases') }}),
{%- endif %}

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
        {%- for days in [30, 90, 365] %}
        {% if stratify.clv_is_fitted() -%}
        cast(expected.expected_purchases_{{ days }}d as {{ stratify.type_double() }})
        {%- else -%}
        cast(null as {{ stratify.type_double() }})
        {%- endif %} as expected_purchases_{{ days }}d,
        {%- endfor %}
        closed_form.expected_purchase_value_cny,
        clv_signal.predicted_clv_cny,
        clv_signal.predicted_clv_top_share,
        clv_signal.is_high_value_at_risk
    from rfm
    left join today
        on rfm.person_key = today.person_key
    left join closed_form
        on rfm.person_key = closed_form.person_key
    {% if stratify.clv_is_fitted() -%}
    left join expected
        on rfm.person_key = expected.person_key
    {%- endif %}
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
