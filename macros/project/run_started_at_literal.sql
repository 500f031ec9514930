{#- The build's start time (UTC) as a timestamp literal: one fixed "now" for the whole
    run, so a check such as "ordered in the future" gives the same answer in every model. -#}
{% macro run_started_at_literal() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
