{#- Phone as E.164 digits without '+', domestic numbers taken as Chinese (+86); null
    when the result is not 10 to 15 digits. Rules: docs/cleaning_and_identity.md. -#}
{% macro normalize_phone(expression) -%}
    {%- set raw = stratify.regexp_replace_all(
        "cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")", stratify.whitespace_pattern(), "") -%}
    {%- set digits = stratify.regexp_replace_all(raw, "[^0-9]", "") -%}
    {%- set e164 -%}
        case
            when {{ raw }} like '+%' then {{ digits }}
            when {{ digits }} like '00%' then {{ dbt.right(digits, dbt.length(digits) ~ " - 2") }}
            when {{ digits }} like '0%' then {{ dbt.concat(["'86'", dbt.right(digits, dbt.length(digits) ~ " - 1")]) }}
            when {{ dbt.length(digits) }} = 11 and {{ digits }} like '1%' then {{ dbt.concat(["'86'", digits]) }}
            else {{ digits }}
        end
    {%- endset -%}
    case
        when {{ dbt.length(e164) }} between 10 and 15 then {{ e164 }}
    end
{%- endmacro %}
