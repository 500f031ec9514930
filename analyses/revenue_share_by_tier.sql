-- Revenue share by tier, best tier first, with the running share (the Pareto curve): how
-- much of the revenue the top tiers bring, against their share of the persons.
with

tier_summary as (select * from {{ ref('tier_summary') }})

select
    tier_rank,
    tier,
    tier_label,
    persons,
    share_of_persons,
    revenue_cny,
    share_of_revenue,
    cumulative_share_of_revenue,
    revenue_per_person_cny
from tier_summary
order by tier_rank asc
