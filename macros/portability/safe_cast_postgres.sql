{#- PostgreSQL has no try_cast: a cast that fails must give null (the row is then rejected
    with a reason), so each target type goes through a small function that traps the
    error (created by create_engine_functions at the start of a run). Aligned with DuckDB's
    try_cast: integers are read as numbers, rounded half away from zero ('3.7' is 4, '1e2'
    is 100) and null out of range; decimals with a precision are null where they would
    overflow; 'NaN' is null; booleans are DuckDB's spellings only. -#}
{% macro postgres__safe_cast(field, type) -%}
    {%- set type_name = type | lower | trim -%}
    {%- set as_text = 'cast(' ~ field ~ ' as text)' -%}
    {%- set int_max = integer_type_max(type) -%}
    {%- set decimal = modules.re.match('^(numeric|decimal)\\s*\\(\\s*(\\d+)\\s*(,\\s*(\\d+)\\s*)?\\)$', type_name) -%}
    {%- if 'text' in type_name or 'char' in type_name -%}
        cast({{ field }} as {{ type }})
    {%- elif 'bool' in type_name -%}
        {#- PostgreSQL also reads 'on', prefixes such as 'tr' and padded text; DuckDB does not. -#}
        case
            when lower({{ as_text }}) in ('true', 't', 'yes', 'y', '1') then true
            when lower({{ as_text }}) in ('false', 'f', 'no', 'n', '0') then false
        end
    {%- elif int_max is not none or decimal -%}
        {%- set number = target.schema ~ '.stratify_try_numeric(' ~ as_text ~ ')' -%}
        {%- if int_max is not none -%}
            {{ stratify.whole_number_in_range('round(' ~ number ~ ')', type) }}
        {%- else -%}
            {%- set scale = (decimal.group(4) or 0) | int -%}
            {%- set rounded = 'round(' ~ number ~ ', ' ~ scale ~ ')' -%}
            case when abs({{ rounded }}) < 1e{{ decimal.group(2) | int - scale }} then cast({{ rounded }} as {{ type }}) end
        {%- endif -%}
    {%- else -%}
        {%- if 'timestamp' in type_name -%}
            {%- set function = 'stratify_try_timestamp' -%}
        {%- elif 'date' in type_name -%}
            {%- set function = 'stratify_try_date' -%}
        {%- else -%}
            {%- set function = 'stratify_try_numeric' -%}
        {%- endif -%}
        cast({{ target.schema }}.{{ function }}({{ as_text }}) as {{ type }})
    {%- endif -%}
{%- endmacro %}
