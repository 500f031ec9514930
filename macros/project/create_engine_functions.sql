{#- On-run-start hook: engine-side helpers the models need (PostgreSQL: the try-cast
    functions and the BI reader role). Renders nothing on other engines. -#}
{% macro create_engine_functions() %}
    {%- if execute -%}
        {{ return(adapter.dispatch('create_engine_functions', 'stratify')()) }}
    {%- endif -%}
{% endmacro %}

{% macro default__create_engine_functions() %}
{% endmacro %}

{% macro postgres__create_engine_functions() %}
    {%- set statements = ['create schema if not exists ' ~ target.schema] -%}
    {%- for name, type in [('timestamp', 'timestamp'), ('date', 'date'), ('numeric', 'numeric')] -%}
        {%- do statements.append(
            'create or replace function ' ~ target.schema ~ '.stratify_try_' ~ name ~ '(value text) returns ' ~ type
            ~ ' language plpgsql immutable as $$ begin return value::' ~ type
            ~ '; exception when others then return null; end $$') -%}
    {%- endfor -%}
    {%- do statements.append(
        "do $$ begin if not exists (select from pg_roles where rolname = '" ~ env_var('STRATIFY_BI_READER_ROLE', 'bi_reader')
        ~ "') then create role " ~ env_var('STRATIFY_BI_READER_ROLE', 'bi_reader') ~ " nologin; end if; end $$") -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}
