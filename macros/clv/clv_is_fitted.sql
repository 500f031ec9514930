{#- Whether this run fits the CLV models (dbt Python models: int_clv_model_fits, the
    expected purchases, the holdout validation): dbt Python models run on dbt-duckdb only,
    and `--vars '{clv_enabled: false}'` leaves them out. dbt_project.yml enables the
    models/*/clv folders by the same condition; the SQL models there say their own. -#}
{% macro clv_is_fitted() -%}
    {{ return(target.type == 'duckdb' and var('clv_enabled', true)) }}
{%- endmacro %}
