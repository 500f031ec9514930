-- One row per scored person: R, F, M metrics and tie-safe scores, the RFM cell, the ABC
-- (Pareto) class and the lifecycle stage, as of as_of_date (data contract, section 2):
-- today's slice of the state engine customer_state_history.
with

history as (select * from {{ ref('customer_state_history') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

final as (
    select
        history.person_key,
        history.as_of_date,
        history.recency_days,
        history.frequency,
        history.monetary,
        history.r_score,
        history.f_score,
        history.m_score,
        history.rfm_cell,
        history.abc_class,
        history.lifecycle_stage,
        history.first_order_date,
        history.last_order_date,
        history.lifetime_orders,
        history.lifetime_net_revenue_cny
    from history
    inner join as_of
        on history.as_of_date = as_of.as_of_date
)

select * from final
