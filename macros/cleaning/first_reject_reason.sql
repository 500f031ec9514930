{#- The reason code of the first failed check, or null when the row is usable.
    `checks` is a list of (reason_code, condition_that_fails) pairs in priority order,
    so each rejected row carries exactly one reason and counts reconcile. -#}
{% macro first_reject_reason(checks) -%}
    case
    {%- for reason, failed in checks %}
        when {{ failed }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}
