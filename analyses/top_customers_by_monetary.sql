-- The 50 people with the highest spend in the lookback window, with their scores.
with

customer_rfm as (select * from {{ ref('customer_rfm') }}),

dim_customers as (select * from {{ ref('dim_customers') }})

select
    customer_rfm.person_key,
    dim_customers.primary_customer_id,
    dim_customers.person_type,
    customer_rfm.monetary,
    customer_rfm.frequency,
    customer_rfm.recency_days,
    customer_rfm.rfm_cell,
    customer_rfm.abc_class,
    customer_rfm.lifecycle_stage
from customer_rfm
inner join dim_customers
    on customer_rfm.person_key = dim_customers.person_key
order by customer_rfm.monetary desc, customer_rfm.person_key asc
limit 50
