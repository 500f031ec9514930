"""Tiers, segments, signals and actions on generated data where the truth is known, and a
business rule changed in a seed (no SQL) changing the assignment.

Known truth: customers planted into generated data with an exactly known history (a
whale, a steady decliner, a super promoter with three referred friends, a steady buyer as
control), with ids the generator never uses.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import PROJECT_DIR

pytestmark = pytest.mark.slow

AS_OF = dt.date(2025, 6, 30)
VARS = {"as_of_date": AS_OF.isoformat()}


def _customer(customer_id: str, referred_by: str | None = None) -> dict[str, Any]:
    signup = dt.datetime(2024, 1, 5, 9, 0)
    return {"customer_id": customer_id, "email": f"{customer_id.lower()}@planted.example", "phone": None,
            "full_name": None, "signup_at": signup, "signup_source": "referral" if referred_by else "web",
            "referred_by": referred_by, "city": "Shanghai", "province": "Shanghai", "country_code": "CN",
            "birth_date": None, "marketing_opt_in": True, "updated_at": signup}


def _order(order_id: str, customer_id: str, day: dt.date, amount: str) -> dict[str, Any]:
    at = dt.datetime.combine(day, dt.time(12, 0))
    return {"order_id": order_id, "channel": "web", "customer_id": customer_id, "contact_email": None,
            "contact_phone": None, "store_id": None, "ordered_at": at, "status": "completed", "currency": "CNY",
            "gross_amount": Decimal(amount), "discount_amount": Decimal("0"), "shipping_amount": Decimal("0"),
            "refunded_amount": Decimal("0"), "coupon_code": None, "updated_at": at}


def planted_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(customers, orders) of the planted personas; as_of_date 2025-06-30, so June is the
    latest complete month."""
    customers = [_customer(c) for c in ("ZWHALE1", "ZDECLINE1", "ZPROMO1", "ZSTEADY1")]
    customers += [_customer(f"ZFRIEND{i}", referred_by="ZPROMO1") for i in (1, 2, 3)]
    orders = [
        # A median order of the generated data is a few hundred CNY: 500,000 is far past 100x.
        _order("ZO-W1", "ZWHALE1", dt.date(2025, 5, 10), "300.00"),
        _order("ZO-W2", "ZWHALE1", dt.date(2025, 6, 2), "500000.00"),
        # Base month March 1000, then April exactly 20% less, May and June lower still.
        _order("ZO-D1", "ZDECLINE1", dt.date(2025, 3, 15), "1000.00"),
        _order("ZO-D2", "ZDECLINE1", dt.date(2025, 4, 15), "800.00"),
        _order("ZO-D3", "ZDECLINE1", dt.date(2025, 5, 15), "600.00"),
        _order("ZO-D4", "ZDECLINE1", dt.date(2025, 6, 15), "300.00"),
        _order("ZO-P1", "ZPROMO1", dt.date(2025, 6, 1), "200.00"),
    ]
    orders += [_order(f"ZO-F{i}", f"ZFRIEND{i}", dt.date(2025, 6, i), "3000.00") for i in (1, 2, 3)]
    # The control buys the same every month.
    orders += [_order(f"ZO-S{m}", "ZSTEADY1", dt.date(2025, m, 20), "500.00") for m in range(3, 7)]
    return customers, orders


def append_rows(raw_dir: Path, table: str, rows: list[dict[str, Any]]) -> None:
    path = raw_dir / f"{table}.parquet"
    existing = pq.read_table(path)
    planted = pa.Table.from_pylist(rows, schema=existing.schema)
    pq.write_table(pa.concat_tables([existing, planted]), path)


@pytest.fixture(scope="module")
def planted_raw(tmp_path_factory, generate_raw) -> Path:
    raw_dir = generate_raw(tmp_path_factory.mktemp("planted"), customers=1500, orders=12000, seed=5,
                           start="2023-07-01", end=AS_OF.isoformat())
    customers, orders = planted_rows()
    append_rows(raw_dir, "customers", customers)
    append_rows(raw_dir, "orders", orders)
    return raw_dir


def planted_members(build) -> dict[str, str]:
    """person_key -> customer id of the planted members."""
    return {row["person_key"]: row["identifier"] for row in build.rows("customer_identity_map")
            if row["identifier_type"] == "customer_id" and row["identifier"].startswith("Z")}


def _by_member(build, table: str) -> dict[str, dict[str, Any]]:
    """Rows of a person-grain mart keyed by the planted members' customer ids."""
    members = planted_members(build)
    return {members[row["person_key"]]: row for row in build.rows(table) if row["person_key"] in members}


