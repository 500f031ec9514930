{#- Lower-cased email without any whitespace; null when it is not a plausible address.
    Rules: docs/cleaning_and_identity.md. -#}
{% macro normalize_email(expression) -%}
    {%- set squeezed = "lower(" ~ stratify.regexp_replace_all(
        "cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")", stratify.whitespace_pattern(), "") ~ ")" -%}
    case
        when {{ stratify.regexp_matches(squeezed, '^[a-z0-9._%+-]+@[a-z0-9.-]+[.][a-z]{2,}$') }}
            then {{ squeezed }}
    end
{%- endmacro %}
