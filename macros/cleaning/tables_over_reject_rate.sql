{#- The rows of a per-table count relation (table_name, raw_rows, rejected_rows) whose rejected
    share is above max_rate, with the share in percent and the limit for the message. Compared without
    dividing, so the boundary is exact on every engine. -#}
{% macro tables_over_reject_rate(relation, max_rate) %}
select
    table_name,
    raw_rows,
    rejected_rows,
    round(cast(rejected_rows as decimal(38, 10)) * 100 / raw_rows, 2) as reject_percent,
    {{ max_rate }} as max_rate
from {{ relation }}
where rejected_rows > {{ max_rate }} * raw_rows
{% endmacro %}
