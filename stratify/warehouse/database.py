"""The DuckDB file `dbt build` wrote, opened read-only by the tools that read its marts."""

from __future__ import annotations

from pathlib import Path

import duckdb


def open_read_only(database: Path, error: type[ValueError]) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``database``; a missing or unreadable file raises ``error``
    (the caller's usage error) naming it."""
    if not database.is_file():
        raise error(f"database {database} not found: run `dbt build` first, or pass --database")
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.Error as failure:
        raise error(f"database {database} cannot be opened read-only: {failure}") from failure


def relations(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """Every table and view as ``schema.name``."""
    return {f"{schema}.{name}" for schema, name in connection.execute(
        "select table_schema, table_name from information_schema.tables").fetchall()}
