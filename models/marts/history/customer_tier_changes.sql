-- One row per change of a person's tier: from the reconstructed history (source
-- 'reconstructed', at period ends) and from the observed state log (source 'observed', at
-- build dates). direction: 'new' (no tier before), 'lost' (no tier now: no rule matched,
-- or the person is gone), 'up' or 'down' by tier_rank (1 is best).
with

transitions as (select * from {{ ref('int_state_transitions') }}),

state_log as (select * from {{ ref('customer_state_log') }}),

tiers as (select * from {{ ref('tiers') }}),

reconstructed as (
    select
        person_key,
        to_date as change_date,
        'reconstructed' as source,
        from_date as previous_date,
        from_tier,
        to_tier
    from transitions
    where from_tier is distinct from to_tier
),

observed as (
    select *
    from (
        select
            person_key,
            snapshot_date as change_date,
            'observed' as source,
            lag(snapshot_date) over (partition by person_key order by snapshot_date) as previous_date,
            lag(tier) over (partition by person_key order by snapshot_date) as from_tier,
            tier as to_tier
        from state_log
    ) as sequenced
    where from_tier is distinct from to_tier
),

changes as (
    select * from reconstructed
    union all
    select * from observed
),

final as (
    select
        changes.*,
        case
            when changes.from_tier is null then 'new'
            when changes.to_tier is null then 'lost'
            when to_tiers.tier_rank < from_tiers.tier_rank then 'up'
            else 'down'
        end as direction
    from changes
    left join tiers as from_tiers
        on changes.from_tier = from_tiers.tier
    left join tiers as to_tiers
        on changes.to_tier = to_tiers.tier
)

select * from final
