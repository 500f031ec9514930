-- One row per scored person: the value tier from the first matching rule of the seed
-- tier_rules (by priority), unless a valid manual override in tier_overrides says
-- otherwise, with the rule or override that decided it: today's slice of the state engine
-- customer_state_history, with the labels of the seeds.
with

history as (select * from {{ ref('customer_state_history') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

final as (
    select
        history.person_key,
        history.as_of_date,
        history.tier,
        history.tier_rank,
        tiers.tier_label,
        history.computed_tier,
        history.tier_rule_id,
        rules.description as tier_rule_description,
        history.is_overridden,
        history.override_reason,
        history.override_approved_by,
        history.override_valid_to,
        history.r_score,
        history.f_score,
        history.m_score,
        history.recency_days,
        history.frequency,
        history.monetary
    from history
    inner join as_of
        on history.as_of_date = as_of.as_of_date
    left join rules
        on history.tier_rule_id = rules.rule_id
    left join tiers
        on history.tier = tiers.tier
)

select * from final
