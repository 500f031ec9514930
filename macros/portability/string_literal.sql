{#- A SQL string literal for any text, or null: dbt.string_literal does not escape quotes, and
    Spark escapes with backslashes where the others double the quote. -#}
{% macro quoted_text(text) -%}
    {%- if text is none -%}
        {{ return('null') }}
    {%- endif -%}
    {{ return(adapter.dispatch('quoted_text', 'stratify')(text | string)) }}
{%- endmacro %}

{% macro default__quoted_text(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__quoted_text(text) -%}
    {{ return("'" ~ text | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
