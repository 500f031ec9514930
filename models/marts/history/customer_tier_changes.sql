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
        from_date as previous_date,
        from_tier,
        to_tier,
        from_tier_rank,
        to_tier_rank,
        'reconstructed' as source
    from transitions
    where from_tier is distinct from to_tier
),

observed_sequence as (
    select
        state_log.person_key,
        state_log.snapshot_date as change_date,
        lag(state_log.snapshot_date) over (partition by state_log.person_key order by state_log.snapshot_date)
            as previous_date,
        lag(state_log.tier) over (partition by state_log.person_key order by state_log.snapshot_date)
            as from_tier,
        state_log.tier as to_tier
    from state_log
),

observed as (
    select
        observed_sequence.person_key,
        observed_sequence.change_date,
        observed_sequence.previous_date,
        observed_sequence.from_tier,
        observed_sequence.to_tier,
        from_tiers.tier_rank as from_tier_rank,
        to_tiers.tier_rank as to_tier_rank,
        'observed' as source
    from observed_sequence
    left join tiers as from_tiers
        on from_tiers.tier = observed_sequence.from_tier
    left join tiers as to_tiers
        on to_tiers.tier = observed_sequence.to_tier
    where observed_sequence.from_tier is distinct from observed_sequence.to_tier
),

changes as (
    select * from reconstructed
    union all
    select * from observed
),

final as (
    select
        person_key,
        change_date,
        source,
        previous_date,
        from_tier,
        to_tier,
        case
            when from_tier is null then 'new'
            when to_tier is null then 'lost'
            when to_tier_rank < from_tier_rank then 'up'
            else 'down'
        end as direction
    from changes
)

select * from final
