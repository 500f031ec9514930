{#- PostgreSQL has no try_cast: a cast that fails must give null (the row is then rejected
    with a reason), so each target type goes through a small function that traps the
    error. The functions are created by create_engine_functions at the start of a run. -#}
{% macro postgres__safe_cast(field, type) -%}
    {%- set type_name = type | lower -%}
    {%- if 'text' in type_name or 'char' in type_name -%}
        {{ return('cast(' ~ field ~ ' as ' ~ type ~ ')') }}
    {%- elif 'timestamp' in type_name -%}
        {%- set function = 'stratify_try_timestamp' -%}
    {%- elif 'date' in type_name -%}
        {%- set function = 'stratify_try_date' -%}
    {%- elif 'bool' in type_name -%}
        {%- set function = 'stratify_try_boolean' -%}
    {%- elif 'int' in type_name -%}
        {%- set function = 'stratify_try_bigint' -%}
    {%- else -%}
        {%- set function = 'stratify_try_numeric' -%}
    {%- endif -%}
    cast({{ target.schema }}.{{ function }}(cast({{ field }} as text)) as {{ type }})
{%- endmacro %}
