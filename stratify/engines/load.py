"""Loads the contract's raw files into schema ``raw`` of a server engine.

On DuckDB the project reads the files where they lie; PostgreSQL and Spark need the raw
tables inside the engine, so the same generated (or delivered) files reach every engine
and the engines can be compared on identical input. Parquet keeps its column types; CSV
is loaded as text, so dirty values reach staging intact, as on DuckDB.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from stratify import PROJECT_DIR

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
RAW_SCHEMA = "raw"
LOADERS = ("postgres", "spark")
_BATCH_ROWS = 500_000


class RawInputError(ValueError):
    """A raw file is missing or unreadable; the message names the table and the folder."""


@dataclass(frozen=True)
class PostgresSettings:
    """Connection settings, from the same env vars as the dbt profile's postgres target."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = "stratify"

    @classmethod
    def from_env(cls) -> PostgresSettings:
        return cls(
            host=os.environ.get("STRATIFY_PG_HOST", cls.host),
            port=int(os.environ.get("STRATIFY_PG_PORT", str(cls.port))),
            user=os.environ.get("STRATIFY_PG_USER", cls.user),
            password=os.environ.get("STRATIFY_PG_PASSWORD", cls.password),
            dbname=os.environ.get("STRATIFY_PG_DATABASE", cls.dbname),
        )


def raw_tables(sources_yml: Path = SOURCES_YML) -> dict[str, list[str]]:
    """{table: [column, ...]} of dbt source `raw`, in declaration order: the one list of
    the contract's raw tables."""
    sources = yaml.safe_load(sources_yml.read_text())["sources"]
    raw = next(source for source in sources if source["name"] == "raw")
    return {table["name"]: [column["name"] for column in table.get("columns", [])] for table in raw["tables"]}


def raw_files(raw_dir: Path, tables: dict[str, list[str]]) -> dict[str, Path]:
    """{table: file}: `<table>.parquet`, else `<table>.csv`; an error names a missing table."""
    found = {}
    for table in tables:
        for extension in ("parquet", "csv"):
            path = raw_dir / f"{table}.{extension}"
            if path.is_file():
                found[table] = path
                break
        else:
            raise RawInputError(f"raw table '{table}': neither {table}.parquet nor {table}.csv found in {raw_dir}")
    return found


def check_columns(table: str, present: list[str], wanted: list[str]) -> None:
    """Every column the source declares must be in the file (case-insensitive)."""
    lower = {name.lower() for name in present}
    missing = [column for column in wanted if column.lower() not in lower]
    if missing:
        raise RawInputError(
            f"raw table '{table}' lacks column(s) {', '.join(missing)} (found: {', '.join(present)})"
        )


def read_batches(path: Path) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The file's schema and its rows in batches; CSV columns all as text."""
    if path.suffix == ".parquet":
        parquet = pq.ParquetFile(path)
        return parquet.schema_arrow, parquet.iter_batches(batch_size=_BATCH_ROWS)
    reader = pacsv.open_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in _csv_columns(path)},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return reader.schema, iter(reader)


def _csv_columns(path: Path) -> list[str]:
    """The column names of a CSV file's header row."""
    with path.open(encoding="utf-8") as handle:
        return pacsv.read_csv(io.BytesIO(handle.readline().encode())).schema.names


def postgres_type(arrow_type: pa.DataType) -> str:
    """The PostgreSQL column type that holds an Arrow column without loss."""
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision}, {arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp" if arrow_type.tz is None else "timestamptz"
    checks = (
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_integer, "bigint"),
        (pa.types.is_floating, "double precision"),
        (pa.types.is_date, "date"),
    )
    for check, name in checks:
        if check(arrow_type):
            return name
    return "text"


def load_raw(target: str, raw_dir: Path, postgres: PostgresSettings | None = None) -> dict[str, int]:
    """Loads every raw table of the contract from ``raw_dir`` into schema ``raw`` of
    ``target`` (a target of profiles/profiles.yml); returns {table: rows loaded}.
    PostgreSQL settings default to the env vars the dbt profile reads."""
    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir():
        raise RawInputError(f"raw dir {raw_dir} does not exist")
    tables = raw_tables()
    if target == "duckdb":
        raise RawInputError("the duckdb target reads the raw files in place (STRATIFY_RAW_DIR): nothing to load")
    if target not in LOADERS:
        raise RawInputError(f"no raw loader for target {target!r} (loaders: {', '.join(LOADERS)})")
    files = raw_files(raw_dir, tables)
    if target == "postgres":
        return _load_postgres(files, tables, postgres or PostgresSettings.from_env())
    return _load_spark(files, tables, target)


def _load_postgres(files: dict[str, Path], tables: dict[str, list[str]], settings: PostgresSettings) -> dict[str, int]:
    """Recreates ``raw.<table>`` and bulk-loads it with COPY, in one transaction."""
    import psycopg2
    from psycopg2 import sql

    counts: dict[str, int] = {}
    connection = psycopg2.connect(
        host=settings.host, port=settings.port, user=settings.user,
        password=settings.password, dbname=settings.dbname,
    )
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
            for table, path in files.items():
                schema, batches = read_batches(path)
                check_columns(table, schema.names, tables[table])
                target = sql.Identifier(RAW_SCHEMA, table)
                columns = sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(field.name), sql.SQL(postgres_type(field.type)))
                    for field in schema
                )
                cursor.execute(sql.SQL("drop table if exists {} cascade").format(target))
                cursor.execute(sql.SQL("create table {} ({})").format(target, columns))
                copy = sql.SQL("copy {} from stdin with (format csv, header true)").format(target).as_string(cursor)
                counts[table] = 0
                for batch in batches:
                    buffer = io.BytesIO()
                    pacsv.write_csv(pa.Table.from_batches([batch], schema=schema), buffer)
                    buffer.seek(0)
                    cursor.copy_expert(copy, buffer)
                    counts[table] += batch.num_rows
    finally:
        connection.close()
    return counts


def _load_spark(files: dict[str, Path], tables: dict[str, list[str]], target: str) -> dict[str, int]:
    """Spark: each file read by Spark's own reader (Parquet typed, CSV all text) and saved
    as a Parquet table ``raw.<table>`` in the warehouse and metastore of the dbt target."""
    from stratify.engines.spark import spark_session

    spark = spark_session(target)
    spark.sql(f"create database if not exists {RAW_SCHEMA}")
    counts = {}
    for table, path in files.items():
        if path.suffix == ".parquet":
            frame = spark.read.parquet(str(path))
        else:
            # Every column as text (no inferSchema), like DuckDB's all_varchar: staging parses.
            frame = (
                spark.read.option("header", True).option("inferSchema", False)
                .option("escape", '"').option("multiLine", True).option("encoding", "UTF-8")
                .csv(str(path))
            )
        check_columns(table, frame.columns, tables[table])
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"{RAW_SCHEMA}.{table}")
        counts[table] = spark.table(f"{RAW_SCHEMA}.{table}").count()
    return counts