def test_planted_personas_get_their_signals(planted_raw, dbt_builder) -> None:
    build = dbt_builder.build(planted_raw, VARS)
    signals = _by_member(build, "customer_signals")

    assert signals["ZWHALE1"]["is_whale"], signals["ZWHALE1"]
    assert signals["ZWHALE1"]["max_order_net_revenue_cny"] == Decimal("500000")

    decline = signals["ZDECLINE1"]
    assert decline["is_declining_spender"] and decline["declining_months"] == 3, decline
    assert (decline["base_month_revenue_cny"], decline["latest_month_revenue_cny"]) == (Decimal(1000), Decimal(300))

    promoter = signals["ZPROMO1"]
    assert promoter["is_super_promoter"], promoter
    assert (promoter["referred_persons"], promoter["referred_revenue_cny"]) == (3, Decimal(9000))

    steady = signals["ZSTEADY1"]
    assert not any(steady[s] for s in ("is_whale", "is_declining_spender", "is_super_promoter")), steady
    assert steady["declining_months"] == 0
    # Nobody else is flagged a whale by accident of the planted order: the generator makes none.
    assert sum(row["is_whale"] for row in build.rows("customer_signals")) == 1

    members = planted_members(build)
    actions = {(members[row["person_key"]], row["action_id"])
               for row in build.rows("customer_actions") if row["person_key"] in members}
    assert ("ZDECLINE1", "service_callback_decline") in actions
    assert ("ZWHALE1", "whale_account_manager") in actions
    assert ("ZPROMO1", "promoter_referral_bonus") in actions


def test_every_scored_person_is_tiered_and_segmented_once(planted_raw, dbt_builder) -> None:
    build = dbt_builder.build(planted_raw, VARS)
    scored = {row["person_key"] for row in build.rows("customer_rfm")}
    for mart in ("customer_tiers", "customer_segments", "customer_signals"):
        keys = [row["person_key"] for row in build.rows(mart)]
        assert len(keys) == len(set(keys)) and set(keys) == scored, mart
    summary = {row["tier"]: row for row in build.rows("tier_summary")}
    assert sum(row["persons"] for row in summary.values()) == len(scored)
    assert summary["bronze"]["cumulative_share_of_revenue"] == pytest.approx(1.0)


def project_copy(destination: Path) -> Path:
    """The dbt project's own files (no venv, data or build output), to edit a seed in."""
    keep = ("dbt_project.yml", "models", "macros", "seeds", "tests", "snapshots", "analyses", "profiles")
    destination.mkdir(parents=True)
    for name in keep:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("python", "__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def test_a_tier_rule_edited_in_the_seed_changes_the_assignment(planted_raw, dbt_builder, tmp_path) -> None:
    """A business user adds a rule to seeds/stratification/tier_rules.csv ("bought within
    30 days, 2+ orders in the window, average order at least 300 CNY: gold") and rebuilds:
    exactly the persons it covers (and who were not diamond) move to it; no SQL changed."""
    before = dbt_builder.build(planted_raw, VARS)
    edited = project_copy(tmp_path / "project")
    rules_path = edited / "seeds" / "stratification" / "tier_rules.csv"
    with rules_path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rules = reader.fieldnames, list(reader)
    assert fields is not None
    new_rule = {field: "" for field in fields}
    new_rule.update(rule_id="gold_recent_big_basket", priority="15", tier="gold", max_recency_days="30",
                    min_frequency="2", min_avg_order_value="300", description="Recent, 2+ orders, AOV 300+")
    with rules_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rules + [new_rule])
    after = dbt_builder.build(planted_raw, VARS, project_dir=edited)

    old = {row["person_key"]: row for row in before.rows("customer_tiers")}
    new = {row["person_key"]: row for row in after.rows("customer_tiers")}
    assert old.keys() == new.keys()
    moved = {key for key in new if new[key]["tier_rule_id"] == "gold_recent_big_basket"}
    assert moved, "the new rule matched nobody: not a useful check"
    for key, row in new.items():
        covered = (row["recency_days"] <= 30 and row["frequency"] >= 2
                   and row["monetary"] >= Decimal(300) * row["frequency"])
        if covered and old[key]["computed_tier"] != "diamond":
            assert key in moved and row["computed_tier"] == "gold", row
        else:
            assert key not in moved and row["computed_tier"] == old[key]["computed_tier"], row
