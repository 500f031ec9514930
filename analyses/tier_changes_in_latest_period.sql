-- Who changed tier in the latest period (reconstructed history: one period end to the
-- next), up or down, with where they came from and their spend now.
with

tier_changes as (select * from {{ ref('customer_tier_changes') }}),

customer_tiers as (select * from {{ ref('customer_tiers') }}),

latest as (
    select max(change_date) as change_date
    from tier_changes
    where source = 'reconstructed'
)

select
    tier_changes.person_key,
    tier_changes.previous_date,
    tier_changes.change_date,
    tier_changes.from_tier,
    tier_changes.to_tier,
    tier_changes.direction,
    customer_tiers.monetary,
    customer_tiers.frequency,
    customer_tiers.recency_days
from tier_changes
inner join latest
    on tier_changes.change_date = latest.change_date
left join customer_tiers
    on tier_changes.person_key = customer_tiers.person_key
where
    tier_changes.source = 'reconstructed'
    and tier_changes.direction in ('up', 'down')
order by tier_changes.direction asc, customer_tiers.monetary desc, tier_changes.person_key asc
