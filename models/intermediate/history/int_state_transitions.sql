-- One row per person and pair of consecutive periods of customer_state_history: the state
-- at the earlier period end (from_*) and at the later one (to_*). A person scored only in
-- the later period has null from_* (new); the first period of the history is paired with
-- nothing (from_date null), so everyone in it is new.
with

history as (select * from {{ ref('customer_state_history') }}),

period_pairs as (
    select
        lag(as_of_date) over (order by as_of_date) as from_date,
        as_of_date as to_date
    from (select distinct as_of_date from history) as periods
),

later_states as (
    select
        period_pairs.from_date,
        history.*
    from history
    inner join period_pairs
        on history.as_of_date = period_pairs.to_date
),

earlier_states as (
    select
        period_pairs.to_date,
        history.*
    from history
    inner join period_pairs
        on history.as_of_date = period_pairs.from_date
),

final as (
    select
        coalesce(later_states.person_key, earlier_states.person_key) as person_key,
        coalesce(later_states.from_date, earlier_states.as_of_date) as from_date,
        coalesce(later_states.as_of_date, earlier_states.to_date) as to_date,
        earlier_states.tier as from_tier,
        later_states.tier as to_tier,
        earlier_states.rfm_segment as from_rfm_segment,
        later_states.rfm_segment as to_rfm_segment,
        earlier_states.lifecycle_stage as from_lifecycle_stage,
        later_states.lifecycle_stage as to_lifecycle_stage,
        later_states.monetary as to_monetary
    from later_states
    full outer join earlier_states
        on later_states.person_key = earlier_states.person_key
        and later_states.as_of_date = earlier_states.to_date
)

select * from final
