{#- The raw_<column> text columns of a staging model, comma-separated: what a rejected-rows
    model shows of each quarantined row. -#}
{% macro raw_columns_of(model_name) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(ref(model_name)) -%}
        {%- if column.name.startswith('raw_') -%}
            {%- do names.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ names | join(',\n        ') }}
{%- endmacro %}
