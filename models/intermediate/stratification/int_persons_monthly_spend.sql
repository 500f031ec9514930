-- One row per scored person and complete calendar month among the last
-- declining_spender_months + 1 before as_of_date (month_index 1 = the latest complete
-- month; a month is complete when it ends on or before as_of_date), with the person's net
-- revenue in it (0 when nothing was bought). Feeds the declining-spender signal.
with

orders as (select * from {{ ref('int_qualifying_orders_as_of') }}),

persons as (select person_key from {{ ref('customer_rfm') }}),

as_of as (
    select
        as_of_date,
        -- First day after the latest complete month.
        cast({{ dbt.date_trunc('month', dbt.dateadd('day', 1, 'as_of_date')) }} as date) as months_end
    from {{ ref('int_as_of_date') }}
),

month_indexes as (
    {{ dbt.generate_series(var('declining_spender_months') + 1) }}
),

months as (
    select
        cast(month_indexes.generated_number as {{ dbt.type_int() }}) as month_index,
        cast({{ dbt.dateadd('month', '-1 * month_indexes.generated_number', 'as_of.months_end') }} as date)
            as month_start
    from month_indexes
    cross join as_of
),

monthly_orders as (
    select
        orders.person_key,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as month_start,
        sum(orders.net_revenue_cny) as net_revenue_cny
    from orders
    cross join as_of
    where
        orders.order_date < as_of.months_end
        and orders.order_date >= {{ dbt.dateadd('month', -(var('declining_spender_months') + 1), 'as_of.months_end') }}
    group by 1, 2
),

final as (
    select
        persons.person_key,
        months.month_index,
        months.month_start,
        cast(coalesce(monthly_orders.net_revenue_cny, 0) as decimal(28, 10)) as net_revenue_cny
    from persons
    cross join months
    left join monthly_orders
        on persons.person_key = monthly_orders.person_key
        and months.month_start = monthly_orders.month_start
)

select * from final
