{#- A code value (status, channel, ...) trimmed and in one case, so 'Web ' is 'web'. -#}
{% macro clean_code(expression, case='lower') -%}
    {%- if case == 'upper' -%}
        upper({{ stratify.clean_text(expression) }})
    {%- else -%}
        lower({{ stratify.clean_text(expression) }})
    {%- endif -%}
{%- endmacro %}
