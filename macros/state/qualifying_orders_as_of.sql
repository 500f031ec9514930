{#- The qualifying orders of known persons on or before each date of `as_of_dates` (a
    relation or CTE with an `as_of_date` column), one row per order and date: the input of
    every per-person metric (contract section 2). One date gives today's state, many give
    the state at each period end of the history. -#}
{% macro qualifying_orders_as_of(orders, as_of_dates) -%}
    select
        {{ orders }}.person_key,
        {{ orders }}.order_id,
        {{ orders }}.ordered_at,
        {{ orders }}.order_date,
        {{ orders }}.channel,
        {{ orders }}.net_revenue_cny,
        {{ orders }}.has_discount,
        {{ as_of_dates }}.as_of_date,
        {{ dbt.datediff(orders ~ '.order_date', as_of_dates ~ '.as_of_date', 'day') }} as days_before_as_of
    from {{ orders }}
    inner join {{ as_of_dates }}
        on {{ orders }}.order_date <= {{ as_of_dates }}.as_of_date
    where {{ stratify.is_qualifying_order(orders) }}
{%- endmacro %}
