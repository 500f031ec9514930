{#- On-run-end hook: for every test that failed or warned and carries a `failure_message`
    in its meta (a str.format template over the test's result columns), read its failing rows
    (stored by store_failures; the test query again where a test stores none) and print one
    line per row (at most 10), so a steward reads
    "raw table 'orders': 7.12% of its rows rejected" instead of "Got 1 result". Renders no SQL. -#}
{% macro explain_failing_tests(results) %}
    {%- if execute -%}
        {%- for result in results
                if result.node.resource_type == 'test'
                and result.status in ('fail', 'warn')
                and result.node.config.meta.get('failure_message') -%}
            {%- set template = result.node.config.meta['failure_message'] -%}
            {%- set failing = run_query('select * from ' ~ result.node.relation_name
                                        if result.node.config.store_failures else result.node.compiled_code) -%}
            {%- set names = failing.column_names | map('lower') | list -%}
            {%- for row in failing.rows[:10] -%}
                {%- set record = dict(zip(names, row.values())) -%}
                {{ log(result.status | upper ~ ' ' ~ result.node.name ~ ': ' ~ template.format(**record), info=true) }}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
