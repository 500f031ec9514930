-- One row per scored person: the value tier from the first matching rule of the seed
-- tier_rules (by priority), unless a valid manual override in tier_overrides says
-- otherwise, with the rule or override that decided it.
with

rfm as (select * from {{ ref('customer_rfm') }}),

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

overrides as (select * from {{ ref('int_tier_overrides_resolved') }}),

rule_matches as (
    select
        rfm.person_key,
        rules.rule_id,
        rules.tier,
        rules.description,
        row_number() over (partition by rfm.person_key order by rules.priority, rules.rule_id) as match_rank
    from rfm
    cross join rules
    where
        {{ stratify.within_bounds('rfm.r_score', 'rules.min_r_score', 'rules.max_r_score') }}
        and {{ stratify.within_bounds('rfm.f_score', 'rules.min_f_score', 'rules.max_f_score') }}
        and {{ stratify.within_bounds('rfm.m_score', 'rules.min_m_score', 'rules.max_m_score') }}
        and {{ stratify.within_bounds('rfm.recency_days', 'rules.min_recency_days', 'rules.max_recency_days') }}
        and {{ stratify.within_bounds('rfm.frequency', 'rules.min_frequency', 'rules.max_frequency') }}
        and {{ stratify.within_bounds('rfm.monetary', 'rules.min_monetary', 'rules.max_monetary') }}
        -- Average order value = monetary / frequency, compared without dividing (exact);
        -- undefined, so never matching, without orders in the window.
        and (
            (rules.min_avg_order_value is null and rules.max_avg_order_value is null)
            or (
                rfm.frequency > 0
                and (rules.min_avg_order_value is null or rfm.monetary >= rules.min_avg_order_value * rfm.frequency)
                and (rules.max_avg_order_value is null or rfm.monetary <= rules.max_avg_order_value * rfm.frequency)
            )
        )
),

computed as (select * from rule_matches where match_rank = 1),

valid_overrides as (
    select
        overrides.person_key,
        overrides.tier,
        overrides.reason,
        overrides.approved_by,
        overrides.valid_to,
        row_number() over (
            partition by overrides.person_key
            order by overrides.valid_from desc, tiers.tier_rank, overrides.reason
        ) as override_rank
    from overrides
    cross join (select max(as_of_date) as as_of_date from rfm) as as_of
    inner join tiers
        on tiers.tier = overrides.tier
    where
        overrides.person_key is not null
        and overrides.valid_from <= as_of.as_of_date
        and (overrides.valid_to is null or overrides.valid_to >= as_of.as_of_date)
),

final as (
    select
        rfm.person_key,
        rfm.as_of_date,
        coalesce(valid_overrides.tier, computed.tier) as tier,
        tiers.tier_rank,
        tiers.tier_label,
        computed.tier as computed_tier,
        computed.rule_id as tier_rule_id,
        computed.description as tier_rule_description,
        valid_overrides.person_key is not null as is_overridden,
        valid_overrides.reason as override_reason,
        valid_overrides.approved_by as override_approved_by,
        valid_overrides.valid_to as override_valid_to,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.recency_days,
        rfm.frequency,
        rfm.monetary
    from rfm
    left join computed
        on computed.person_key = rfm.person_key
    left join valid_overrides
        on valid_overrides.person_key = rfm.person_key
        and valid_overrides.override_rank = 1
    left join tiers
        on tiers.tier = coalesce(valid_overrides.tier, computed.tier)
)

select * from final
