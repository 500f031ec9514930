{#- The condition an order of `orders` (rows of int_orders_attributed_to_persons) meets to
    count in a person's metrics (contract section 2): usable, of a qualifying status with
    positive net revenue, and attributed to a person. -#}
{% macro is_qualifying_order(orders) -%}
    {{ orders }}.reject_reason is null
    and {{ orders }}.is_qualifying
    and {{ orders }}.person_key is not null
{%- endmacro %}
