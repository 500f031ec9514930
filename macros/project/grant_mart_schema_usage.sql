{#- On-run-end hook: the BI reader role may enter the marts schema (select on each mart is
    granted by the models' `grants` config); it is given nothing on raw, staging or
    intermediate. Renders nothing on engines without roles. -#}
{% macro grant_mart_schema_usage() %}
    {%- if execute -%}
        {{ return(adapter.dispatch('grant_mart_schema_usage', 'stratify')()) }}
    {%- endif -%}
{% endmacro %}

{% macro default__grant_mart_schema_usage() %}
{% endmacro %}

{% macro postgres__grant_mart_schema_usage() %}
    grant usage on schema marts to {{ env_var('STRATIFY_BI_READER_ROLE', 'bi_reader') }}
{% endmacro %}
