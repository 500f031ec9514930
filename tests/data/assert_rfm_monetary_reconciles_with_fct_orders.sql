-- The monetary of all scored persons adds up to the net revenue of the attributed
-- qualifying orders in the lookback window of fct_orders, to the last decimal; likewise
-- frequency to their count.
with

customer_rfm as (select * from {{ ref('customer_rfm') }}),

fct_orders as (select * from {{ ref('fct_orders') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

from_rfm as (
    select
        coalesce(sum(monetary), 0) as monetary,
        coalesce(sum(frequency), 0) as frequency
    from customer_rfm
),

from_orders as (
    select
        coalesce(sum(fct_orders.net_revenue_cny), 0) as monetary,
        count(*) as frequency
    from fct_orders
    cross join as_of
    where
        fct_orders.is_qualifying
        and fct_orders.person_key is not null
        and fct_orders.order_date <= as_of.as_of_date
        and {{ dbt.datediff('fct_orders.order_date', 'as_of.as_of_date', 'day') }}
        < {{ var('lookback_days') }}
)

select
    from_rfm.monetary as rfm_monetary,
    from_orders.monetary as orders_monetary,
    from_rfm.frequency as rfm_frequency,
    from_orders.frequency as orders_frequency
from from_rfm
cross join from_orders
where from_rfm.monetary != from_orders.monetary or from_rfm.frequency != from_orders.frequency
