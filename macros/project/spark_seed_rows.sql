{#- Seeds on Spark: dbt-spark 1.11's own version binds every cell as a parameter, and the
    session cursor renders an empty cell as the text 'None' and does not escape a single
    quote. Here each cell is an escaped literal: empty is null, "Can't" stays "Can't".
    dbt's dispatch finds a root-project macro before the adapter's (as for safe_cast). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ stratify.spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- A seed cell as a Spark SQL literal: null, true/false, a number, or quoted text with
    backslashes and single quotes escaped (Spark reads backslash escapes in literals). -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {{ stratify.spark__quoted_text(value | string) }}
    {%- endif -%}
{%- endmacro %}
