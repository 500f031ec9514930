-- One row per scored person: today's state (tier, RFM segment, lifecycle stage, ABC
-- class, scores) and the metrics behind it, today's slice of the state engine
-- customer_state_history. The source of the snapshot customer_state_snapshot and of the
-- state log customer_state_log.
with

history as (select * from {{ ref('customer_state_history') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

final as (
    select history.*
    from history
    inner join as_of
        on history.as_of_date = as_of.as_of_date
)

select * from final
