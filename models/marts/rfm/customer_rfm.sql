-- One row per scored person: R, F, M metrics and tie-safe scores, the RFM cell, the ABC
-- (Pareto) class and the lifecycle stage, as of as_of_date (data contract, section 2):
-- today's slice of the state engine customer_state_history (read through customer_state,
-- its rows of as_of_date, so that the history is scanned once for today's marts).
with

states as (select * from {{ ref('customer_state') }}),

final as (
    select
        states.person_key,
        states.as_of_date,
        states.recency_days,
        states.frequency,
        states.monetary,
        states.r_score,
        states.f_score,
        states.m_score,
        states.rfm_cell,
        states.abc_class,
        states.lifecycle_stage,
        states.first_order_date,
        states.last_order_date,
        states.lifetime_orders,
        states.lifetime_net_revenue_cny
    from states
)

select * from final
