{#- dbt's duckdb safe_cast is a plain cast that raises on 'abc'; raw data is dirty, so an
    unparseable value must become null (and be rejected with a reason downstream). -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Spark (ANSI mode off, as dbt-spark sets it) casts unparseable text to null already, but
    reads some text differently from DuckDB's try_cast; these are aligned on DuckDB's answer:
    - integers: DuckDB rounds '3.7' to 4 and reads '1e2' as 100, Spark truncates to 3 and
      gives null; out of range, DuckDB gives null where Spark wraps around. Read through
      decimal(38, 0) (rounds half away from zero, as DuckDB) and range-checked.
    - booleans: DuckDB gives null for ' true ' (no trimming), Spark trims.
    Other types: a plain cast. Remaining differences: docs/engines.md. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- set type_name = type | lower | trim -%}
    {%- if integer_type_max(type) is not none -%}
        {{ stratify.whole_number_in_range('cast(' ~ field ~ ' as decimal(38, 0))', type) }}
    {%- elif type_name == 'boolean' -%}
        case
            when not (cast({{ field }} as string) rlike '\\s') then cast({{ field }} as boolean)
        end
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- A whole number (an exact numeric expression with no fraction) cast to an integer type,
    or null outside the type's range, as DuckDB's try_cast gives: the safe casts of the
    engines without try_cast end their integer reading here. -#}
{% macro whole_number_in_range(whole, type) -%}
    {%- set int_max = integer_type_max(type) -%}
    case when {{ whole }} between {{ -int_max - 1 }} and {{ int_max }} then cast({{ whole }} as {{ type }}) end
{%- endmacro %}

{#- The largest value of an integer SQL type (none for other types). -#}
{% macro integer_type_max(type) -%}
    {%- set maxima = {'tinyint': 127, 'smallint': 32767, 'int': 2147483647, 'integer': 2147483647,
                      'int4': 2147483647, 'bigint': 9223372036854775807, 'int8': 9223372036854775807} -%}
    {{ return(maxima.get(type | lower | trim)) }}
{%- endmacro %}
