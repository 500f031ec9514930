{#- The partition_by config of a table replaced a partition at a time: the column on Spark
    (insert_overwrite rewrites the partitions a run selects), nothing elsewhere, where
    delete+insert does the same by key (DuckDB supports partitions only for DuckLake). -#}
{% macro partitioned_by(column) -%}
    {{ return(adapter.dispatch('partitioned_by', 'stratify')(column)) }}
{%- endmacro %}

{% macro default__partitioned_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__partitioned_by(column) -%}
    {{ return([column]) }}
{%- endmacro %}
