-- Every scored person matches at least one rule of the seed tier_rules (the first match
-- by priority then assigns the tier): a person here would have no tier.
select
    rfm.person_key,
    rfm.r_score,
    rfm.f_score,
    rfm.m_score,
    rfm.recency_days,
    rfm.frequency,
    rfm.monetary
from {{ ref('customer_rfm') }} as rfm
left join {{ ref('customer_tiers') }} as tiers
    on rfm.person_key = tiers.person_key
where tiers.computed_tier is null
