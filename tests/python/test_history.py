"""The history layer (issue 5): builds that are repeatable, incremental runs that equal a
full rebuild, a reconstructed history that equals today's state recomputed for a past
date, and observed history (snapshot and state log) that survives --full-refresh and
records deletions. DuckDB; the other engines are compared in test_engines_agree."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import Build, read_table, run_dbt_build

# Compared between an incremental and a full build; the observed history (log, snapshot,
# observed tier changes) records builds, so it differs by design.
OBSERVED = {"customer_state_log", "customer_state_snapshot"}


def all_tables(duckdb_path: Path) -> dict[str, Counter]:
    """Every table the build derives from its inputs (all schemas), as a multiset of rows;
    not quality.quality_test_results, the log of the runs themselves, which grows by design."""
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        names = connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        return {
            f"{schema}.{table}": Counter(connection.execute(f'select * from "{schema}"."{table}"').fetchall())
            for schema, table in names
            if (schema, table) != ("quality", "quality_test_results")
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def raw(generate_raw, tmp_path_factory) -> Path:
    return generate_raw(tmp_path_factory.mktemp("history") / "raw", customers=400, orders=4000, seed=5,
                        start="2024-01-01", end="2025-07-20")


# Month ends at which the project is built again, to compare its state with the history's
# row for that date: the fifth month of the history, and the last before the data ends.
PAST_PERIOD_ENDS = (dt.date(2024, 5, 31), dt.date(2025, 6, 30))


@pytest.fixture(scope="module")
def builds(raw, dbt_builder, tmp_path_factory) -> dict[str, Any]:
    """The module's builds that need nothing but raw data, queued at once so that they run
    side by side (tests that build again into one work on a copy): the plain build, the
    builds at past period ends, the data a day later (a full build), and the first build of
    the snapshot test."""
    from stratify.devdata.append import append_day

    appended = tmp_path_factory.mktemp("appended") / "raw"
    shutil.copytree(raw, appended)
    append_day(appended, seed=11, returns=5)
    return {
        "plain": dbt_builder.submit(raw),
        "appended": dbt_builder.submit(appended),
        "appended_raw": appended,
        "march": dbt_builder.submit(raw, {"as_of_date": "2025-03-31"}),
        # Only their customer_state is read: the plain build runs the data tests.
        **{end: dbt_builder.submit(raw, {"as_of_date": str(end)}, data_tests=False) for end in PAST_PERIOD_ENDS},
    }


def copy_database(build: Build, folder: Path) -> Path:
    """A build's database copied to ``folder``, under its own name: a DuckDB view names the
    catalog (the file's stem) it was built in."""
    folder.mkdir(parents=True)
    return Path(shutil.copy(build.duckdb_path, folder / build.duckdb_path.name))


@pytest.fixture(scope="module")
def twice_built(raw, builds, tmp_path_factory) -> tuple[dict[str, Counter], dict[str, Counter], Path]:
    database = copy_database(builds["plain"].result(), tmp_path_factory.mktemp("twice") / "db")
    first = all_tables(database)
    run_dbt_build(database.parent.parent / "second", database, raw)
    return first, all_tables(database), database


def test_a_second_build_on_the_same_data_changes_no_table(twice_built):
    first, second, _ = twice_built
    assert set(first) == set(second)
    assert "marts.customer_state_history" in first and "history.customer_state_snapshot" in first
    changed = sorted(name for name in first if first[name] != second[name])
    assert changed == []


def test_history_equals_the_state_recomputed_for_a_past_period_end(twice_built, builds):
    _, _, database = twice_built
    history = read_table(database, "customer_state_history")
    period_ends = sorted({row["as_of_date"] for row in history})
    as_of = read_table(database, "customer_state")[0]["as_of_date"]
    # Every month end from the first order's month (2024-01) to the last one on or before
    # as_of, then as_of itself for the month still open.
    month_ends = _month_ends(dt.date(2024, 1, 1), as_of)
    assert as_of not in month_ends and period_ends == [*month_ends, as_of]
    assert month_ends[4] == PAST_PERIOD_ENDS[0] and month_ends[-1] == PAST_PERIOD_ENDS[1]
    for period_end in PAST_PERIOD_ENDS:
        state = builds[period_end].result().rows("customer_state")
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


def test_an_incremental_build_after_an_appended_day_equals_a_full_rebuild(builds, tmp_path):
    data = builds["appended_raw"]
    incremental = copy_database(builds["plain"].result(), tmp_path / "incremental")
    before = all_tables(incremental)
    old_history = read_table(incremental, "customer_state_history")

    run_dbt_build(tmp_path / "after", incremental, data)
    full = builds["appended"].result().duckdb_path

    after, rebuilt = all_tables(incremental), all_tables(full)
    differing = sorted(name for name, rows in _without_observed(rebuilt).items() if after[name] != rows)
    assert differing == []
    assert _reconstructed_tier_changes(incremental) == _reconstructed_tier_changes(full)

    # What should change did: fct_orders grew, and each late return (an order 7-42 days old)
    # moved its person's state at every earlier-built period end after the order; nothing
    # moved before the earliest returned order. The open month's row moved on to the new
    # as_of_date.
    assert sum(after["marts.fct_orders"].values()) > sum(before["marts.fct_orders"].values())
    orders = {row["order_id"]: row for row in read_table(incremental, "fct_orders")}
    returned = [orders[order_id] for order_id in _appended_returns(data)]
    assert returned and all(row["status"] == "returned" and not row["is_qualifying"] for row in returned)
    key = lambda row: (row["person_key"], row["as_of_date"])  # noqa: E731
    old_by_key = {key(row): row for row in old_history}
    new_history = read_table(incremental, "customer_state_history")
    old_open, new_open = max(k[1] for k in old_by_key), max(row["as_of_date"] for row in new_history)
    assert new_open > old_open and old_open not in {row["as_of_date"] for row in new_history}
    moved = {key(row) for row in new_history if key(row) in old_by_key and old_by_key[key(row)] != row}
    expected = {(row["person_key"], period_end) for row in returned
                for period_end in {k[1] for k in old_by_key} - {old_open} if period_end >= row["order_date"]}
    assert expected, "no returned order is older than the last period built before: nothing to check"
    assert expected <= moved
    assert min(as_of for _, as_of in moved) >= min(row["order_date"] for row in returned)


def _appended_returns(raw_dir: Path) -> list[str]:
    manifest = json.loads((raw_dir / "manifest.json").read_text())
    return [order_id for day in manifest["appended_days"] for order_id in day["returned_order_ids"]]


def _cancel_orders_of_one_person(raw_dir: Path, database: Path) -> str:
    """Re-delivers every order of one scored person, whose orders all carry one member id
    and are from 2024, as cancelled a day later than the latest version: the person is no
    longer scored. Returns the person's key."""
    by_person: dict[str, set] = {}
    latest: dict[str, dt.date] = {}
    for row in read_table(database, "fct_orders"):
        by_person.setdefault(row["person_key"], set()).add(row["customer_id"])
        latest[row["person_key"]] = max(latest.get(row["person_key"], row["order_date"]), row["order_date"])
    scored = sorted(row["person_key"] for row in read_table(database, "customer_state"))
    person = next(p for p in scored if len(by_person.get(p, ())) == 1 and None not in by_person[p]
                  and latest[p] < dt.date(2025, 1, 1))
    member = next(iter(by_person[person]))
    orders = pq.read_table(raw_dir / "orders.parquet")
    frame = orders.to_pylist()
    later = max(row["updated_at"] for row in frame) + dt.timedelta(days=1)
    redelivered = [{**row, "status": "cancelled", "updated_at": later} for row in frame if row["customer_id"] == member]
    table = pa.concat_tables([orders, pa.Table.from_pylist(redelivered, schema=orders.schema)])
    pq.write_table(table, raw_dir / "orders.parquet")
    return person


def test_snapshot_and_state_log_record_a_deletion_and_survive_a_full_refresh(raw, builds, dbt_builder, tmp_path):
    data = tmp_path / "raw"
    shutil.copytree(raw, data)
    database = copy_database(builds["march"].result(), tmp_path / "incremental")
    person = _cancel_orders_of_one_person(data, database)
    full_build = dbt_builder.submit(data, {"as_of_date": "2025-06-30"})
    run_dbt_build(tmp_path / "second", database, data, {"as_of_date": "2025-06-30"})

    log = read_table(database, "customer_state_log")
    snapshot = read_table(database, "customer_state_snapshot", schema="history")
    assert {row["snapshot_date"].isoformat() for row in log} == {"2025-03-31", "2025-06-30"}
    deleted = [row for row in log if row["change_type"] == "deleted"]
    assert [(row["person_key"], row["snapshot_date"].isoformat()) for row in deleted] == [(person, "2025-06-30")]
    deleted_versions = [row for row in snapshot if str(row["dbt_is_deleted"]).lower() == "true"]
    assert [row["person_key"] for row in deleted_versions] == [person]
    assert any(row["change_type"] == "changed" for row in log)
    current = [row for row in snapshot if row["dbt_valid_to"].year == 9999]
    assert len(current) == len({row["person_key"] for row in current})
    # The cancelled orders are from 2024, far beyond late_arriving_days: the incremental
    # run still equals a full build, as it follows the orders delivered again (updated_at).
    full = full_build.result().duckdb_path
    for table in ("customer_state_history", "fct_orders", "customer_state"):
        assert Counter(map(_frozen, read_table(database, table))) == Counter(map(_frozen, read_table(full, table))), table

    run_dbt_build(tmp_path / "refresh", database, data, {"as_of_date": "2025-06-30"}, extra_args=("--full-refresh",))
    assert Counter(map(_frozen, read_table(database, "customer_state_log"))) == Counter(map(_frozen, log))
    assert Counter(map(_frozen, read_table(database, "customer_state_snapshot", schema="history"))) == Counter(
        map(_frozen, snapshot))


def _frozen(row: dict[str, Any]) -> tuple:
    return tuple(sorted(row.items()))
