{#- On-run-end hook: appends one row per data test, unit test and source freshness check of
    this invocation to quality.quality_test_results (created on first use, never rebuilt by
    dbt, so it keeps every run's results for stewards' trends). Returns the insert. -#}
{% macro record_test_results(results) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set checked = [] -%}
    {%- for result in results if result.node.resource_type in ('test', 'unit_test', 'source') -%}
        {%- do checked.append(stratify.test_result_values(result)) -%}
    {%- endfor -%}
    {%- if not checked -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = stratify.test_results_relation() -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do run_query(stratify.create_test_results_table(relation)) -%}
    {%- set columns = stratify.test_result_columns() | map(attribute=0) | join(', ') -%}
    {{ return('insert into ' ~ relation ~ ' (' ~ columns ~ ') values\n' ~ checked | join(',\n')) }}
{% endmacro %}


{% macro test_results_relation() %}
    {#- Spark's target has no database. -#}
    {{ return(api.Relation.create(database=target.database if target.database is defined else none,
                                  schema=generate_schema_name('quality', none), identifier='quality_test_results')) }}
{% endmacro %}


{#- (name, type) of every column, in order; documented in models/marts/quality/_quality__sources.yml. -#}
{% macro test_result_columns() %}
    {{ return([
        ('invocation_id', dbt.type_string()),
        ('run_started_at', dbt.type_timestamp()),
        ('dbt_command', dbt.type_string()),
        ('target_name', dbt.type_string()),
        ('test_unique_id', dbt.type_string()),
        ('test_name', dbt.type_string()),
        ('test_kind', dbt.type_string()),
        ('test_type', dbt.type_string()),
        ('model_name', dbt.type_string()),
        ('column_name', dbt.type_string()),
        ('status', dbt.type_string()),
        ('failures', dbt.type_bigint()),
        ('severity', dbt.type_string()),
        ('execution_seconds', stratify.type_double()),
        ('message', dbt.type_string()),
        ('failures_relation', dbt.type_string()),
    ]) }}
{% endmacro %}


{% macro create_test_results_table(relation) %}
    {%- set columns = [] -%}
    {%- for name, data_type in stratify.test_result_columns() -%}
        {%- do columns.append(name ~ ' ' ~ data_type) -%}
    {%- endfor -%}
    {{ return('create table if not exists ' ~ relation ~ ' (' ~ columns | join(', ') ~ ')'
              ~ (' using parquet' if target.type == 'spark' else '')) }}
{% endmacro %}


{#- One parenthesised row of values for a run result: a data test (generic or singular), a
    unit test, or a source's freshness check. -#}
{% macro test_result_values(result) %}
    {%- set node = result.node -%}
    {%- if node.resource_type == 'source' -%}
        {%- set kind, test_type, model, column = 'freshness', 'freshness', node.source_name ~ '.' ~ node.name, none -%}
        {%- set severity = 'error' if result.status == 'error' else 'warn' -%}
        {%- set message = result.message or ('newest change ' ~ result.max_loaded_at ~ ', '
                                             ~ (result.age / 86400) | round(1) ~ ' days before the check'
                                             if result.age is defined and result.age is not none) -%}
    {%- elif node.resource_type == 'unit_test' -%}
        {%- set kind, test_type, model, column = 'unit', 'unit', node.model, none -%}
        {%- set severity, message = 'error', result.message -%}
    {%- else -%}
        {%- set generic = node.test_metadata is defined -%}
        {%- set kind = 'generic' if generic else 'singular' -%}
        {%- set test_type = node.test_metadata.name if generic else node.name -%}
        {%- set tested = [node.attached_node] if node.attached_node else node.depends_on.nodes -%}
        {%- set model = tested | map('replace', 'model.' ~ project_name ~ '.', '')
                               | map('replace', 'seed.' ~ project_name ~ '.', '')
                               | map('replace', 'snapshot.' ~ project_name ~ '.', '') | join(', ') -%}
        {%- set column = node.column_name -%}
        {%- set severity, message = node.config.severity | lower, result.message -%}
    {%- endif -%}
    {%- set stored = node.relation_name if node.resource_type == 'test' and node.config.store_failures else none -%}
    {%- set values = [
        stratify.quoted_text(invocation_id),
        stratify.run_started_at_literal(),
        stratify.quoted_text(flags.WHICH),
        stratify.quoted_text(target.name),
        stratify.quoted_text(node.unique_id),
        stratify.quoted_text(node.name),
        stratify.quoted_text(kind),
        stratify.quoted_text(test_type),
        stratify.quoted_text(model or none),
        stratify.quoted_text(column),
        stratify.quoted_text(result.status),
        result.failures if result.failures is not none else 'null',
        stratify.quoted_text(severity),
        result.execution_time | round(3),
        stratify.quoted_text(message or none),
        stratify.quoted_text(stored),
    ] -%}
    {{ return('(' ~ values | join(', ') ~ ')') }}
{% endmacro %}
