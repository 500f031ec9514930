-- One row per scored person: P(alive), its value high_value_at_risk_days ago, predicted CLV
-- and the high-value-at-risk signal (thresholds are vars) from the CLV scores. Nulls where
-- this run scores no one (clv_is_scored: DuckDB, or any engine given clv_parameters), and
-- predicted CLV and the signal null where it fits no model (clv_is_fitted: DuckDB), so
-- that customer_signals and its tests are the same on every engine.
with

persons as (select * from {{ ref('customer_rfm') }}),

{% if stratify.clv_is_scored() -%}
closed_form as (select * from {{ ref('int_persons_p_alive_and_spend') }}),

{% if stratify.clv_is_fitted() -%}
expected as (select * from {{ ref('int_persons_expected_purchases') }}),
{%- endif %}

joined as (
    select
        persons.person_key,
        cast(closed_form.p_alive as {{ stratify.type_double() }}) as p_alive,
        cast(closed_form.p_alive_compared as {{ stratify.type_double() }}) as p_alive_before,
        {% if stratify.clv_is_fitted() -%}
        cast(expected.predicted_clv_cny as {{ stratify.type_double() }})
        {%- else -%}
        cast(null as {{ stratify.type_double() }})
        {%- endif %} as predicted_clv_cny
    from persons
    left join closed_form
        on persons.person_key = closed_form.person_key
    {% if stratify.clv_is_fitted() -%}
    left join expected
        on persons.person_key = expected.person_key
    {%- endif %}
),

scored as (
    select
        *,
        case
            when predicted_clv_cny is not null
                then cume_dist() over (order by predicted_clv_cny desc nulls last)
        end as predicted_clv_top_share
    from joined
),

final as (
    select
        *,
        case
            when predicted_clv_cny is null then null
            -- no purchase yet back then: nothing to fall from
            when p_alive_before is null then false
            else
                predicted_clv_top_share <= {{ var('high_value_at_risk_clv_share') }}
                and p_alive_before - p_alive >= {{ var('high_value_at_risk_p_alive_drop') }}
        end as is_high_value_at_risk
    from scored
)
{%- else -%}
final as (
    select
        person_key,
        cast(null as {{ stratify.type_double() }}) as p_alive,
        cast(null as {{ stratify.type_double() }}) as p_alive_before,
        cast(null as {{ stratify.type_double() }}) as predicted_clv_cny,
        cast(null as {{ stratify.type_double() }}) as predicted_clv_top_share,
        cast(null as boolean) as is_high_value_at_risk
    from persons
)
{%- endif %}

select * from final
