{#- The condition an order of `orders` (rows of fct_orders) meets to count in a person's
    metrics (contract section 2): of a qualifying status with positive net revenue, and
    attributed to a person. -#}
{% macro is_qualifying_order(orders) -%}
    {{ orders }}.is_qualifying
    and {{ orders }}.person_key is not null
{%- endmacro %}
