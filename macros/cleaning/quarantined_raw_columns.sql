{#- The raw_<column> text columns of a staging model's final select, kept for rejected rows
    only: a quarantined row shows what arrived, and a usable row stores no second copy of
    its raw values. -#}
{% macro quarantined_raw_columns(columns) -%}
    {%- for column in columns -%}
        case when reject_reason is not null then raw_{{ column }} end as raw_{{ column }}{{ "," if not loop.last }}
    {% endfor -%}
{%- endmacro %}
