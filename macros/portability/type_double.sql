{#- A double-precision float: dbt.type_float() is 'float', which DuckDB and Spark read as
    single precision. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'stratify')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
