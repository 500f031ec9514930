{#- dbt's duckdb safe_cast is a plain cast that raises on 'abc'; raw data is dirty, so an
    unparseable value must become null (and be rejected with a reason downstream). -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
