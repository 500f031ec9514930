{#- True for the one usable row of each key: no reject reason, and first among the usable
    rows of the key by `order_by` (the latest updated_at first, then values that make the
    choice the same on every engine); false for older versions and for rejected rows, which
    rank among themselves. -#}
{% macro is_latest_version(key, order_by) -%}
    (reject_reason is null and row_number() over (partition by {{ key }}, reject_reason order by {{ order_by }}) = 1)
{%- endmacro %}
