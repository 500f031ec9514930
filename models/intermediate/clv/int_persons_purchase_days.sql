{{ config(enabled=stratify.clv_is_scored()) }}
-- One row per person and day with a qualifying order on or before as_of_date: the
-- purchases of the CLV models, which count the orders of one day as one purchase.
with

orders as (select * from {{ ref('int_qualifying_orders_as_of') }}),

final as (
    select
        person_key,
        order_date as purchase_date,
        cast(sum(net_revenue_cny) as decimal(38, 10)) as net_revenue_cny,
        count(*) as orders
    from orders
    group by person_key, order_date
)

select * from final
