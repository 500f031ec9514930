{#- Makes the raw input files visible as the `raw` source. On DuckDB each table of source
    `raw` is a view over `<STRATIFY_RAW_DIR>/<table>.parquet` (or `.csv`, read as text so
    dirty values reach staging intact); server engines hold real tables in schema `raw`,
    checked here. Runs as an on-run-start hook: it renders the DDL that the hook executes
    (outside a transaction, so the views persist). -#}
{% macro register_raw_files() %}
    {%- if execute -%}
        {{ return(adapter.dispatch('register_raw_files', 'stratify')()) }}
    {%- endif -%}
{% endmacro %}

{#- Server engines (PostgreSQL, Spark): the raw tables are loaded beforehand (`stratify load`); check that
    each is there with every declared column, so that a missing load stops the run with a
    message naming the table, as on DuckDB. Renders no SQL. -#}
{% macro default__register_raw_files() %}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
    {%- for source in sources -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema, identifier=source.identifier) -%}
        {%- if relation is none -%}
            {%- do exceptions.raise_compiler_error(
                "raw table '" ~ source.identifier ~ "' not found as " ~ source.schema ~ "." ~ source.identifier
                ~ ": load the raw files first (stratify load --target " ~ target.name ~ " --raw-dir DIR)") -%}
        {%- endif -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set missing = source.columns.keys() | reject('in', present) | list -%}
        {%- if missing -%}
            {%- do exceptions.raise_compiler_error(
                "raw table '" ~ source.identifier ~ "' lacks column(s) " ~ missing | join(', ')
                ~ " (found: " ~ present | join(', ') ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__register_raw_files() %}
    {%- set raw_dir = env_var('STRATIFY_RAW_DIR', 'data/demo') | replace('\\', '/') -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') else raw_dir -%}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
    {%- set statements = [] -%}
    {%- for source in sources -%}
        {%- set reader = stratify.raw_file_reader(raw_dir, source.identifier) -%}
        {%- do stratify.check_raw_columns(source, reader) -%}
        {%- do statements.append('create or replace view ' ~ adapter.quote(source.schema) ~ '.'
            ~ adapter.quote(source.identifier) ~ ' as select * from ' ~ reader) -%}
    {%- endfor -%}
    {%- if sources -%}
        {%- do statements.insert(0, 'create schema if not exists ' ~ adapter.quote(sources[0].schema)) -%}
    {%- endif -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{#- The DuckDB table function that reads one raw table's file, parquet preferred. -#}
{% macro raw_file_reader(raw_dir, table) %}
    {%- for extension, reader in [('parquet', "read_parquet('{}')"),
                                  ('csv', "read_csv('{}', header = true, all_varchar = true)")] -%}
        {%- set path = raw_dir ~ '/' ~ table ~ '.' ~ extension -%}
        {%- set found = run_query("select count(*) from glob('" ~ path | replace("'", "''") ~ "')") -%}
        {%- if found.columns[0].values()[0] > 0 -%}
            {{ return(reader.format(path | replace("'", "''"))) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error(
        "raw table '" ~ table ~ "': neither " ~ table ~ ".parquet nor " ~ table ~ ".csv found in "
        ~ raw_dir ~ " (set STRATIFY_RAW_DIR to the folder that holds the raw files)") -%}
{% endmacro %}


{#- Every column the source declares must be in the file: a renamed or missing column
    stops the run here, naming the table and the column. -#}
{% macro check_raw_columns(source, reader) %}
    {%- set described = run_query('describe select * from ' ~ reader) -%}
    {%- set present = described.columns[0].values() | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for column in source.columns.keys() -%}
        {%- if column | lower not in present -%}
            {%- do missing.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- do exceptions.raise_compiler_error(
            "raw table '" ~ source.identifier ~ "' lacks column(s) " ~ missing | join(', ')
            ~ " (found: " ~ present | join(', ') ~ ")") -%}
    {%- endif -%}
{% endmacro %}
