-- One row per scored person: the value tier from the first matching rule of the seed
-- tier_rules (by priority), unless a valid manual override in tier_overrides says
-- otherwise, with the rule or override that decided it: today's slice of the state engine
-- customer_state_history (through customer_state, its rows of as_of_date), with the labels
-- of the seeds.
with

states as (select * from {{ ref('customer_state') }}),

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

final as (
    select
        states.person_key,
        states.as_of_date,
        states.tier,
        states.tier_rank,
        tiers.tier_label,
        states.computed_tier,
        states.tier_rule_id,
        rules.description as tier_rule_description,
        states.is_overridden,
        states.override_reason,
        states.override_approved_by,
        states.override_valid_to,
        states.r_score,
        states.f_score,
        states.m_score,
        states.recency_days,
        states.frequency,
        states.monetary
    from states
    left join rules
        on states.tier_rule_id = rules.rule_id
    left join tiers
        on states.tier = tiers.tier
)

select * from final
