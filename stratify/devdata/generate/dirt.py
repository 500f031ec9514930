"""Dirt: disjoint rows per kind, recorded as patches on the clean rows.

Every dirt kind lands on its own rows (a row carries at most one kind), chosen by a
stream of its own, so a dirty build is the clean build plus the injected changes, and
`manifest.json` can say exactly what the project's quarantine must find."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stratify.devdata.generate.arrays import (
    I64,
    Bool,
    csv_strings,
    decimals,
    pick,
    prefixed_ids,
    timestamps,
    variants,
)
from stratify.devdata.generate.calendar import DAY, Calendar
from stratify.devdata.generate.contract import REJECT_REASONS, STATUSES, TABLES, Format
from stratify.devdata.generate.fx import Fx
from stratify.devdata.generate.manifest import TableReport
from stratify.devdata.generate.orders import Lines, Orders
from stratify.devdata.generate.people import EMAIL_FORMS, People
from stratify.devdata.generate.reference import CITIES, CITY_NAMES, COUNTRIES, DOMAINS, N_CN_CITIES, PROVINCES
from stratify.devdata.generate.tables import Builder

DUPLICATE_KINDS: dict[str, tuple[str, ...]] = {
    t: ("duplicate_identical", "duplicate_superseded") if t in ("customers", "orders") else ("duplicate_identical",)
    for t in TABLES
}
# kept rows: the project normalises them (or nulls an invalid contact) and uses them
NOISE_KINDS: dict[str, tuple[str, ...]] = {
    "customers": ("noisy_email", "noisy_phone", "invalid_email", "invalid_phone"),
    "orders": ("unknown_customer_id", "noisy_codes", "order_without_items"),
}
# typed parquet cannot hold unparseable text: these kinds exist in csv only
CSV_ONLY_KINDS = frozenset(
    {"unparseable_signup_at", "unparseable_updated_at", "unparseable_ordered_at", "unparseable_amount"}
)

# values injected for the "unknown" and "unparseable" kinds: never valid codes or values
UNKNOWN_STATUSES = ("disputed", "lost_in_transit")
UNKNOWN_CHANNELS = ("telephone", "fax")
UNKNOWN_CURRENCIES = ("XYZ", "RUB")
UNKNOWN_EVENT_TYPES = ("heartbeat", "scroll_depth")
INVALID_EMAILS = ("n/a", "foo@", "none", "test@test", "wei.zhang@@qq.com")
INVALID_PHONES = ("12345", "000", "n/a", "138001", "0")
UNPARSEABLE_TIMESTAMPS = ("2024-13-45 10:00:00", "not a date", "31/02/2024 25:61")

_MIN_VALID_ORDER_S = 946_684_800  # 2000-01-01T00:00:00Z
_UNKNOWN_ORDER_BASE = 9_999_999_999  # injected unknown ids count down from here
_UNKNOWN_CUSTOMER_BASE = 99_999_999


def _cycle(values: Sequence[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)]


def _blank(n: int) -> pa.Array:
    """Missing strings as they arrive: half null, half whitespace only."""
    return pa.array(_cycle([None, "  "], n), pa.string())


Patches = dict[str, tuple[I64, pa.Array]]


class Dirt:
    """Claims disjoint rows of one table for each dirt kind and records how to spoil them.

    `rows()` hands out rows in the order of one random permutation, skipping rows
    already claimed, so every row carries at most one kind. In-place changes are
    patches (row -> new value per column); duplicates are extra rows copied from clean
    rows, with patches of their own, written after the base rows.
    """

    def __init__(self, table: str, n_rows: int, rate: float, rng: np.random.Generator, fmt: Format) -> None:
        self.table, self.fmt, self.rng = table, fmt, rng
        self.per_kind = max(1, round(rate * n_rows)) if rate > 0 and n_rows > 0 else 0
        kinds = REJECT_REASONS[table] + DUPLICATE_KINDS[table] + NOISE_KINDS.get(table, ())
        self.injected = dict.fromkeys(kinds, 0)
        self.claimed: dict[str, I64] = {}
        self._order = rng.permutation(n_rows) if self.per_kind else np.empty(0, np.int64)
        self._used = np.zeros(n_rows if self.per_kind else 0, bool)
        self._patches: dict[str, list[tuple[I64, pa.Array]]] = {}
        self._extra_src: list[I64] = []
        self._extra_patches: dict[str, list[tuple[I64, pa.Array]]] = {}
        self._n_extra = 0

    def rows(self, kind: str, eligible: Bool | None = None) -> I64:
        """Claim up to `per_kind` free rows for `kind` (none for csv-only kinds in parquet)."""
        if not self.per_kind or (kind in CSV_ONLY_KINDS and self.fmt != "csv"):
            return np.empty(0, np.int64)
        free = self._order[~self._used[self._order]]
        if eligible is not None:
            free = free[eligible[free]]
        rows = np.sort(free[: self.per_kind])
        self._used[rows] = True
        self.injected[kind] = len(rows)
        self.claimed[kind] = rows
        return rows

    def patch(self, rows: I64, **columns: pa.Array) -> None:
        if not len(rows):
            return
        for col, values in columns.items():
            self._patches.setdefault(col, []).append((rows, values))

    def append(self, src: I64, **columns: pa.Array) -> None:
        """Re-deliver rows `src` at the end of the table, with some columns changed."""
        if not len(src):
            return
        at = self._n_extra + np.arange(len(src))
        self._extra_src.append(src)
        self._n_extra += len(src)
        for col, values in columns.items():
            self._extra_patches.setdefault(col, []).append((at, values))

    def claimed_rows(self, kinds: Sequence[str]) -> I64:
        parts = [self.claimed[k] for k in kinds if k in self.claimed]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    @property
    def extra_src(self) -> I64:
        return np.concatenate(self._extra_src) if self._extra_src else np.empty(0, np.int64)

    def patches(self) -> Patches:
        return self._merge(self._patches)

    def extra_patches(self) -> Patches:
        return self._merge(self._extra_patches)

    def _merge(self, patches: dict[str, list[tuple[I64, pa.Array]]]) -> Patches:
        out: Patches = {}
        for col, parts in patches.items():
            rows = np.concatenate([r for r, _ in parts])
            values = pa.concat_arrays([csv_strings(v) if self.fmt == "csv" else v for _, v in parts])
            order = np.argsort(rows, kind="stable")
            out[col] = (rows[order], values.take(pa.array(order)))
        return out

    def report(self, rows: int, facts: dict[str, int], extra_rejects: dict[str, int] | None = None,
               items_of_rejected_orders: int | None = None) -> TableReport:
        rejected = {r: self.injected[r] + (extra_rejects or {}).get(r, 0) for r in REJECT_REASONS[self.table]}
        return TableReport(
            rows=rows, injected=dict(self.injected),
            duplicates_dropped=sum(self.injected[k] for k in DUPLICATE_KINDS[self.table]),
            rejected=rejected, facts=facts, items_of_rejected_orders=items_of_rejected_orders,
        )


def _surround(s: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(" ", s, " ", "")


def _noisy_codes(values: pa.Array, lower: bool) -> pa.Array:
    """Case and space noise that trimming and case folding undo."""
    case = pc.utf8_lower if lower else pc.utf8_upper
    forms = (case, _surround if lower else pc.utf8_capitalize, lambda s: _surround(case(s)))
    return variants(values, (np.arange(len(values)) % 3).astype(np.int8), forms)


def _unknown_ids(prefix: str, base: int, n: int, width: int) -> pa.Array:
    return prefixed_ids(prefix, base - np.arange(n), width)


def dirty_customers(d: Dirt, build: Builder, people: People) -> None:
    """Spoil members; an older superseded version is a valid row, so only the newer one is used."""
    rng, nm = d.rng, people.n_members
    r = d.rows("duplicate_superseded", people.has_email[:nm] & (people.updated_s > people.signup_s + 1))
    # an older version: earlier updated_at, another email domain and another city
    domain = (people.domain[r] + 1 + rng.integers(0, len(DOMAINS) - 1, len(r))) % len(DOMAINS)
    intl = people.intl[r]
    n_intl = len(CITIES) - N_CN_CITIES
    city = np.where(
        intl, N_CN_CITIES + (people.city[r] - N_CN_CITIES + 1 + rng.integers(0, n_intl - 1, len(r))) % n_intl,
        (people.city[r] + 1 + rng.integers(0, N_CN_CITIES - 1, len(r))) % N_CN_CITIES)
    older = people.signup_s[r] + np.floor((people.updated_s[r] - people.signup_s[r]) * rng.uniform(0.1, 0.9, len(r)))
    d.append(r, email=pc.binary_join_element_wise(pc.take(people.local, pa.array(r)), "@", pick(DOMAINS, domain), ""),
             city=pick(CITY_NAMES, city), province=pick(PROVINCES, city), country_code=pick(COUNTRIES, city),
             updated_at=timestamps(older.astype(np.int64)))
    d.append(d.rows("duplicate_identical"))
    r = d.rows("noisy_email", people.has_email[:nm])
    d.patch(r, email=variants(people.emails(r), (1 + np.arange(len(r)) % 6).astype(np.int8), EMAIL_FORMS))
    r = d.rows("noisy_phone", people.has_phone[:nm])
    phones = pc.replace_substring(build(r).column("phone").combine_chunks(), "-", ".")
    d.patch(r, phone=pc.binary_join_element_wise(" ", phones, "  ", ""))
    r = d.rows("invalid_email")
    d.patch(r, email=pa.array(_cycle(INVALID_EMAILS, len(r)), pa.string()))
    r = d.rows("invalid_phone")
    d.patch(r, phone=pa.array(_cycle(INVALID_PHONES, len(r)), pa.string()))
    r = d.rows("missing_customer_id")
    d.patch(r, customer_id=_blank(len(r)))
    for kind, col in (("unparseable_signup_at", "signup_at"), ("unparseable_updated_at", "updated_at")):
        r = d.rows(kind)
        d.patch(r, **{col: pa.array(_cycle(UNPARSEABLE_TIMESTAMPS, len(r)), pa.string())})


def dirty_orders(d: Dirt, build: Builder, o: Orders, cal: Calendar, fx: Fx) -> Bool:
    """Spoil orders; return the mask of orders that the project must reject."""
    rng, n = d.rng, o.count
    ts_type, money = pa.timestamp("us"), pa.decimal128(18, 2)
    # scarce pools first: they must not run dry
    window = (_MIN_VALID_ORDER_S + DAY, fx.first_day * DAY)  # valid dates before the first rate
    if window[0] < window[1]:
        r = d.rows("missing_fx_rate", o.currency != 0)
        moved = rng.integers(window[0], window[1], len(r))
        d.patch(r, ordered_at=timestamps(moved), updated_at=timestamps(moved + o.updated[r] - o.ts[r]))
    r = d.rows("duplicate_superseded", (o.status != STATUSES.index("pending")) & (o.updated > o.ts + 1))
    d.append(r, status=pa.array(["pending"] * len(r), pa.string()),
             refunded_amount=decimals(np.zeros(len(r), np.int64), 2), updated_at=timestamps(o.ts[r]))
    r = d.rows("unknown_customer_id", o.customer >= 0)
    d.patch(r, customer_id=_unknown_ids("C", _UNKNOWN_CUSTOMER_BASE, len(r), 8))
    d.append(d.rows("duplicate_identical"))
    r = d.rows("noisy_codes")
    clean = build(r)
    d.patch(r, status=_noisy_codes(clean.column("status").combine_chunks(), lower=False),
            channel=_noisy_codes(clean.column("channel").combine_chunks(), lower=False),
            currency=_noisy_codes(clean.column("currency").combine_chunks(), lower=True))
    d.rows("order_without_items")

    r = d.rows("missing_order_id")
    d.patch(r, order_id=_blank(len(r)))
    r = d.rows("missing_ordered_at")
    d.patch(r, ordered_at=pa.nulls(len(r), ts_type))
    r = d.rows("unparseable_ordered_at")
    d.patch(r, ordered_at=pa.array(_cycle(UNPARSEABLE_TIMESTAMPS, len(r)), pa.string()))
    r = d.rows("ordered_at_in_future")
    future = cal.t_end + rng.integers(5 * 365, 9 * 365, len(r)) * DAY + o.ts[r] % DAY
    d.patch(r, ordered_at=timestamps(future), updated_at=timestamps(future))
    r = d.rows("ordered_at_before_min")  # the epoch of a zeroed field, or the eve of 2000
    d.patch(r, ordered_at=timestamps(np.where(np.arange(len(r)) % 2 == 0, 0, _MIN_VALID_ORDER_S - DAY + o.ts[r] % DAY)))
    for kind, col, unknown in (("status", "status", UNKNOWN_STATUSES), ("channel", "channel", UNKNOWN_CHANNELS)):
        r = d.rows(f"missing_{kind}")
        d.patch(r, **{col: _blank(len(r))})
        r = d.rows(f"unknown_{kind}")
        d.patch(r, **{col: pa.array(_cycle(unknown, len(r)), pa.string())})
    r = d.rows("missing_currency")
    d.patch(r, currency=_blank(len(r)))
    r = d.rows("missing_amount")
    d.patch(r, gross_amount=pa.nulls(len(r), money))
    r = d.rows("unparseable_amount")
    text = csv_strings(decimals(o.gross[r], 2))
    d.patch(r, gross_amount=variants(text, (np.arange(len(r)) % 3).astype(np.int8), (
        lambda s: pc.binary_join_element_wise("¥", s, ""),
        lambda s: pc.binary_join_element_wise(s, " RMB", ""),
        lambda s: pc.replace_substring(s, ".", ","))))
    r = d.rows("negative_amount")  # spread over the four amounts
    for k, (col, values) in enumerate((("gross_amount", o.gross), ("discount_amount", o.discount),
                                       ("shipping_amount", o.shipping), ("refunded_amount", o.refunded))):
        rk = r[np.arange(len(r)) % 4 == k]
        d.patch(rk, **{col: decimals(-np.where(values[rk] > 0, values[rk], 500), 2)})
    r = d.rows("discount_exceeds_gross")
    d.patch(r, discount_amount=decimals(o.gross[r] + rng.integers(100, 5000, len(r)), 2))
    r = d.rows("unparseable_updated_at")
    d.patch(r, updated_at=pa.array(_cycle(UNPARSEABLE_TIMESTAMPS, len(r)), pa.string()))
    r = d.rows("unknown_currency")
    d.patch(r, currency=pa.array(_cycle(UNKNOWN_CURRENCIES, len(r)), pa.string()))

    rejected = np.zeros(n, bool)
    rejected[d.claimed_rows(REJECT_REASONS["orders"])] = True
    return rejected


def dirty_items(d: Dirt, lines: Lines, emitted: I64, usable_order: Bool) -> None:
    """Spoil items of usable orders only, so each spoiled item has exactly one reason."""
    eligible = usable_order[lines.order[emitted]]
    csv = d.fmt == "csv"
    d.append(d.rows("duplicate_identical", eligible))
    r = d.rows("missing_order_id", eligible)
    d.patch(r, order_id=_blank(len(r)))
    r = d.rows("missing_line_number", eligible)
    d.patch(r, line_number=pa.nulls(len(r), pa.int64()))
    r = d.rows("missing_product_id", eligible)
    d.patch(r, product_id=_blank(len(r)))
    r = d.rows("invalid_quantity", eligible)
    d.patch(r, quantity=pa.array(_cycle(["0", "-1", None, "two"], len(r)), pa.string()) if csv
            else pa.array(_cycle([0, -1, None], len(r)), pa.int64()))
    r = d.rows("invalid_unit_price", eligible)
    unit, k = lines.unit[emitted[r]], np.arange(len(r)) % 3
    bad = decimals(-unit, 2, k == 1)  # negative or null
    if csv:  # or a currency sign: unparseable
        yen = pc.binary_join_element_wise("¥", csv_strings(decimals(unit, 2)), "")
        bad = pc.if_else(pa.array(k == 2), yen, csv_strings(bad))
    d.patch(r, unit_price=bad)
    r = d.rows("unknown_order", eligible)
    d.patch(r, order_id=_unknown_ids("O", _UNKNOWN_ORDER_BASE, len(r), 10))


def dirty_simple(d: Dirt, build: Builder) -> None:
    """The few kinds of products, fx_rates, events and support_tickets."""
    t, csv = d.table, d.fmt == "csv"
    d.append(d.rows("duplicate_identical"))
    if t == "products":
        r = d.rows("missing_product_id")  # a blank-id copy, so the catalogue stays whole
        d.append(r, product_id=_blank(len(r)))
    elif t == "fx_rates":
        r = d.rows("missing_currency")
        d.patch(r, currency=_blank(len(r)))
        r = d.rows("missing_rate_date")
        d.patch(r, rate_date=pa.nulls(len(r), pa.date32()))
        r = d.rows("invalid_rate")
        rate, k = build(r).column("rate_to_cny").combine_chunks(), np.arange(len(r)) % 4
        bad = pc.if_else(pa.array(k == 0), pa.scalar(Decimal(0), rate.type), pc.negate(rate))  # zero or negative
        bad = pc.if_else(pa.array(k == 2), pa.scalar(None, rate.type), bad)  # or null
        if csv:  # or a decimal comma: unparseable
            bad = pc.if_else(pa.array(k == 3), pc.replace_substring(csv_strings(rate), ".", ","), csv_strings(bad))
        d.patch(r, rate_to_cny=bad)
    elif t == "events":
        r = d.rows("missing_event_id")
        d.patch(r, event_id=_blank(len(r)))
        r = d.rows("missing_occurred_at")
        d.patch(r, occurred_at=pa.nulls(len(r), pa.timestamp("us")))
        r = d.rows("unknown_event_type")
        d.patch(r, event_type=pa.array(_cycle(UNKNOWN_EVENT_TYPES, len(r)), pa.string()))
    elif t == "support_tickets":
        r = d.rows("missing_ticket_id")
        d.patch(r, ticket_id=_blank(len(r)))
        r = d.rows("missing_opened_at")
        d.patch(r, opened_at=pa.nulls(len(r), pa.timestamp("us")))
