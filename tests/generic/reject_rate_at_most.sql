{#- Reject-rate alerts. Each returns one row per raw table whose rejected share exceeds
    max_rate (table_name, raw_rows, rejected_rows, reject_percent), which the on-run-end hook
    explain_failing_tests prints with the test's failure_message. -#}

{#- On a model of per-table counts (raw_row_reconciliation): every reason, known after the
    marts are built. -#}
{% test reject_rate_at_most(model, max_rate) %}
{{ stratify.tables_over_reject_rate(model, max_rate) }}
{% endtest %}

{#- On a staging model (one row per raw row, with reject_reason): the validation rejects, known
    as soon as staging is built, so a failing load stops the build before any model reads it. -#}
{% test validation_reject_rate_at_most(model, max_rate, table_name) %}
with

counted as (
    select
        '{{ table_name }}' as table_name,
        count(*) as raw_rows,
        sum(case when reject_reason is not null then 1 else 0 end) as rejected_rows
    from {{ model }}
)

{{ stratify.tables_over_reject_rate('counted', max_rate) }}
{% endtest %}
