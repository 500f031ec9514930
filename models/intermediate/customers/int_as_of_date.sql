-- The one date the metrics are computed for: the var as_of_date, or else the latest
-- order date of any qualifying order. Orders after it are ignored by every metric.
with

orders as (select * from {{ ref('int_orders_attributed_to_persons') }}),

final as (
    select
        {%- if var('as_of_date') is none %}
        max(order_date) as as_of_date
        {%- else %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- endif %}
    from orders
    where reject_reason is null and is_qualifying
)

select * from final
