-- One row per qualifying order of a known person on or before as_of_date (data contract,
-- section 2), with its age in days: the orders today's behaviour, CLV and signal models
-- read. Ephemeral: a filter of fct_orders, inlined into each reader rather than stored as
-- another copy of the orders.
{{ config(materialized='ephemeral') }}
with

orders as (select * from {{ ref('fct_orders') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

final as (
    select
        orders.person_key,
        orders.order_id,
        orders.ordered_at,
        orders.order_date,
        orders.channel,
        orders.net_revenue_cny,
        orders.has_discount,
        as_of.as_of_date,
        {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} as days_before_as_of  -- noqa: LT05
    from orders
    inner join as_of
        on orders.order_date <= as_of.as_of_date
    where {{ stratify.is_qualifying_order('orders') }}
)

select * from final
