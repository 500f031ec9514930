-- customer_rfm holds exactly the persons of dim_customers with a qualifying order on or
-- before as_of_date (is_scored), and no one else.
with

customer_rfm as (select * from {{ ref('customer_rfm') }}),

dim_customers as (
    select * from {{ ref('dim_customers') }}
    where is_scored
),

rfm_only as (
    select
        customer_rfm.person_key,
        'in customer_rfm only' as problem
    from customer_rfm
    left join dim_customers on customer_rfm.person_key = dim_customers.person_key
    where dim_customers.person_key is null
),

dim_only as (
    select
        dim_customers.person_key,
        'scored in dim_customers only' as problem
    from dim_customers
    left join customer_rfm on dim_customers.person_key = customer_rfm.person_key
    where customer_rfm.person_key is null
)

select * from rfm_only
union all
select * from dim_only
