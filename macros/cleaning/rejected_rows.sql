{#- The quarantined rows of a staging model: reason code and raw values as text. -#}
{% macro rejected_rows(staging_model) -%}
    select
        reject_reason,
        {{ stratify.raw_columns_of(staging_model) }}
    from {{ ref(staging_model) }}
    where reject_reason is not null
{%- endmacro %}
