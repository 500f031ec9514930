#!/usr/bin/env python3
"""Compare two DuckDB builds of the project table by table: what users read (schemas marts,
quality, history, reference) must not change when the models are reshaped, unless the change
is a bug fixed on purpose.

    scripts/compare_builds.py BEFORE.duckdb AFTER.duckdb [--schemas marts quality ...]

Each table is compared as a multiset of rows over the columns both builds have (columns
added or dropped are listed); columns that record when a build ran (the snapshot's dbt_*
times, the state log's build date) and the log of test runs are left out, since two builds
never share them. Exit code 1 when a table differs or exists in one build only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS = ("marts", "quality", "history", "reference")
# The log of the runs themselves: it grows with every run and names tests, not data.
SKIPPED_TABLES = {("quality", "quality_test_results")}
# Columns whose values are the time a build ran, not something derived from the data.
BUILD_TIME_COLUMNS = {"dbt_valid_from", "dbt_valid_to", "dbt_updated_at", "dbt_scd_id"}


def tables(connection: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    rows = connection.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_catalog = ? and table_schema in (select unnest(?)) order by ordinal_position",
        [catalog, list(schemas)],
    ).fetchall()
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        found.setdefault((schema, table), []).append(column)
    return found


def compare(before: Path, after: Path, schemas: tuple[str, ...]) -> list[str]:
    """Lines describing every difference; empty when the builds agree."""
    connection = duckdb.connect()
    connection.execute(f"attach '{before}' as before_build (read_only)")
    connection.execute(f"attach '{after}' as after_build (read_only)")
    old, new = tables(connection, "before_build", schemas), tables(connection, "after_build", schemas)
    differences: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        name = ".".join(key)
        if key in SKIPPED_TABLES:
            continue
        if key not in new:
            differences.append(f"{name}: only in {before}")
            continue
        if key not in old:
            differences.append(f"{name}: only in {after}")
            continue
        dropped = [c for c in old[key] if c not in new[key]]
        added = [c for c in new[key] if c not in old[key]]
        if dropped or added:
            differences.append(f"{name}: columns dropped {dropped}, added {added}")
        columns = ", ".join(f'"{c}"' for c in old[key] if c in new[key] and c not in BUILD_TIME_COLUMNS)
        schema, table = key
        counts = []
        for first, second in (("before_build", "after_build"), ("after_build", "before_build")):
            counts.append(connection.execute(
                f'select count(*) from (select {columns} from {first}."{schema}"."{table}"'
                f' except all select {columns} from {second}."{schema}"."{table}")'
            ).fetchone()[0])
        if any(counts):
            total = [connection.execute(f'select count(*) from {catalog}."{schema}"."{table}"').fetchone()[0]
                     for catalog in ("before_build", "after_build")]
            differences.append(f"{name}: {counts[0]} of {total[0]} rows only before, {counts[1]} of {total[1]} only after")
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schemas", nargs="+", default=list(DEFAULT_SCHEMAS))
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not path.is_file():
            parser.error(f"no DuckDB file at {path}")
    differences = compare(args.before, args.after, tuple(args.schemas))
    for line in differences:
        print(line)
    print(f"{len(differences)} difference(s) in schemas {', '.join(args.schemas)}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
