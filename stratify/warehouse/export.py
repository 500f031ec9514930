"""`stratify export`: the marts BI reads (schema marts of the DuckDB file `dbt build`
wrote) as Parquet or CSV files, for tools that cannot read DuckDB.

One file per mart, ``<out>/<mart>.parquet`` (or ``.csv`` with a header), rows sorted by
every column so that the same build gives the same bytes, and ``<out>/export.json``
listing each file with its rows and column types. Each file is written aside and renamed
over the old one, so a reader never sees half a file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from stratify.warehouse.database import open_read_only

SCHEMA = "marts"
FORMATS = ("parquet", "csv")
MANIFEST = "export.json"


class ExportInputError(ValueError):
    """A missing or unreadable database, or a mart it does not hold: a usage error."""


@dataclass(frozen=True)
class ExportedMart:
    mart: str
    file: str
    rows: int
    columns: dict[str, str]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def available_marts(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in connection.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        [SCHEMA]).fetchall()]


def export_marts(database: Path, out_dir: Path, fmt: str = "parquet",
                 marts: tuple[str, ...] = ()) -> list[ExportedMart]:
    """Writes ``marts`` (default: every table of schema marts) of ``database`` to ``out_dir``."""
    if fmt not in FORMATS:
        raise ExportInputError(f"format {fmt!r}: must be one of {', '.join(FORMATS)}")
    connection = open_read_only(database, ExportInputError)
    try:
        present = available_marts(connection)
        if not present:
            raise ExportInputError(f"database {database} has no table in schema {SCHEMA}: was `dbt build` run into it?")
        unknown = [mart for mart in marts if mart not in present]
        if unknown:
            raise ExportInputError(f"database {database} has no mart {', '.join(unknown)}; "
                                   f"its marts: {', '.join(present)}")
        out_dir.mkdir(parents=True, exist_ok=True)
        exported = [_export(connection, mart, out_dir, fmt) for mart in (marts or present)]
    finally:
        connection.close()
    manifest = {"database": str(database), "format": fmt, "marts": [asdict(mart) for mart in exported]}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return exported


def _export(connection: duckdb.DuckDBPyConnection, mart: str, out_dir: Path, fmt: str) -> ExportedMart:
    relation = f"{SCHEMA}.{_quoted(mart)}"
    columns = dict(connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position", [SCHEMA, mart]).fetchall())
    target = out_dir / f"{mart}.{fmt}"
    partial = target.with_name(target.name + ".partial")
    options = "format parquet, compression zstd" if fmt == "parquet" else "format csv, header true"
    path_literal = "'" + str(partial).replace("'", "''") + "'"
    # Sorted by every column: the same mart gives the same file (DuckDB scans in parallel).
    connection.execute(f"copy (select * from {relation} order by all) to {path_literal} ({options})")
    partial.replace(target)
    rows = connection.execute(f"select count(*) from {relation}").fetchone()[0]
    return ExportedMart(mart, target.name, int(rows), columns)


def format_summary(exported: list[ExportedMart], out_dir: Path) -> str:
    width = max((len(mart.mart) for mart in exported), default=0)
    lines = [f"  {mart.mart:<{width}}  {mart.rows:>11,} rows  {mart.file}" for mart in exported]
    lines.append(f"{len(exported)} marts written to {out_dir} (list: {out_dir / MANIFEST})")
    return "\n".join(lines)
