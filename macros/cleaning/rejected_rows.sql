{#- The quarantined rows of a base model: reason code and raw values as text. -#}
{% macro rejected_rows(base_model) -%}
    select
        reject_reason,
        {{ stratify.raw_columns_of(base_model) }}
    from {{ ref(base_model) }}
    where reject_reason is not null
{%- endmacro %}
