{#- Source freshness of a raw table: its newest parseable change time that is not in the
    future (raw times are dirty, and one far-future typo must not make a dead feed look
    fresh). -#}
{% macro newest_change_query(column, relation) %}
    {%- set changed_at = dbt.safe_cast(column, dbt.type_timestamp()) -%}
    select max({{ changed_at }}) from {{ relation }} where {{ changed_at }} <= {{ dbt.current_timestamp() }}
{% endmacro %}
