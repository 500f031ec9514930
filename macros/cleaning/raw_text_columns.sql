{#- The given raw columns as text named raw_<column>, so a quarantined row keeps what
    arrived even when it did not parse. PII columns are never passed here: they do not
    leave staging in clear. -#}
{% macro raw_text_columns(columns) -%}
    {%- for column in columns -%}
        cast({{ column }} as {{ dbt.type_string() }}) as raw_{{ column }}{{ "," if not loop.last }}
    {% endfor -%}
{%- endmacro %}
