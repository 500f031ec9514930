"""Tests of the synthetic data generator (stratify/devdata/generate/).

The dirty-data tests classify every raw row with the rules of
docs/cleaning_and_identity.md, written here again in DuckDB SQL, and compare the
counts with the manifest: the manifest is what the project's quarantine tests trust.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stratify.cli import main
from stratify.devdata.generate import (
    REJECT_REASONS,
    TABLES,
    GeneratorConfig,
    Manifest,
    generate,
    schema,
)

CUSTOMERS, ORDERS = 400, 4000


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("clean")
    return out, generate(out=out, customers=CUSTOMERS, orders=ORDERS)


@pytest.fixture(scope="module", params=["parquet", "csv"])
def dirty(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp(f"dirty_{request.param}")
    return out, generate(out=out, customers=CUSTOMERS, orders=ORDERS, dirty=0.01, fmt=request.param, seed=7)


def _connect(folder: Path, fmt: str) -> duckdb.DuckDBPyConnection:
    """One all-text view per raw table, as the project would land it."""
    con = duckdb.connect()
    for t in TABLES:
        path = folder / f"{t}.{fmt}"
        source = f"read_csv('{path}', all_varchar = true)" if fmt == "csv" else f"read_parquet('{path}')"
        con.sql(f"create view raw_{t} as select columns(*)::varchar from {source}")
    return con


def _ts(col: str) -> str:
    return f"try_cast(nullif(trim({col}), '') as timestamp)"


def _num(col: str) -> str:
    return f"try_cast(nullif(trim({col}), '') as decimal(18, 8))"


def _blank(col: str) -> str:
    return f"nullif(trim({col}), '') is null"


# reason of each raw row (null: usable), per table, in the doc's order
_REASONS = {
    "customers": f"""
        select case
            when {_blank('customer_id')} then 'missing_customer_id'
            when {_ts('signup_at')} is null then 'unparseable_signup_at'
            when {_ts('updated_at')} is null then 'unparseable_updated_at'
        end as reason, trim(customer_id) as k, * from raw_customers""",
    "fx_rates": f"""
        select case
            when {_blank('currency')} then 'missing_currency'
            when {_blank('rate_date')} then 'missing_rate_date'
            when coalesce({_num('rate_to_cny')}, 0) <= 0 then 'invalid_rate'
        end as reason, upper(trim(currency)) || '|' || trim(rate_date) as k, * from raw_fx_rates""",
    "orders": f"""
        select case
            when {_blank('order_id')} then 'missing_order_id'
            when {_blank('ordered_at')} then 'missing_ordered_at'
            when {_ts('ordered_at')} is null then 'unparseable_ordered_at'
            when {_ts('ordered_at')} > now()::timestamp then 'ordered_at_in_future'
            when {_ts('ordered_at')} < timestamp '2000-01-01' then 'ordered_at_before_min'
            when {_blank('status')} then 'missing_status'
            when lower(trim(status)) not in ('completed', 'returned', 'cancelled', 'pending') then 'unknown_status'
            when {_blank('channel')} then 'missing_channel'
            when lower(trim(channel)) not in ('web', 'app', 'store', 'marketplace') then 'unknown_channel'
            when {_blank('currency')} then 'missing_currency'
            when {_blank('gross_amount')} or {_blank('discount_amount')} or {_blank('shipping_amount')}
                or {_blank('refunded_amount')} then 'missing_amount'
            when {_num('gross_amount')} is null or {_num('discount_amount')} is null
                or {_num('shipping_amount')} is null or {_num('refunded_amount')} is null then 'unparseable_amount'
            when least({_num('gross_amount')}, {_num('discount_amount')}, {_num('shipping_amount')},
                       {_num('refunded_amount')}) < 0 then 'negative_amount'
            when {_num('discount_amount')} > {_num('gross_amount')} then 'discount_exceeds_gross'
            when {_ts('updated_at')} is null then 'unparseable_updated_at'
            when upper(trim(currency)) <> 'CNY' and upper(trim(currency)) not in (select cur from rates)
                then 'unknown_currency'
            when upper(trim(currency)) <> 'CNY' and not exists (
                select 1 from rates where cur = upper(trim(currency)) and d <= {_ts('ordered_at')}::date)
                then 'missing_fx_rate'
        end as reason, trim(order_id) as k, * from raw_orders""",
    "order_items": f"""
        select case
            when {_blank('order_id')} then 'missing_order_id'
            when {_blank('line_number')} then 'missing_line_number'
            when {_blank('product_id')} then 'missing_product_id'
            when coalesce(try_cast(trim(quantity) as bigint), 0) <= 0 then 'invalid_quantity'
            when coalesce({_num('unit_price')}, -1) < 0 then 'invalid_unit_price'
            when trim(order_id) not in (select k from classified_orders where reason is null) then 'unknown_order'
        end as reason, trim(order_id) || '|' || trim(line_number) as k, * from raw_order_items""",
    "products": f"""
        select case when {_blank('product_id')} then 'missing_product_id' end as reason,
            trim(product_id) as k, * from raw_products""",
    "events": f"""
        select case
            when {_blank('event_id')} then 'missing_event_id'
            when {_blank('occurred_at')} then 'missing_occurred_at'
            when lower(trim(event_type)) not in
                ('page_view', 'product_view', 'search', 'add_to_cart', 'checkout_start') then 'unknown_event_type'
        end as reason, trim(event_id) as k, * from raw_events""",
    "support_tickets": f"""
        select case
            when {_blank('ticket_id')} then 'missing_ticket_id'
            when {_blank('opened_at')} then 'missing_opened_at'
        end as reason, trim(ticket_id) as k, * from raw_support_tickets""",
}


def _classify(folder: Path, fmt: str) -> dict[str, dict[str, object]]:
    """Per table: raw rows, rows per reject reason, duplicates among usable rows."""
    con = _connect(folder, fmt)
    out: dict[str, dict[str, object]] = {}
    for t in ("customers", "fx_rates", "orders", "order_items", "products", "events", "support_tickets"):
        con.sql(f"create table classified_{t} as {_REASONS[t]}")
        if t == "fx_rates":
            con.sql("""create table rates as select distinct upper(trim(currency)) as cur, trim(rate_date)::date as d
                       from classified_fx_rates where reason is null""")
        reasons = dict(con.sql(f"select reason, count(*) from classified_{t} where reason is not null group by 1")
                       .fetchall())
        rows, usable, keys = con.sql(
            f"select count(*), count(*) filter (where reason is null), "
            f"count(distinct k) filter (where reason is null) from classified_{t}").fetchone()  # type: ignore[misc]
        out[t] = {"rows": rows, "rejected": reasons, "duplicates": usable - keys}
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a, b, _ = (generate(out=tmp_path / name, seed=seed, customers=150, orders=1200, dirty=0.01)
               for name, seed in (("a", 3), ("b", 3), ("c", 4)))
    assert a.to_dict() == b.to_dict()
    same, other = _digest(tmp_path / "a"), _digest(tmp_path / "c")
    assert same == _digest(tmp_path / "b")
    assert {name for name, digest in other.items() if same[name] == digest} == set()


@pytest.mark.parametrize(("customers", "orders"), [(1, 1), (10, 57), (300, 2999), (50, 5000)])
def test_order_count_is_exact(tmp_path: Path, customers: int, orders: int) -> None:
    m = generate(out=tmp_path, customers=customers, orders=orders, seed=11)
    con = _connect(tmp_path, "parquet")
    assert con.sql("select count(*), count(distinct order_id) from raw_orders").fetchone() == (orders, orders)
    assert m.tables["orders"].rows == orders
    assert con.sql("select count(*) from raw_customers").fetchone() == (customers,)


def test_files_follow_the_contract_schema(clean: tuple[Path, Manifest], tmp_path: Path) -> None:
    folder, _ = clean
    for t in TABLES:
        assert pq.read_schema(folder / f"{t}.parquet").remove_metadata() == schema(t)
    generate(out=tmp_path, customers=50, orders=300, fmt="csv")
    for t in TABLES:
        header = (tmp_path / f"{t}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.replace('"', "").split(",") == schema(t).names


def test_clean_data_has_unique_keys_and_nothing_to_reject(clean: tuple[Path, Manifest]) -> None:
    folder, manifest = clean
    found = _classify(folder, "parquet")
    for t in TABLES:
        assert found[t] == {"rows": manifest.tables[t].rows, "rejected": {}, "duplicates": 0}, t
        report = manifest.tables[t]
        assert report.duplicates_dropped == 0 and not any(report.rejected.values())
        assert report.used == report.rows
    con = _connect(folder, "parquet")
    # every clean contact normalises to a valid value, and amounts are consistent
    assert con.sql("""select count(*) from raw_orders where discount_amount::decimal(18,2) > gross_amount::decimal(18,2)
                      or refunded_amount::decimal(18,2) > gross_amount::decimal(18,2) - discount_amount::decimal(18,2)
                      or updated_at::timestamp < ordered_at::timestamp""").fetchone() == (0,)
    assert con.sql("""select count(*) from raw_order_items i join raw_products p using (product_id)""").fetchone() \
        == con.sql("select count(*) from raw_order_items").fetchone()


def test_dirty_manifest_matches_what_is_in_the_files(dirty: tuple[Path, Manifest]) -> None:
    folder, manifest = dirty
    fmt = manifest.params["format"]
    found = _classify(folder, fmt)
    for t in TABLES:
        report = manifest.tables[t]
        assert found[t]["rows"] == report.rows, t
        assert found[t]["duplicates"] == report.duplicates_dropped, t
        assert found[t]["rejected"] == {r: n for r, n in report.rejected.items() if n}, t
        assert all(n > 0 for k, n in report.injected.items() if fmt == "csv" or not k.startswith("unparseable")), t
    orders = manifest.tables["orders"].injected
    con = _connect(folder, fmt)
    # a few kinds counted straight from the files
    assert con.sql("select count(*) from raw_orders where nullif(trim(order_id), '') is null").fetchone() \
        == (orders["missing_order_id"],)
    assert con.sql(f"select count(*) from raw_orders where {_ts('ordered_at')} > timestamp '2030-01-01'").fetchone() \
        == (orders["ordered_at_in_future"],)
    assert con.sql("select count(*) - (select count(*) from (select distinct * from raw_orders)) from raw_orders") \
        .fetchone() == (orders["duplicate_identical"],)
    # orders naming no customer row: the injected ones, the clean ones, and those of members whose row lost its id
    unknown = con.sql("""select count(*) from raw_orders where trim(customer_id) not in
                         (select trim(customer_id) from raw_customers where customer_id is not null)""").fetchone()
    facts = manifest.tables["orders"].facts
    assert unknown is not None and unknown[0] >= orders["unknown_customer_id"] + facts["unknown_customer_orders"]
    items = manifest.tables["order_items"]
    assert items.items_of_rejected_orders is not None and items.items_of_rejected_orders > 0
    assert items.rejected["unknown_order"] == items.injected["unknown_order"] + items.items_of_rejected_orders


_EMAIL = "regexp_replace(lower({0}), '\\s', '', 'g')"
_DIGITS = "regexp_replace({0}, '[^0-9]', '', 'g')"
_PHONE = f"""case
    when trim({{0}}) like '+%' then {_DIGITS}
    when {_DIGITS} like '00%' then substr({_DIGITS}, 3)
    when {_DIGITS} like '0%' then '86' || substr({_DIGITS}, 2)
    when {_DIGITS} similar to '1[0-9]{{{{10}}}}' then '86' || {_DIGITS}
    else {_DIGITS} end"""


def test_contacts_normalise_and_guest_orders_match_members(clean: tuple[Path, Manifest]) -> None:
    folder, manifest = clean
    con = _connect(folder, "parquet")
    con.sql(f"""create table members as select customer_id, {_EMAIL.format('email')} as e,
                {_PHONE.format('phone')} as p from raw_customers""")
    # members' contacts are valid, and shared only by the duplicate accounts the manifest counts
    assert con.sql(r"""select count(*) filter (where not regexp_full_match(e, '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}')),
                       count(*) filter (where length(p) not between 10 and 15) from members""").fetchone() == (0, 0)
    facts = manifest.tables["customers"].facts
    assert con.sql("select count(e) - count(distinct e), count(p) - count(distinct p) from members").fetchone() \
        == (facts["shared_email"], facts["shared_phone"])
    # guest orders: reformatted contacts of members, or of true guests (some repeat)
    con.sql(f"""create table guests as select order_id, {_EMAIL.format('contact_email')} as e,
                {_PHONE.format('contact_phone')} as p, contact_email as raw_e, contact_phone as raw_p
                from raw_orders where customer_id is null""")
    matched, reformatted, without, total = con.sql("""select
            count(*) filter (where e in (select e from members) or p in (select p from members)),
            count(*) filter (where e in (select e from members)
                             and raw_e not in (select email from raw_customers where email is not null)),
            count(*) filter (where e is null and p is null), count(*)
        from guests""").fetchone()  # type: ignore[misc]
    assert total == manifest.tables["orders"].facts["guest_orders"]
    assert 0.10 <= total / manifest.tables["orders"].rows <= 0.16
    assert matched == manifest.tables["orders"].facts["guest_orders_of_members"]
    assert reformatted > 0.3 * matched
    assert without == manifest.tables["orders"].facts["anonymous_orders"]
    assert con.sql("""select count(*) > 0 from (select e from guests where e not in
                      (select e from members where e is not null) group by e having count(*) > 1)""").fetchone() \
        == (True,)
    assert con.sql("""select count(*) from raw_customers c join raw_customers r on c.referred_by = r.customer_id
                      where r.signup_at <= c.signup_at""").fetchone() == (facts["referrals"],)


def test_manifest_records_params_config_and_model(clean: tuple[Path, Manifest]) -> None:
    folder, manifest = clean
    data = json.loads((folder / "manifest.json").read_text())
    assert data == json.loads(json.dumps(manifest.to_dict()))
    assert data["generator"] == "stratify"
    assert data["params"] == {"customers": 400, "orders": 4000, "seed": 42, "dirty": 0.0,
                              "start": "2023-01-01", "end": "2025-12-31", "format": "parquet"}
    assert data["config"]["bgnbd_r"] == GeneratorConfig().bgnbd_r
    assert 0.99 <= data["model"]["thinning_keep_share"] <= 1.0
    for t in TABLES:
        assert set(data["tables"][t]["expected"]["rejected"]) == set(REJECT_REASONS[t])


def test_purchase_process_needs_little_adjustment(clean: tuple[Path, Manifest], tmp_path: Path) -> None:
    _, manifest = clean
    scale, dropout = manifest.model["rate_scale"], manifest.model["dropout_scale"]
    assert scale is not None and 0.5 <= scale <= 2.0 and dropout == 1.0
    # 100 orders per member: beyond what the default dropout allows, so dropout is eased, not switched off
    dropout = generate(out=tmp_path, customers=50, orders=5000, seed=11).model["dropout_scale"]
    assert dropout is not None and 0.05 < dropout < 1.0


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(out=tmp_path, customers=0)
    with pytest.raises(ValueError):
        generate(out=tmp_path, dirty=0.5)
    with pytest.raises(ValueError):
        generate(out=tmp_path, start=date(2025, 1, 1), end=date(2024, 1, 1))


def test_cli_writes_csv_deterministically(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = CliRunner().invoke(main, [
            "generate", "--customers", "60", "--orders", "500", "--seed", "5", "--dirty", "0.01", "--start",
            "2024-01-01", "--end", "2024-12-31", "--out", str(tmp_path / name), "--format", "csv", "--quiet",
        ])
        assert result.exit_code == 0, result.output
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    tmp_path = tmp_path / "a"
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["params"]["format"] == "csv" and manifest["params"]["start"] == "2024-01-01"
    con = _connect(tmp_path, "csv")
    for t in TABLES:
        assert con.sql(f"select count(*) from raw_{t}").fetchone() == (manifest["tables"][t]["rows"],)
