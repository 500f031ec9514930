-- The one date the metrics are computed for: the var as_of_date, or else the latest
-- order date of any qualifying order. Orders after it are ignored by every metric.
with

orders as (select * from {{ ref('fct_orders') }}),

latest_qualifying_order as (
    select max(order_date) as order_date
    from orders
    where is_qualifying
),

final as (
    select
        {% if var('as_of_date') is none -%}
        order_date
        {%- else -%}
        cast('{{ var("as_of_date") }}' as date)
        {%- endif %} as as_of_date
    from latest_qualifying_order
)

select * from final
