{#- Whether this run builds the CLV models (customer_predictions and what it reads): dbt
    Python models run on dbt-duckdb only, and `--vars '{clv_enabled: false}'` leaves them
    out. dbt_project.yml enables the models/*/clv folders by the same condition. -#}
{% macro clv_is_built() -%}
    {{ return(target.type == 'duckdb' and var('clv_enabled', true)) }}
{%- endmacro %}
