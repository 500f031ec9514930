{#- A model's `schema` config is the schema itself (`marts`, not `<target>_marts`), so BI
    and grants see stable names on every engine. Without a config, the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
