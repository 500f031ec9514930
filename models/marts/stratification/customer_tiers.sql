-- One row per scored person: the value tier from the first matching rule of the seed
-- tier_rules (by priority), unless a valid manual override in tier_overrides says
-- otherwise, with the rule or override that decided it.
with

rfm as (select * from {{ ref('customer_rfm') }}),

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

overrides as (select * from {{ ref('int_tier_overrides_resolved') }}),

final as (
    {{ stratify.tiers_assigned('rfm', 'rules', 'tiers', 'overrides') }}
)

select * from final
