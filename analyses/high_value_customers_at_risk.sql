-- High-value customers at risk: the high_value_at_risk signal (top predicted CLV, P(alive)
-- falling; DuckDB, or null elsewhere: docs/clv.md), with their tier and what they spent.
with

signals as (select * from {{ ref('customer_signals') }}),

customer_tiers as (select * from {{ ref('customer_tiers') }})

select
    signals.person_key,
    customer_tiers.tier,
    signals.lifecycle_stage,
    signals.predicted_clv_cny,
    signals.p_alive,
    signals.monetary,
    customer_tiers.recency_days
from signals
inner join customer_tiers
    on signals.person_key = customer_tiers.person_key
where signals.is_high_value_at_risk
order by signals.predicted_clv_cny desc, signals.person_key asc
