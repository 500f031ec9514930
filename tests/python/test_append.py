"""Tests of `stratify append-day` (stratify/devdata/append.py): one more day of raw data,
appended in place, with a manifest that still says exactly what becomes of every raw row.

Data is generated once per module and copied per test, as the command changes it in
place. The period ends in mid-2025, so the appended days lie before the build date and
no new order counts as `ordered_at_in_future`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stratify.devdata.append import append_day
from stratify.cli import main
from stratify.devdata.generate import TABLES, generate, schema

# the generator tests' reading of the files: the same classification checks the manifest here
from test_generate import _classify, _connect

CUSTOMERS, ORDERS = 300, 2000
START, END = date(2024, 1, 1), date(2025, 6, 30)
DAY = END + timedelta(days=1)


def _generated(factory: pytest.TempPathFactory, name: str, **options: Any) -> Path:
    out = factory.mktemp(name)
    generate(out=out, customers=CUSTOMERS, orders=ORDERS, start=START, end=END, **options)
    return out


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory, "clean", seed=5)


@pytest.fixture(scope="module", params=["parquet", "csv"])
def dirty_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory, f"dirty_{request.param}", seed=8, dirty=0.01, fmt=request.param)


def _copy(folder: Path, tmp_path: Path, name: str = "raw") -> Path:
    return Path(shutil.copytree(folder, tmp_path / name))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text())  # type: ignore[no-any-return]


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.sql(f"select count(*) from raw_{t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


@pytest.fixture(scope="module")
def appended(clean_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    """The clean data before, and a copy after one appended day with every kind of buyer."""
    after = _copy(clean_dir, tmp_path_factory.mktemp("appended"))
    return clean_dir, after, append_day(after, seed=1, orders=300, returns=6)


def test_rows_grow_by_the_new_orders_and_returns(appended: tuple[Path, Path, Any]) -> None:
    before, after, day = appended
    old, new = _connect(before, "parquet"), _connect(after, "parquet")
    grown = {t: n - _counts(old)[t] for t, n in _counts(new).items()}
    assert grown == {"customers": 0, "orders": 300 + 6, "order_items": day.order_items, "products": 0,
                     "fx_rates": 5, "events": 0, "support_tickets": 0}
    latest = old.sql("select max(ordered_at::timestamp::date) from raw_orders").fetchone()
    assert latest is not None and day.date == DAY == latest[0] + timedelta(days=1)
    assert (day.orders, day.returns, day.fx_rates) == (300, 6, 5)
    assert day.member_orders + day.guest_orders_of_members + day.new_guest_orders == 300
    assert day.guest_orders_of_members > 0 and day.new_guest_orders > 0
    # the rows before are untouched: the files start with them, in order
    for t in ("orders", "order_items", "fx_rates"):
        kept = pq.read_table(after / f"{t}.parquet").slice(0, _counts(old)[t])
        assert kept.equals(pq.read_table(before / f"{t}.parquet")), t
        assert pq.read_schema(after / f"{t}.parquet").remove_metadata() == schema(t)
    for t in ("customers", "products", "events", "support_tickets"):
        assert (after / f"{t}.parquet").read_bytes() == (before / f"{t}.parquet").read_bytes()


def test_new_orders_are_unique_dated_on_the_day_and_have_their_items(appended: tuple[Path, Path, Any]) -> None:
    before, after, day = appended
    con = _connect(after, "parquet")
    con.sql(f"create table old_ids as select distinct order_id from read_parquet('{before / 'orders.parquet'}')")
    con.sql("create table new as select * from raw_orders where order_id not in (select order_id from old_ids)")
    assert con.sql("select count(*), count(distinct order_id), min(order_id), max(order_id) from new").fetchone() \
        == (300, 300, day.first_order_id, day.last_order_id)
    last_old = con.sql("select max(order_id) from old_ids").fetchone()[0]  # type: ignore[index]
    assert day.first_order_id == f"O{int(last_old[1:]) + 1:010d}"
    assert day.last_order_id == f"O{int(last_old[1:]) + 300:010d}"
    # on the day, updated after ordered, ids in time order, mostly completed
    assert con.sql("""select count(*) from new where ordered_at::timestamp::date <> ?::date
                      or updated_at::timestamp::date <> ?::date or updated_at < ordered_at
                      or refunded_amount::decimal(18, 2) <> 0""",
                   params=[DAY, DAY]).fetchone() == (0,)
    assert con.sql("""select count(*) from (select ordered_at, lag(ordered_at) over (order by order_id) as before
                      from new) where ordered_at < before""").fetchone() == (0,)
    statuses = dict(con.sql("select status, count(*) from new group by 1").fetchall())
    assert set(statuses) <= {"completed", "pending", "cancelled"} and statuses["completed"] > 240
    # every new order has items numbered 1..n, of existing products, adding up to its gross
    assert con.sql("""
        select count(*) from new o left join (
            select order_id, count(*) as n, max(line_number::bigint) as last, min(line_number::bigint) as first,
                   sum(quantity::bigint * unit_price::decimal(18, 2)) as total,
                   count(*) filter (where product_id not in (select product_id from raw_products)) as unknown
            from raw_order_items group by order_id) i using (order_id)
        where i.n is null or i.first <> 1 or i.last <> i.n or i.unknown > 0
           or i.total <> o.gross_amount::decimal(18, 2)""").fetchone() == (0,)
    assert con.sql("select count(*) from raw_order_items where order_id in (select order_id from new)") \
        .fetchone() == (day.order_items,)
    # buyers: existing members; guests of members with a member's contact; brand-new guests
    members = con.sql("""select count(*) from new where customer_id is not null
                         and customer_id in (select customer_id from raw_customers)""").fetchone()
    assert members == (day.member_orders,)
    matched = con.sql("""select count(*) from new where customer_id is null and (
                             contact_email in (select email from raw_customers)
                             or contact_phone in (select phone from raw_customers))""").fetchone()
    assert matched == (day.guest_orders_of_members,)
    fresh = con.sql("""select count(*), count(distinct contact_email) from new where customer_id is null
                       and contact_email not in (select email from raw_customers where email is not null)
                       and contact_email not in (select contact_email from raw_orders o
                           where o.order_id in (select order_id from old_ids) and contact_email is not null)
                       and contact_phone is null""").fetchone()
    assert fresh == (day.new_guest_orders, day.new_guest_orders)
    assert con.sql("select count(*) from new where customer_id is null and channel = 'app'").fetchone() == (0,)


def test_returns_are_later_redeliveries_of_completed_orders(appended: tuple[Path, Path, Any]) -> None:
    before, after, day = appended
    ids = day.returned_order_ids
    assert len(ids) == len(set(ids)) == 6 and ids == sorted(ids)

    def rows(folder: Path) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for row in pq.read_table(folder / "orders.parquet").to_pylist():
            if row["order_id"] in ids:
                out.setdefault(row["order_id"], []).append(row)
        return out

    old, new = rows(before), rows(after)
    for order_id in ids:
        (was,) = old[order_id]
        assert new[order_id][0] == was  # the old row stays, and one row is added
        (_, now) = new[order_id]
        assert was["status"] == "completed" and 7 <= (DAY - was["ordered_at"].date()).days <= 42
        assert now["status"] == "returned" and now["updated_at"].date() == DAY
        assert now["updated_at"] > was["updated_at"]
        assert now["refunded_amount"] == was["gross_amount"] - was["discount_amount"] >= 0
        changed = {k for k in was if was[k] != now[k]}
        assert changed <= {"status", "refunded_amount", "updated_at"}, changed
    statuses = {r["status"] for r in pq.read_table(after / "orders.parquet").to_pylist()
                if r["updated_at"].date() == DAY and r["ordered_at"].date() < DAY}
    assert statuses == {"returned"}


def test_manifest_stays_exact_and_records_the_day(appended: tuple[Path, Path, Any]) -> None:
    before, after, day = appended
    old, new = _manifest(before), _manifest(after)
    assert new["appended_days"] == [day.to_dict()]
    record = new["appended_days"][0]
    assert record["date"] == DAY.isoformat() and record["returned_order_ids"] == day.returned_order_ids
    for t, (rows, duplicates) in {"orders": (306, 6), "order_items": (day.order_items, 0), "fx_rates": (5, 0)}.items():
        assert new["tables"][t]["rows"] == old["tables"][t]["rows"] + rows
        assert new["tables"][t]["expected"]["duplicates_dropped"] == duplicates
        assert new["tables"][t]["expected"]["used"] == old["tables"][t]["expected"]["used"] + rows - duplicates
    facts, was = new["tables"]["orders"]["facts"], old["tables"]["orders"]["facts"]
    assert facts["guest_orders_of_members"] == was["guest_orders_of_members"] + day.guest_orders_of_members
    assert facts["true_guest_orders"] == was["true_guest_orders"] + day.new_guest_orders
    assert {k: v for k, v in new.items() if k not in ("tables", "appended_days")} == \
        {k: v for k, v in old.items() if k != "tables"}
    found = _classify(after, "parquet")
    for t in TABLES:
        assert found[t] == {"rows": new["tables"][t]["rows"], "rejected": {},
                            "duplicates": new["tables"][t]["expected"]["duplicates_dropped"]}, t


def test_dirty_data_keeps_the_manifest_exact(dirty_dir: Path, tmp_path: Path) -> None:
    """Dirt of every kind (duplicates, rejects, dates years ahead) in parquet and csv: the
    appended rows are used rows, the returns duplicates, and the classification agrees."""
    fmt = _manifest(dirty_dir)["params"]["format"]
    folder = _copy(dirty_dir, tmp_path)
    first = append_day(folder, seed=2, orders=150, returns=4)
    second = append_day(folder, seed=2, orders=150, returns=4)
    assert first.date == DAY and second.date == DAY + timedelta(days=1)
    manifest = _manifest(folder)
    found = _classify(folder, fmt)
    for t in TABLES:
        report = manifest["tables"][t]
        assert found[t]["rows"] == report["rows"], t
        assert found[t]["duplicates"] == report["expected"]["duplicates_dropped"], t
        assert found[t]["rejected"] == {r: n for r, n in report["expected"]["rejected"].items() if n}, t
    assert manifest["tables"]["orders"]["rows"] == _manifest(dirty_dir)["tables"]["orders"]["rows"] + 2 * 154
    if fmt == "csv":  # the header once, the old bytes first, every line quoted as the generator writes
        for t in ("orders", "order_items", "fx_rates"):
            old, new = (dirty_dir / f"{t}.csv").read_bytes(), (folder / f"{t}.csv").read_bytes()
            assert new.startswith(old) and new.count(new.splitlines()[0]) == 1
        last = (folder / "orders.csv").read_text().splitlines()[-1]
        assert last.startswith('"O') and ',"returned",' in last


def test_appending_twice_gives_consecutive_days(clean_dir: Path, tmp_path: Path) -> None:
    folder = _copy(clean_dir, tmp_path)
    first, second = append_day(folder, seed=3), append_day(folder, seed=3)
    assert (first.date, second.date) == (DAY, DAY + timedelta(days=1))
    assert int(second.first_order_id[1:]) == int(first.last_order_id[1:]) + 1
    assert [d["date"] for d in _manifest(folder)["appended_days"]] == [str(DAY), str(DAY + timedelta(days=1))]
    con = _connect(folder, "parquet")
    assert con.sql("select count(distinct rate_date) from raw_fx_rates where rate_date > ?", params=[str(END)]) \
        .fetchone() == (2,)
    # one seed, two days: different draws
    assert first.orders == second.orders and first.returned_order_ids != second.returned_order_ids


def test_defaults_follow_the_data(clean_dir: Path, tmp_path: Path) -> None:
    folder = _copy(clean_dir, tmp_path)
    day = append_day(folder)
    average = round(ORDERS / (DAY - START).days)
    assert day.orders == average and day.returns == max(1, round(0.01 * average))


def test_no_returns_when_asked_for_none(clean_dir: Path, tmp_path: Path) -> None:
    folder = _copy(clean_dir, tmp_path)
    day = append_day(folder, orders=5, returns=0)
    assert (day.orders, day.returns, day.returned_order_ids) == (5, 0, [])
    assert _manifest(folder)["tables"]["orders"]["expected"]["duplicates_dropped"] == 0


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(clean_dir: Path, tmp_path: Path) -> None:
    digests = []
    for name, seed in (("a", 4), ("b", 4), ("c", 5)):
        folder = _copy(clean_dir, tmp_path, name)
        append_day(folder, seed=seed, orders=40, returns=2)
        digests.append(_digest(folder))
    assert digests[0] == digests[1]
    changed = {name for name, digest in digests[2].items() if digests[0][name] != digest}
    assert changed == {"orders.parquet", "order_items.parquet", "manifest.json"}  # the fx rates are carried


def test_csv_output_is_deterministic_through_the_cli(dirty_dir: Path, tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        folder = _copy(dirty_dir, tmp_path, name)
        result = CliRunner().invoke(main, ["append-day", "--raw-dir", str(folder), "--seed", "9", "--orders", "30"])
        assert result.exit_code == 0, result.output
        assert f"appended {DAY}: 30 orders" in result.output
        digests.append(_digest(folder))
    assert digests[0] == digests[1]
    result = CliRunner().invoke(main, ["append-day", "--raw-dir", str(tmp_path / "a"), "--quiet"])
    assert result.exit_code == 0 and result.output == ""


def test_missing_orders_file_is_a_usage_error_naming_it(clean_dir: Path, tmp_path: Path) -> None:
    folder = _copy(clean_dir, tmp_path)
    (folder / "orders.parquet").unlink()
    before = _digest(folder)
    result = CliRunner().invoke(main, ["append-day", "--raw-dir", str(folder)])
    assert result.exit_code == 2
    assert f"raw table 'orders': neither orders.parquet nor orders.csv found in {folder}" in result.output
    assert "Traceback" not in result.output and _digest(folder) == before


def test_too_many_returns_is_a_usage_error(clean_dir: Path, tmp_path: Path) -> None:
    folder = _copy(clean_dir, tmp_path)
    before = _digest(folder)
    result = CliRunner().invoke(main, ["append-day", "--raw-dir", str(folder), "--returns", "100000"])
    assert result.exit_code == 2 and "completed orders dated" in result.output
    assert _digest(folder) == before and not any(p.name.startswith(".") for p in folder.iterdir())


@pytest.mark.slow
def test_dbt_build_over_appended_data_accounts_for_every_row(appended: tuple[Path, Path, Any], dbt_builder) -> None:
    """The project on the appended data: every raw row where the manifest says, the returns
    superseding their orders, the guest checkouts attributed to members."""
    _, after, day = appended
    build = dbt_builder.build(after)
    expected = {t: info["expected"] for t, info in _manifest(after)["tables"].items()}
    connection = duckdb.connect(str(build.duckdb_path), read_only=True)
    try:
        reconciliation = connection.sql(
            "select table_name, used_rows, duplicate_rows, rejected_rows from quality.raw_row_reconciliation"
        ).fetchall()
        returned = connection.execute(
            "select status, count(*), sum(net_amount) from marts.fct_orders where order_id in "
            "(select unnest(?::varchar[])) group by status", [day.returned_order_ids]).fetchall()
        new = dict(connection.execute(
            "select coalesce(attribution_method, 'none'), count(*) from marts.fct_orders "
            "where order_id between ? and ? group by 1", [day.first_order_id, day.last_order_id]).fetchall())
    finally:
        connection.close()
    assert len(reconciliation) == 7
    for table, used, duplicates, rejected in reconciliation:
        wanted = (expected[table]["used"], expected[table]["duplicates_dropped"], 0)
        assert (used, duplicates, rejected) == wanted, table
    assert returned == [("returned", 6, Decimal("0.00"))]
    assert new == {"customer_id": day.member_orders, "guest_email": day.new_guest_orders,
                   "member_email": new.get("member_email", 0), "member_phone": new.get("member_phone", 0)}
    assert new.get("member_email", 0) + new.get("member_phone", 0) == day.guest_orders_of_members
