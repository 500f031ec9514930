"""The history layer (issue 5): builds that are repeatable, incremental runs that equal a
full rebuild, a reconstructed history that equals today's state recomputed for a past
date, and observed history (snapshot and state log) that survives --full-refresh and
records deletions. DuckDB; the other engines are compared in test_engines_agree."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import read_table, run_dbt_build

# Compared between an incremental and a full build; the observed history (log, snapshot,
# observed tier changes) records builds, so it differs by design.
OBSERVED = {"customer_state_log", "customer_state_snapshot"}


def all_tables(duckdb_path: Path) -> dict[str, Counter]:
    """Every table of the build (all schemas), as a multiset of rows."""
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        names = connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        return {
            f"{schema}.{table}": Counter(connection.execute(f'select * from "{schema}"."{table}"').fetchall())
            for schema, table in names
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def raw(generate_raw, tmp_path_factory) -> Path:
    return generate_raw(tmp_path_factory.mktemp("history") / "raw", customers=400, orders=4000, seed=5,
                        start="2024-01-01", end="2025-06-30")


@pytest.fixture(scope="module")
def twice_built(raw, tmp_path_factory) -> tuple[dict[str, Counter], dict[str, Counter], Path]:
    work = tmp_path_factory.mktemp("twice")
    database = work / "stratify.duckdb"
    run_dbt_build(work / "first", database, raw)
    first = all_tables(database)
    run_dbt_build(work / "second", database, raw)
    return first, all_tables(database), database


def test_a_second_build_on_the_same_data_changes_no_table(twice_built):
    first, second, _ = twice_built
    assert set(first) == set(second)
    assert "marts.customer_state_history" in first and "history.customer_state_snapshot" in first
    changed = sorted(name for name in first if first[name] != second[name])
    assert changed == []


def test_history_equals_the_state_recomputed_for_a_past_period_end(twice_built, raw, tmp_path):
    _, _, database = twice_built
    history = read_table(database, "customer_state_history")
    period_ends = sorted({row["as_of_date"] for row in history})
    as_of = read_table(database, "customer_state")[0]["as_of_date"]
    # Every month end from the first order's month (2024-01) to the last one on or before as_of.
    assert period_ends == _month_ends(dt.date(2024, 1, 1), as_of)
    for period_end in (period_ends[4], period_ends[-1]):
        past = tmp_path / str(period_end)
        run_dbt_build(past, past / "stratify.duckdb", raw, {"as_of_date": str(period_end)})
        state = read_table(past / "stratify.duckdb", "customer_state")
        expected = Counter(tuple(sorted(row.items())) for row in state)
        actual = Counter(tuple(sorted(row.items())) for row in history if row["as_of_date"] == period_end)
        assert actual == expected, period_end
        assert len(state) > 20


def _month_ends(start: dt.date, until: dt.date) -> list[dt.date]:
    ends, month = [], start.replace(day=1)
    while True:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        if following - dt.timedelta(days=1) > until:
            return ends
        ends.append(following - dt.timedelta(days=1))
        month = following


def _without_observed(tables: dict[str, Counter]) -> dict[str, Counter]:
    kept = {name: rows for name, rows in tables.items() if name.split(".")[1] not in OBSERVED}
    kept.pop("marts.customer_tier_changes")
    return kept


def _reconstructed_tier_changes(database: Path) -> Counter:
    return Counter(tuple(sorted(row.items())) for row in read_table(database, "customer_tier_changes")
                   if row["source"] == "reconstructed")


def test_an_incremental_build_after_an_appended_day_equals_a_full_rebuild(raw, tmp_path):
    from stratify.append import append_day

    data = tmp_path / "raw"
    shutil.copytree(raw, data)
    incremental = tmp_path / "incremental.duckdb"
    run_dbt_build(tmp_path / "before", incremental, data)
    before = all_tables(incremental)
    old_history = read_table(incremental, "customer_state_history")

    append_day(data, seed=11, returns=5)
    run_dbt_build(tmp_path / "after", incremental, data)
    full = tmp_path / "full.duckdb"
    run_dbt_build(tmp_path / "full", full, data)

    after, rebuilt = all_tables(incremental), all_tables(full)
    differing = sorted(name for name, rows in _without_observed(rebuilt).items() if after[name] != rows)
    assert differing == []
    assert _reconstructed_tier_changes(incremental) == _reconstructed_tier_changes(full)

    # What should change did: fct_orders grew, and the returns (orders 7-42 days old) moved
    # the history of the last periods; periods ending before the returned orders did not.
    assert sum(after["marts.fct_orders"].values()) > sum(before["marts.fct_orders"].values())
    returned = {row["order_id"]: row for row in read_table(incremental, "fct_orders") if row["status"] == "returned"}
    new_history = read_table(incremental, "customer_state_history")
    earliest_return = min(row["order_date"] for row in returned.values())
    key = lambda row: (row["person_key"], row["as_of_date"])  # noqa: E731
    old_by_key = {key(row): row for row in old_history}
    moved = [row for row in new_history if key(row) in old_by_key and old_by_key[key(row)] != row]
    assert moved, "the late returns changed no state of the history"
    assert all(row["as_of_date"] >= earliest_return for row in moved)


def _cancel_orders_of_one_member(raw_dir: Path, day: str) -> str:
    """Re-delivers every order of one member (who ordered before ``day``) as cancelled, a
    day later than its last version: the member is no longer scored."""
    orders = pq.read_table(raw_dir / "orders.parquet")
    frame = orders.to_pylist()
    member = next(row["customer_id"] for row in frame
                  if row["customer_id"] and row["status"] == "completed" and str(row["ordered_at"]) < day
                  and not row["contact_email"] and not row["contact_phone"])
    later = max(row["updated_at"] for row in frame) + dt.timedelta(days=1)
    redelivered = [{**row, "status": "cancelled", "updated_at": later} for row in frame if row["customer_id"] == member]
    table = pa.concat_tables([orders, pa.Table.from_pylist(redelivered, schema=orders.schema)])
    pq.write_table(table, raw_dir / "orders.parquet")
    return member


def test_snapshot_and_state_log_record_a_deletion_and_survive_a_full_refresh(raw, tmp_path):
    data = tmp_path / "raw"
    shutil.copytree(raw, data)
    database = tmp_path / "stratify.duckdb"
    run_dbt_build(tmp_path / "first", database, data, {"as_of_date": "2025-03-31"})
    _cancel_orders_of_one_member(data, "2025-03-01")
    run_dbt_build(tmp_path / "second", database, data, {"as_of_date": "2025-06-30"})

    log = read_table(database, "customer_state_log")
    snapshot = read_table(database, "customer_state_snapshot", schema="history")
    assert {row["snapshot_date"].isoformat() for row in log} == {"2025-03-31", "2025-06-30"}
    deleted = [row for row in log if row["change_type"] == "deleted"]
    assert len(deleted) == 1 and deleted[0]["snapshot_date"].isoformat() == "2025-06-30"
    deleted_versions = [row for row in snapshot if str(row["dbt_is_deleted"]).lower() == "true"]
    assert [row["person_key"] for row in deleted_versions] == [deleted[0]["person_key"]]
    assert any(row["change_type"] == "changed" for row in log)
    current = [row for row in snapshot if row["dbt_valid_to"].year == 9999]
    assert len(current) == len({row["person_key"] for row in current})

    run_dbt_build(tmp_path / "refresh", database, data, {"as_of_date": "2025-06-30"}, extra_args=("--full-refresh",))
    assert Counter(map(_frozen, read_table(database, "customer_state_log"))) == Counter(map(_frozen, log))
    assert Counter(map(_frozen, read_table(database, "customer_state_snapshot", schema="history"))) == Counter(
        map(_frozen, snapshot))


def _frozen(row: dict[str, Any]) -> tuple:
    return tuple(sorted(row.items()))
