-- One row per qualifying order of a known person on or before as_of_date: the orders
-- every per-person metric is computed from (data contract, section 2).
with

orders as (select * from {{ ref('int_orders_attributed_to_persons') }}),

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
        {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} as days_before_as_of
    from orders
    cross join as_of
    where
        orders.reject_reason is null
        and orders.is_qualifying
        and orders.person_key is not null
        and orders.order_date <= as_of.as_of_date
)

select * from final
