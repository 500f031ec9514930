"""One project, several engines: the same raw data built on DuckDB and on a server engine
gives the same marts, row by row, exactly; and BI's role on PostgreSQL reads the marts
and nothing else."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import PostgresServer, read_table
from stratify.load import PostgresSettings, load_raw

pytestmark = pytest.mark.slow

PUBLIC_MARTS = [
    ("marts", "customer_rfm"),
    ("marts", "dim_customers"),
    ("marts", "customer_identity_map"),
    ("marts", "fct_orders"),
    ("marts", "fct_order_items"),
    ("quality", "raw_row_reconciliation"),
    ("quality", "rejected_orders"),
    ("quality", "rejected_order_items"),
    ("quality", "rejected_customers"),
]
DATASETS = {"clean": 0.0, "dirty": 0.002}


def normalised(value: Any) -> Any:
    """Engines return the same number with different scales or as float: compare values."""
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return round(value, 9)
    return value


def sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, repr(normalised(value))) for value in row)


def as_sorted_rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    columns = sorted(rows[0]) if rows else []
    return sorted((tuple(normalised(row[c]) for c in columns) for row in rows), key=sort_key)


@pytest.fixture(scope="module")
def raw_dirs(tmp_path_factory, generate_raw) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("engines")
    return {
        name: generate_raw(root / name, customers=1200, orders=10000, seed=11, dirty=dirty,
                           start="2023-01-01", end="2024-12-31")
        for name, dirty in DATASETS.items()
    }


@pytest.fixture(scope="module")
def postgres_builds(raw_dirs, postgres_server: PostgresServer, dbt_builder) -> dict[str, str]:
    """Loads each dataset into its own database and builds it there; returns the names."""
    databases = {}
    futures = []
    for name, raw_dir in raw_dirs.items():
        database = f"stratify_{name}"
        env = postgres_server.database(database)
        load_raw("postgres", raw_dir, PostgresSettings(port=postgres_server.port, dbname=database))
        futures.append(dbt_builder.submit(raw_dir, target="postgres", env=env))
        databases[name] = database
    for future in futures:
        future.result()
    return databases


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_postgres_marts_equal_duckdb(dataset, raw_dirs, postgres_builds, postgres_server, dbt_builder) -> None:
    duckdb_build = dbt_builder.build(raw_dirs[dataset])
    for schema, table in PUBLIC_MARTS:
        expected = as_sorted_rows(read_table(duckdb_build.duckdb_path, table, schema))
        actual = as_sorted_rows(postgres_server.rows(postgres_builds[dataset], table, schema))
        assert len(actual) == len(expected), f"{schema}.{table}: {len(actual)} rows on postgres, {len(expected)} on duckdb"
        differing = [(a, e) for a, e in zip(actual, expected) if a != e]
        assert not differing, f"{schema}.{table}: {len(differing)} rows differ, first: {differing[:2]}"
        assert expected or table.startswith("rejected_"), f"{schema}.{table} is empty: nothing compared"


def test_bi_reader_reads_marts_only(postgres_builds, postgres_server: PostgresServer) -> None:
    """A login of the bi_reader group reads every mart, and is refused raw, staging and
    intermediate; no column it can see is PII."""
    database = postgres_builds["clean"]
    admin = postgres_server.connect(database)
    with admin.cursor() as cursor:
        cursor.execute("drop role if exists bi_user")
        cursor.execute("create role bi_user login in role bi_reader")
    admin.close()

    reader = postgres_server.connect(database, user="bi_user")
    import psycopg2

    with reader.cursor() as cursor:
        for table in ("customer_rfm", "dim_customers", "customer_identity_map", "fct_orders"):
            cursor.execute(f"select count(*) from marts.{table}")
            assert cursor.fetchone()[0] > 0
        for forbidden in ("raw.customers", "staging.stg_raw__customers", "intermediate.int_persons_rfm_metrics",
                          "staging.base_raw__customers"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute(f"select * from {forbidden} limit 1")
        # information_schema shows a user only the columns it has some privilege on.
        cursor.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('pg_catalog', 'information_schema')"
        )
        visible = cursor.fetchall()
    reader.close()
    assert {schema for schema, _, _ in visible} == {"marts"}, visible
    pii = {"email", "phone", "full_name", "birth_date", "contact_email", "contact_phone"}
    assert not [column for _, _, column in visible if column in pii]
