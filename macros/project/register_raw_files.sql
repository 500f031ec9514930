{#- Makes the raw input files visible as the `raw` source. On DuckDB each table of source
    `raw` is a view over `<STRATIFY_RAW_DIR>/<table>.parquet` (or `.csv`, read as text so
    dirty values reach staging intact); server engines hold real tables in schema `raw`,
    checked here. Runs as an on-run-start hook: it renders the DDL that the hook executes
    (outside a transaction, so the views persist). Every check runs before any model, so
    bad input stops the run with the previous build's tables untouched. -#}
{% macro register_raw_files() %}
    {%- if execute -%}
        {{ return(adapter.dispatch('register_raw_files', 'stratify')()) }}
    {%- endif -%}
{% endmacro %}

{#- Server engines (PostgreSQL, Spark): the raw tables are loaded beforehand (`stratify load`); check that
    each is there, typed as the contract allows and not empty, so that a missing load stops the run
    with a message naming the table, as on DuckDB. Renders no SQL. -#}
{% macro default__register_raw_files() %}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
    {%- for source in sources -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema, identifier=source.identifier) -%}
        {%- if relation is none -%}
            {%- do exceptions.raise_compiler_error(
                "raw table '" ~ source.identifier ~ "' not found as " ~ source.schema ~ "." ~ source.identifier
                ~ ": load the raw files first (stratify load --target " ~ target.name ~ " --raw-dir DIR)") -%}
        {%- endif -%}
        {%- set columns = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do columns.append((column.name | lower, column.dtype)) -%}
        {%- endfor -%}
        {%- set where = "table " ~ source.schema ~ "." ~ source.identifier -%}
        {%- do stratify.check_raw_columns(source, columns, where) -%}
        {%- do stratify.check_raw_not_empty(source, relation, where) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__register_raw_files() %}
    {%- set raw_dir = env_var('STRATIFY_RAW_DIR', 'data/demo') | replace('\\', '/') -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') else raw_dir -%}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
    {%- set statements = [] -%}
    {%- for source in sources -%}
        {%- set path = stratify.raw_file_path(raw_dir, source.identifier) -%}
        {%- set where = "file " ~ path -%}
        {%- set size = run_query('select size from read_blob(' ~ stratify.quoted_text(path) ~ ')') -%}
        {%- if size.columns[0].values()[0] == 0 -%}
            {%- do exceptions.raise_compiler_error(
                "raw table '" ~ source.identifier ~ "': " ~ where ~ " is empty (0 bytes)") -%}
        {%- endif -%}
        {%- set reader = stratify.raw_file_reader(path) -%}
        {%- set columns = [] -%}
        {%- for row in run_query('describe select * from ' ~ reader) -%}
            {%- do columns.append((row[0] | lower, row[1])) -%}
        {%- endfor -%}
        {%- do stratify.check_raw_columns(source, columns, where) -%}
        {%- do stratify.check_raw_not_empty(source, reader, where) -%}
        {%- do statements.append('create or replace view ' ~ adapter.quote(source.schema) ~ '.'
            ~ adapter.quote(source.identifier) ~ ' as select * from ' ~ reader) -%}
    {%- endfor -%}
    {%- if sources -%}
        {%- do statements.insert(0, 'create schema if not exists ' ~ adapter.quote(sources[0].schema)) -%}
    {%- endif -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{#- The file that holds one raw table, `<table>.parquet` preferred over `<table>.csv`. -#}
{% macro raw_file_path(raw_dir, table) %}
    {%- for extension in ['parquet', 'csv'] -%}
        {%- set path = raw_dir ~ '/' ~ table ~ '.' ~ extension -%}
        {%- set found = run_query('select count(*) from glob(' ~ stratify.quoted_text(path) ~ ')') -%}
        {%- if found.columns[0].values()[0] > 0 -%}
            {{ return(path) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error(
        "raw table '" ~ table ~ "': neither " ~ table ~ ".parquet nor " ~ table ~ ".csv found in "
        ~ raw_dir ~ " (set STRATIFY_RAW_DIR to the folder that holds the raw files)") -%}
{% endmacro %}


{#- The DuckDB table function that reads a raw file; CSV as text, so that dirty values reach
    staging as they are. -#}
{% macro raw_file_reader(path) %}
    {%- if path.endswith('.csv') -%}
        {{ return('read_csv(' ~ stratify.quoted_text(path) ~ ', header = true, all_varchar = true)') }}
    {%- endif -%}
    {{ return('read_parquet(' ~ stratify.quoted_text(path) ~ ')') }}
{% endmacro %}


{#- Every column the source declares must be present (a renamed or missing column stops the
    run, naming the table and the column) with a type its contract type can be read from:
    text always (staging parses and quarantines it), else the type's own family. `columns` is
    a list of (name, engine type). -#}
{% macro check_raw_columns(source, columns, where) %}
    {%- set present = {} -%}
    {%- for name, data_type in columns -%}
        {%- do present.update({name: data_type}) -%}
    {%- endfor -%}
    {%- set missing = source.columns.keys() | reject('in', present) | list -%}
    {%- if missing -%}
        {%- do exceptions.raise_compiler_error(
            "raw table '" ~ source.identifier ~ "' lacks column(s) " ~ missing | join(', ')
            ~ " (" ~ where ~ " has: " ~ present.keys() | join(', ') ~ ")") -%}
    {%- endif -%}
    {%- set readable_from = {
        'string': ['text', 'number'],
        'timestamp': ['text', 'temporal'],
        'date': ['text', 'temporal'],
        'decimal': ['text', 'number'],
        'integer': ['text', 'number'],
        'boolean': ['text', 'boolean', 'number'],
    } -%}
    {%- set wrong = [] -%}
    {%- for name, column in source.columns.items() -%}
        {%- set wanted = (column.data_type or 'string') | lower -%}
        {%- set family = stratify.type_family(present[name]) -%}
        {%- if family not in readable_from[wanted] -%}
            {%- do wrong.append(name ~ " is " ~ present[name] ~ " but must be " ~ wanted ~ " (or text)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if wrong -%}
        {%- do exceptions.raise_compiler_error(
            "raw table '" ~ source.identifier ~ "' (" ~ where ~ ") has column(s) of the wrong type: "
            ~ wrong | join('; ')) -%}
    {%- endif -%}
{% endmacro %}


{#- The family of an engine's type name (DuckDB, PostgreSQL, Spark spellings): text, number,
    temporal, boolean or other (nested, binary, interval, time of day). -#}
{% macro type_family(data_type) %}
    {%- set name = data_type | lower -%}
    {%- if 'char' in name or 'text' in name or name in ['string', 'uuid'] -%}
        {{ return('text') }}
    {%- elif '[' in name or '<' in name or 'struct' in name or 'map' in name or 'interval' in name -%}
        {{ return('other') }}
    {%- elif name.startswith('timestamp') or name == 'date' -%}
        {{ return('temporal') }}
    {%- elif name.startswith('bool') -%}
        {{ return('boolean') }}
    {%- elif name.split('(')[0] | trim in ['tinyint', 'smallint', 'integer', 'int', 'bigint', 'hugeint', 'utinyint',
            'usmallint', 'uinteger', 'ubigint', 'uhugeint', 'decimal', 'numeric', 'double', 'float', 'real',
            'double precision', 'int2', 'int4', 'int8', 'float4', 'float8', 'long', 'short', 'byte'] -%}
        {{ return('number') }}
    {%- endif -%}
    {{ return('other') }}
{% endmacro %}


{#- A raw table without a single row is a failed export, not a quiet day: stop, unless the
    source says the table may be empty (meta may_be_empty). -#}
{% macro check_raw_not_empty(source, relation, where) %}
    {%- if source.config.meta.get('may_be_empty') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set probe = run_query('select 1 from ' ~ relation ~ ' limit 1') -%}
    {%- if probe.rows | length == 0 -%}
        {%- do exceptions.raise_compiler_error(
            "raw table '" ~ source.identifier ~ "': " ~ where ~ " has a header but no rows") -%}
    {%- endif -%}
{% endmacro %}
