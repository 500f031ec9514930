{{ config(enabled=stratify.clv_is_scored()) }}
-- Per person with a purchase on or before as_of_date, the scores with a closed form, in SQL
-- so that every engine can give them (docs/clv.md): P(alive) now and as of
-- p_alive_compared_at (persons who had bought by then) and the expected net revenue per
-- purchase. Expected purchases need the Gauss hypergeometric function:
-- int_persons_expected_purchases.
with

summary as (select * from {{ ref('int_persons_clv_summary') }}),

settings as (select * from {{ ref('int_clv_settings') }}),

parameters as (select * from {{ ref('int_clv_scoring_parameters') }}),

scored as (
    select
        summary.person_key,
        summary.summary_date,
        {{ stratify.clv_p_alive('summary.repeat_purchases', 'summary.recency_t_x', 'summary.age_t',
                                'parameters.r', 'parameters.alpha', 'parameters.a', 'parameters.b') }}
            as p_alive,
        {{ stratify.clv_expected_purchase_value(
            'summary.repeat_purchases', 'cast(summary.repeat_purchase_mean_cny as ' ~ stratify.type_double() ~ ')',
            'parameters.p', 'parameters.q', 'parameters.gamma') }}
            as expected_purchase_value_cny
    from summary
    cross join parameters
),

now as (
    select scored.*
    from scored
    inner join settings
        on scored.summary_date = settings.as_of_date
),

compared as (
    select scored.*
    from scored
    inner join settings
        on scored.summary_date = settings.p_alive_compared_at
),

final as (
    select
        now.person_key,
        cast(now.p_alive as {{ stratify.type_double() }}) as p_alive,
        cast(compared.p_alive as {{ stratify.type_double() }}) as p_alive_compared,
        cast(now.expected_purchase_value_cny as {{ stratify.type_double() }}) as expected_purchase_value_cny
    from now
    left join compared
        on now.person_key = compared.person_key
)

select * from final
