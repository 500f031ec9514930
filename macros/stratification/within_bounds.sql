{#- True when `value` lies within [lower, upper], inclusive; a null bound is no bound. For
    rules tables whose bounds are optional columns. -#}
{% macro within_bounds(value, lower, upper) -%}
    ({{ lower }} is null or {{ value }} >= {{ lower }}) and ({{ upper }} is null or {{ value }} <= {{ upper }})
{%- endmacro %}
