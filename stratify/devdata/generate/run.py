"""The entry point: every stage in order, each with its own random stream, writing one
table at a time and letting go of what later stages do not need."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

import numpy as np

from stratify.devdata.generate.arrays import Bool
from stratify.devdata.generate.calendar import make_calendar
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import SIGNUP_SOURCES, TABLES, Format
from stratify.devdata.generate.dirt import Dirt, dirty_customers, dirty_items, dirty_orders, dirty_simple
from stratify.devdata.generate.events import simulate_events
from stratify.devdata.generate.fx import simulate_fx
from stratify.devdata.generate.manifest import Manifest, TableReport
from stratify.devdata.generate.orders import Lines, Orders, order_mix, simulate_orders
from stratify.devdata.generate.people import simulate_people
from stratify.devdata.generate.products import simulate_products
from stratify.devdata.generate.progress import Progress
from stratify.devdata.generate.tables import (
    customers_builder,
    events_builder,
    fx_builder,
    items_builder,
    orders_builder,
    products_builder,
    tickets_builder,
)
from stratify.devdata.generate.tickets import simulate_tickets
from stratify.devdata.generate.write import write_table


def _rng(seed: int, stream: int) -> np.random.Generator:
    """An independent PCG64 stream per stage, so one stage's draws never shift another's."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream,))))


def _order_facts(o: Orders) -> dict[str, int]:
    """Clean-data counts of who placed the orders."""
    return {
        "member_orders": int((o.kind == 0).sum()), "guest_orders": int((o.customer < 0).sum()),
        "guest_orders_of_members": int((o.kind == 1).sum()), "true_guest_orders": int((o.kind == 3).sum()),
        "anonymous_orders": int((o.kind == 4).sum()), "unknown_customer_orders": int((o.kind == 2).sum()),
        "orders_without_items": int((~o.has_items).sum()),
    }


def _write_items(out: Path, fmt: Format, o: Orders, lines: Lines, rejected: Bool, order_dirt: Dirt,
                 dirt: Callable[[str, int], Dirt], progress: Progress) -> TableReport:
    """Write order_items after the orders' dirt is known: none for orders spoilt to have no
    items, and dirt only on items of usable orders (items of rejected orders are counted)."""
    o.has_items[order_dirt.claimed.get("order_without_items", np.empty(0, np.int64))] = False
    emitted = np.flatnonzero(o.has_items[lines.order])
    items_of_rejected = int(o.n_lines[rejected & o.has_items].astype(np.int64).sum())
    d = dirt("order_items", len(emitted))
    dirty_items(d, lines, emitted, ~rejected)
    rows = write_table(out, "order_items", fmt, items_builder(lines, emitted), len(emitted), d, progress)
    return d.report(rows, {"lines": len(emitted)}, {"unknown_order": items_of_rejected},
                    items_of_rejected_orders=items_of_rejected)


def generate(
    config: GeneratorConfig | None = None,
    *,
    customers: int = 5000,
    orders: int = 40000,
    seed: int = 42,
    dirty: float = 0.0,
    start: date = date(2023, 1, 1),
    end: date = date(2025, 12, 31),
    out: Path | str,
    fmt: Format = "parquet",
    quiet: bool = True,
) -> Manifest:
    """Write the seven raw tables and manifest.json to `out`; return the manifest.

    Same arguments give byte-identical files. `dirty` is the share of a table's rows
    spoiled per dirt kind (at least one row each when > 0); `dirty=0` gives unique keys
    and no rejectable value anywhere. `end` must lie before the day the project is
    built, or clean orders would count as `ordered_at_in_future`.
    """
    cfg = config or GeneratorConfig()
    if customers < 1 or orders < 1:
        raise ValueError("--customers and --orders must be at least 1")
    if not 0.0 <= dirty <= 0.04:
        raise ValueError("--dirty is a share per dirt kind, between 0 and 0.04")
    if end < start:
        raise ValueError("--end is before --start")
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown format {fmt!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    reports: dict[str, TableReport] = {}

    with Progress(quiet) as progress:
        cal = make_calendar(cfg, start, end)
        mix = order_mix(cfg, orders)
        with progress.step("people, catalogue, fx"):
            people = simulate_people(_rng(seed, 1), cfg, cal, customers, mix.hidden_people, mix.guest_people)
            products = simulate_products(_rng(seed, 2), cfg.product_count(orders))
            fx = simulate_fx(_rng(seed, 3), cal)

        def dirt(table: str, n_rows: int) -> Dirt:
            return Dirt(table, n_rows, dirty, _rng(seed, 100 + TABLES.index(table)), fmt)

        d = dirt("customers", customers)
        build = customers_builder(people)
        dirty_customers(d, build, people)
        rows = write_table(out, "customers", fmt, build, customers, d, progress)
        reports["customers"] = d.report(rows, {
            "shared_email": people.shared_email, "shared_phone": people.shared_phone,
            "referrals": int((people.source == SIGNUP_SOURCES.index("referral")).sum()),
        })
        for table, build, n in (("products", products_builder(products), products.count),
                                ("fx_rates", fx_builder(fx), fx.rows)):
            d = dirt(table, n)
            dirty_simple(d, build)
            reports[table] = d.report(write_table(out, table, fmt, build, n, d, progress), {})

        with progress.step("simulate orders"):
            o, lines, model = simulate_orders(_rng(seed, 4), cfg, cal, people, products, fx, mix)
        order_dirt, build = dirt("orders", orders), orders_builder(o, people)
        rejected = dirty_orders(order_dirt, build, o, cal, fx)
        facts = _order_facts(o)
        reports["order_items"] = _write_items(out, fmt, o, lines, rejected, order_dirt, dirt, progress)
        del lines
        rows = write_table(out, "orders", fmt, build, orders, order_dirt, progress)
        reports["orders"] = order_dirt.report(rows, facts)
        refs = o.refs()  # let the amounts go: events and tickets need little of the orders
        del o, build, order_dirt, rejected

        with progress.step("simulate events"):
            events = simulate_events(_rng(seed, 5), cfg, cal, people, products, refs)
        n_events = len(events.occurred)
        d = dirt("events", n_events)
        build = events_builder(events, people)
        dirty_simple(d, build)
        reports["events"] = d.report(write_table(out, "events", fmt, build, n_events, d, progress), {})
        del events

        tickets = simulate_tickets(_rng(seed, 6), cfg, cal, refs)
        d = dirt("support_tickets", len(tickets.order))
        build = tickets_builder(tickets, refs, people)
        dirty_simple(d, build)
        reports["support_tickets"] = d.report(
            write_table(out, "support_tickets", fmt, build, len(tickets.order), d, progress), {})

        manifest = Manifest(
            params={"customers": customers, "orders": orders, "seed": seed, "dirty": dirty,
                    "start": start.isoformat(), "end": end.isoformat(), "format": fmt},
            config=asdict(cfg), model=model, tables={t: reports[t] for t in TABLES},
        )
        (out / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n")
    progress.summary(manifest)
    return manifest
