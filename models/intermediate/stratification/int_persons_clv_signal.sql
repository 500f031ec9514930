-- One row per scored person: P(alive), its value high_value_at_risk_days ago, predicted CLV
-- and the high-value-at-risk signal (thresholds are vars) from the CLV scores; nulls where
-- this run builds no CLV model (clv_is_built: DuckDB only), so that customer_signals and
-- its tests are the same on every engine.
with

persons as (select * from {{ ref('int_persons_rfm_metrics') }}),

{% if stratify.clv_is_built() -%}
scores as (select * from {{ ref('int_persons_clv_scores') }}),

scored as (
    select
        persons.person_key,
        cast(scores.p_alive as {{ stratify.type_double() }}) as p_alive,
        cast(scores.p_alive_compared as {{ stratify.type_double() }}) as p_alive_before,
        cast(scores.predicted_clv_cny as {{ stratify.type_double() }}) as predicted_clv_cny,
        case
            when scores.predicted_clv_cny is not null
                then cume_dist() over (order by scores.predicted_clv_cny desc nulls last)
        end as predicted_clv_top_share
    from persons
    left join scores
        on persons.person_key = scores.person_key
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
