"""Reference implementation of Stratify's core definitions, in plain Python.

This is what the end-to-end tests compare the dbt marts with. It re-implements, from
the written rules only (not from the SQL), the definitions in

* ``../shared/DATA_CONTRACT.md``, section 2 (person, net revenue, qualifying order,
  as_of_date, recency / frequency / monetary, quantile scores, ABC class, lifecycle), and
* ``docs/cleaning_and_identity.md`` (normalisation, deduplication, identity stitching,
  person key).

It is meant for CLEAN raw data: it applies the normalisation rules (trimming, code case,
email and phone normalisation) and the obvious validity checks, but it does not try to
reproduce every reject reason of a dirty load. Where clean data could still be ambiguous
(two versions of a row with the same latest ``updated_at`` but different content) it
raises ``OracleInputError`` rather than guess.

Only pyarrow (Parquet) and the csv module are used, and only to READ the files. All logic
is plain Python: dicts, sets, ``decimal.Decimal`` (with a context that traps any rounding,
so money is exact), ``hashlib`` and ``datetime``.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

# Every Decimal operation below runs in this context: ample precision, and any rounding
# (Inexact) raises, so a money value is either exact or the oracle stops.
EXACT = decimal.Context(
    prec=200,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

KNOWN_STATUSES = {"completed", "returned", "cancelled", "pending"}
PURCHASE_STATUSES = {"completed", "returned"}  # count as purchases (seed order_statuses)
KNOWN_CHANNELS = {"web", "app", "store", "marketplace"}
MIN_VALID_ORDER_DATE = dt.datetime(2000, 1, 1)
AMOUNT_COLUMNS = ("gross_amount", "discount_amount", "shipping_amount", "refunded_amount")


class OracleInputError(ValueError):
    """The raw data is outside what the oracle can judge unambiguously."""


@dataclass(frozen=True)
class Params:
    """The business vars of the project (dbt_project.yml), with their defaults."""

    as_of_date: dt.date | None = None
    lookback_days: int = 365
    score_buckets: int = 5
    abc_a_share: Decimal = Decimal("0.80")
    abc_b_share: Decimal = Decimal("0.95")
    lifecycle_new_days: int = 30
    lifecycle_reactivated_recency_days: int = 30
    lifecycle_reactivated_gap_days: int = 180
    lifecycle_active_days: int = 90
    lifecycle_at_risk_days: int = 180
    lifecycle_dormant_days: int = 365


# --------------------------------------------------------------------------------------
# Reading raw files
# --------------------------------------------------------------------------------------


def read_raw_table(raw_dir: str | Path, table: str) -> list[dict[str, Any]]:
    """Rows of ``<raw_dir>/<table>.parquet`` (preferred, like the project) or ``.csv``."""
    raw_dir = Path(raw_dir)
    parquet_path, csv_path = raw_dir / f"{table}.parquet", raw_dir / f"{table}.csv"
    if parquet_path.exists():
        import pyarrow.parquet as pq  # reading only

        return pq.read_table(parquet_path).to_pylist()
    if csv_path.exists():
        with csv_path.open(newline="", encoding="utf-8") as handle:
            # An empty CSV field is NULL for the project; None here too.
            return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]
    raise FileNotFoundError(f"neither {parquet_path} nor {csv_path} exists")


# --------------------------------------------------------------------------------------
# Value parsing and normalisation (docs/cleaning_and_identity.md, "Normalisation")
# --------------------------------------------------------------------------------------


def clean_text(value: Any) -> str | None:
    """Trimmed text; an empty string is null."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def clean_code(value: Any, upper: bool = False) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    return text.upper() if upper else text.lower()


def parse_timestamp(value: Any) -> dt.datetime | None:
    """A UTC timestamp as a naive datetime; None when missing or unparseable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = clean_text(value)
        if text is None:
            return None
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def parse_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_decimal(value: Any) -> Decimal | None:
    """An exact Decimal; a float is taken by its shortest repr (what was written)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        text = clean_text(value)
        if text is None:
            return None
        try:
            result = Decimal(text)
        except decimal.InvalidOperation:
            return None
    return result if result.is_finite() else None


def parse_money(value: Any) -> Decimal | None:
    """A decimal(18,2) amount. More than 2 decimals is not clean data: stop."""
    amount = parse_decimal(value)
    if amount is not None and amount != amount.quantize(Decimal("0.01"), context=decimal.Context(prec=60)):
        raise OracleInputError(f"amount {value!r} has more than 2 decimal places")
    return amount


_EMAIL_PATTERN = re.compile(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}")
_WHITESPACE = re.compile(r"\s")


def normalize_email(value: Any) -> str | None:
    """Lower-cased, every whitespace character removed; None when not a valid address."""
    if value is None:
        return None
    email = _WHITESPACE.sub("", str(value)).lower()
    return email if _EMAIL_PATTERN.fullmatch(email) else None


def normalize_phone(value: Any) -> str | None:
    """E.164 digits without '+' (domestic numbers are Chinese, +86); None when invalid."""
    if value is None:
        return None
    raw = str(value).strip()
    digits = "".join(ch for ch in raw if ch in "0123456789")
    if raw.startswith("+"):
        e164 = digits  # carries its own country code
    elif digits.startswith("00"):
        e164 = digits[2:]  # international prefix
    elif digits.startswith("0"):
        e164 = "86" + digits[1:]  # domestic, trunk prefix
    elif len(digits) == 11 and digits.startswith("1"):
        e164 = "86" + digits  # domestic mobile
    else:
        e164 = digits
    return e164 if 10 <= len(e164) <= 15 else None


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_or_none(normalized: str | None) -> str | None:
    return None if normalized is None else sha256_hex(normalized)


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------
# Deduplication (latest updated_at wins; a null updated_at is the oldest)
# --------------------------------------------------------------------------------------


def keep_latest(rows: Iterable[dict[str, Any]], key_columns: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
    """One row per key: the one with the latest ``updated_at``.

    Rows tied on the latest ``updated_at`` must be identical (after normalisation);
    otherwise the winner is not defined by the rules and the oracle refuses to guess.
    """
    best: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[c] for c in key_columns)
        current = best.get(key)
        if current is None:
            best[key] = row
            continue
        new_ts, old_ts = row.get("updated_at"), current.get("updated_at")
        if new_ts is not None and (old_ts is None or new_ts > old_ts):
            best[key] = row
        elif new_ts == old_ts and row != current:
            raise OracleInputError(f"key {key}: two different versions with the same updated_at {new_ts}")
    return best


# --------------------------------------------------------------------------------------
# Staging: the usable, deduplicated rows of customers, orders and fx_rates
# --------------------------------------------------------------------------------------


def stage_customers(raw_rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Latest usable row per customer_id, with email/phone hashes."""
    checked = []
    for raw in raw_rows:
        row = {
            "customer_id": clean_text(raw.get("customer_id")),
            "email_hash": hash_or_none(normalize_email(raw.get("email"))),
            "phone_hash": hash_or_none(normalize_phone(raw.get("phone"))),
            "signup_at": parse_timestamp(raw.get("signup_at")),
            "updated_at": parse_timestamp(raw.get("updated_at")),
        }
        if row["customer_id"] is None:
            continue
        if clean_text(raw.get("signup_at")) is not None and row["signup_at"] is None:
            continue
        if clean_text(raw.get("updated_at")) is not None and row["updated_at"] is None:
            continue
        checked.append(row)
    return {key[0]: row for key, row in keep_latest(checked, ("customer_id",)).items()}


def stage_fx_rates(raw_rows: list[dict[str, Any]]) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """Per currency, its (rate_date, rate_to_cny) pairs sorted by date."""
    rates: dict[tuple[str, dt.date], Decimal] = {}
    for raw in raw_rows:
        currency = clean_code(raw.get("currency"), upper=True)
        rate_date = parse_date(raw.get("rate_date"))
        rate = parse_decimal(raw.get("rate_to_cny"))
        if currency is None or rate_date is None or rate is None or rate <= 0:
            continue
        if (currency, rate_date) in rates and rates[(currency, rate_date)] != rate:
            raise OracleInputError(f"two different rates for {currency} on {rate_date}")
        rates[(currency, rate_date)] = rate
    by_currency: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for (currency, rate_date), rate in sorted(rates.items()):
        by_currency.setdefault(currency, []).append((rate_date, rate))
    return by_currency


def rate_on(fx: dict[str, list[tuple[dt.date, Decimal]]], currency: str, day: dt.date) -> Decimal | None:
    """Rate of the latest rate_date on or before ``day``; CNY is 1; None if there is none."""
    if currency == "CNY":
        return Decimal(1)
    rate = None
    for rate_date, value in fx.get(currency, []):
        if rate_date > day:
            break
        rate = value
    return rate


def _order_is_valid(row: dict[str, Any], raw: dict[str, Any], now: dt.datetime) -> bool:
    """The order checks before conversion (first ones of the reject list), as one boolean."""
    ordered_at = row["ordered_at"]
    amounts = [row[c] for c in AMOUNT_COLUMNS]
    return not (
        row["order_id"] is None
        or ordered_at is None
        or ordered_at > now
        or ordered_at < MIN_VALID_ORDER_DATE
        or row["status"] not in KNOWN_STATUSES
        or row["channel"] not in KNOWN_CHANNELS
        or row["currency"] is None
        or any(a is None for a in amounts)
        or any(a < 0 for a in amounts)
        or row["discount_amount"] > row["gross_amount"]
        or (clean_text(raw.get("updated_at")) is not None and row["updated_at"] is None)
    )


def stage_orders(raw_rows: list[dict[str, Any]], fx, now: dt.datetime) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Orders by order_id: the staged ones (validated, latest version), which name persons
    whether or not they convert, and the usable ones (converted to CNY)."""
    checked = []
    for raw in raw_rows:
        row = {
            "order_id": clean_text(raw.get("order_id")),
            "customer_id": clean_text(raw.get("customer_id")),
            "contact_email_hash": hash_or_none(normalize_email(raw.get("contact_email"))),
            "contact_phone_hash": hash_or_none(normalize_phone(raw.get("contact_phone"))),
            "channel": clean_code(raw.get("channel")),
            "ordered_at": parse_timestamp(raw.get("ordered_at")),
            "status": clean_code(raw.get("status")),
            "currency": clean_code(raw.get("currency"), upper=True),
            "updated_at": parse_timestamp(raw.get("updated_at")),
            **{c: parse_money(raw.get(c)) for c in AMOUNT_COLUMNS},
        }
        if _order_is_valid(row, raw, now):
            checked.append(row)

    staged = {order_id: row for (order_id,), row in keep_latest(checked, ("order_id",)).items()}
    usable = {}
    with decimal.localcontext(EXACT):
        for order_id, row in staged.items():
            order_date = row["ordered_at"].date()  # the UTC date of ordered_at
            rate = rate_on(fx, row["currency"], order_date)
            if rate is None:
                continue  # unknown_currency / missing_fx_rate: not usable
            # Net revenue: gross - discount - refunded (shipping excluded), times the rate,
            # exactly (the EXACT context raises rather than round).
            net_amount = row["gross_amount"] - row["discount_amount"] - row["refunded_amount"]
            usable[order_id] = {
                **row,
                "order_date": order_date,
                "net_revenue_cny": net_amount * rate,
                "is_qualifying": row["status"] in PURCHASE_STATUSES and net_amount > 0,
            }
    return staged, usable


# --------------------------------------------------------------------------------------
# Identity stitching (docs/cleaning_and_identity.md, "Persons")
# --------------------------------------------------------------------------------------


class UnionFind:
    """Disjoint sets of hashable nodes."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def add(self, node) -> None:
        self.parent.setdefault(node, node)

    def find(self, node):
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a, b) -> None:
        self.add(a)
        self.add(b)
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a

    def components(self) -> dict[Any, set]:
        groups: dict[Any, set] = {}
        for node in self.parent:
            groups.setdefault(self.find(node), set()).add(node)
        return groups


def anchor_of(component: set[tuple[str, str]]) -> str:
    """'customer_id:<min member id>' if the component has a member, else the min of
    'email:<hash>' / 'phone:<hash>'."""
    member_ids = [value for kind, value in component if kind == "customer_id"]
    if member_ids:
        return "customer_id:" + min(member_ids)
    return min(f"{kind}:{value}" for kind, value in component)


@dataclass
class Identity:
    person_of_node: dict[tuple[str, str], str]  # (identifier_type, identifier) -> person_key
    person_of_order: dict[str, str | None]  # order_id -> person_key (None: unattributed)
    components: dict[str, set[tuple[str, str]]]  # person_key -> its nodes

    def identity_map_rows(self) -> set[tuple[str, str, str]]:
        return {(kind, value, key) for (kind, value), key in self.person_of_node.items()}


def stitch_identities(customers: dict[str, dict[str, Any]], orders: dict[str, dict[str, Any]]) -> Identity:
    graph = UnionFind()

    # 1. Member graph: every member id (customers, plus ids seen only on staged orders,
    #    converted to CNY or not),
    #    joined to the valid email and phone hashes of its latest customers row.
    for customer_id in customers:
        graph.add(("customer_id", customer_id))
    for order in orders.values():
        if order["customer_id"] is not None:
            graph.add(("customer_id", order["customer_id"]))
    for customer_id, customer in customers.items():
        for kind, value in (("email", customer["email_hash"]), ("phone", customer["phone_hash"])):
            if value is not None:
                graph.union(("customer_id", customer_id), (kind, value))

    member_emails = {c["email_hash"] for c in customers.values() if c["email_hash"] is not None}
    member_phones = {c["phone_hash"] for c in customers.values() if c["phone_hash"] is not None}

    # 2./3. Guest orders: a member's email first, then a member's phone; otherwise the
    #       order's own email and phone form (part of) a guest person.
    order_node: dict[str, tuple[str, str] | None] = {}
    for order_id, order in orders.items():
        email, phone = order["contact_email_hash"], order["contact_phone_hash"]
        if order["customer_id"] is not None:
            order_node[order_id] = ("customer_id", order["customer_id"])
        elif email is not None and email in member_emails:
            order_node[order_id] = ("email", email)
        elif phone is not None and phone in member_phones:
            order_node[order_id] = ("phone", phone)
        else:
            own = [(kind, value) for kind, value in (("email", email), ("phone", phone)) if value is not None]
            for node in own:
                graph.add(node)
            if len(own) == 2:
                graph.union(own[0], own[1])
            order_node[order_id] = own[0] if own else None

    # 4. Person key: md5 hex of the component's anchor.
    person_of_node: dict[tuple[str, str], str] = {}
    components: dict[str, set[tuple[str, str]]] = {}
    for nodes in graph.components().values():
        person_key = md5_hex(anchor_of(nodes))
        components[person_key] = nodes
        for node in nodes:
            person_of_node[node] = person_key

    person_of_order = {
        order_id: (None if node is None else person_of_node[node]) for order_id, node in order_node.items()
    }
    return Identity(person_of_node, person_of_order, components)


# --------------------------------------------------------------------------------------
# Metrics and scores (DATA_CONTRACT.md, section 2)
# --------------------------------------------------------------------------------------


def quantile_scores(values: dict[str, Any], n: int) -> dict[str, int]:
    """score = 1 + floor(n * (rank - 1) / N), rank() ascending (ties share the lowest rank)."""
    population = len(values)
    ordered = sorted(values.values())
    first_position: dict[Any, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)  # rank() = 1 + number of smaller values
    return {key: 1 + (n * (first_position[value] - 1)) // population for key, value in values.items()}


def abc_classes(monetary: dict[str, Decimal], a_share: Decimal, b_share: Decimal) -> dict[str, str]:
    """Pareto classes: by monetary desc, person_key asc; share_before < a -> A, < b -> B."""
    with decimal.localcontext(EXACT):
        total = sum(monetary.values(), Decimal(0))
        classes = {}
        revenue_before = Decimal(0)
        for key in sorted(monetary, key=lambda k: (-monetary[k], k)):
            # share_before < x  <=>  revenue_before < x * total (total > 0): no division,
            # so the comparison is exact.
            if monetary[key] == 0:
                classes[key] = "C"
            elif revenue_before < a_share * total:
                classes[key] = "A"
            elif revenue_before < b_share * total:
                classes[key] = "B"
            else:
                classes[key] = "C"
            revenue_before += monetary[key]
    return classes


def lifecycle_stage(first: dt.date, last: dt.date, previous: dt.date | None, as_of: dt.date, p: Params) -> str:
    """First match wins: new, reactivated, active, at_risk, dormant, churned."""
    recency_days = (as_of - last).days
    if (as_of - first).days <= p.lifecycle_new_days:
        return "new"
    if (
        recency_days <= p.lifecycle_reactivated_recency_days
        and previous is not None
        and (last - previous).days > p.lifecycle_reactivated_gap_days
    ):
        return "reactivated"
    if recency_days <= p.lifecycle_active_days:
        return "active"
    if recency_days <= p.lifecycle_at_risk_days:
        return "at_risk"
    if recency_days <= p.lifecycle_dormant_days:
        return "dormant"
    return "churned"


@dataclass
class OracleResult:
    as_of_date: dt.date | None
    customer_rfm: dict[str, dict[str, Any]]  # person_key -> the row of marts.customer_rfm
    identity: Identity
    orders: dict[str, dict[str, Any]]  # usable orders, with person_key
    customers: dict[str, dict[str, Any]]  # latest usable customers rows
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)  # person_key -> summary


def compute(tables: dict[str, list[dict[str, Any]]], params: Params = Params(), now: dt.datetime | None = None) -> OracleResult:
    """The oracle: raw tables (as read by ``read_raw_table``) -> expected marts."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    fx = stage_fx_rates(tables["fx_rates"])
    customers = stage_customers(tables["customers"])
    staged_orders, orders = stage_orders(tables["orders"], fx, now)
    identity = stitch_identities(customers, staged_orders)
    for order_id, order in orders.items():
        order["person_key"] = identity.person_of_order[order_id]

    qualifying = [o for o in orders.values() if o["is_qualifying"]]
    # as_of_date: the var, else the latest order date of any qualifying order (attributed or not).
    as_of = params.as_of_date or max((o["order_date"] for o in qualifying), default=None)

    # Each person's qualifying orders on or before as_of_date, by (ordered_at, order_id).
    orders_of_person: dict[str, list[dict[str, Any]]] = {}
    for order in sorted(qualifying, key=lambda o: (o["ordered_at"], o["order_id"])):
        if order["person_key"] is not None and as_of is not None and order["order_date"] <= as_of:
            orders_of_person.setdefault(order["person_key"], []).append(order)

    window_start = None if as_of is None else as_of - dt.timedelta(days=params.lookback_days)
    metrics: dict[str, dict[str, Any]] = {}
    with decimal.localcontext(EXACT):
        for person_key, person_orders in orders_of_person.items():
            in_window = [o for o in person_orders if window_start < o["order_date"] <= as_of]
            first, last = person_orders[0]["order_date"], person_orders[-1]["order_date"]
            previous = person_orders[-2]["order_date"] if len(person_orders) > 1 else None
            metrics[person_key] = {
                "person_key": person_key,
                "as_of_date": as_of,
                "recency_days": (as_of - last).days,
                "frequency": len(in_window),
                "monetary": sum((o["net_revenue_cny"] for o in in_window), Decimal(0)),
                "lifecycle_stage": lifecycle_stage(first, last, previous, as_of, params),
                "first_order_date": first,
                "last_order_date": last,
                "lifetime_orders": len(person_orders),
                "lifetime_net_revenue_cny": sum((o["net_revenue_cny"] for o in person_orders), Decimal(0)),
            }

    n = params.score_buckets
    r_scores = quantile_scores({k: -m["recency_days"] for k, m in metrics.items()}, n)
    f_scores = quantile_scores({k: m["frequency"] for k, m in metrics.items()}, n)
    m_scores = quantile_scores({k: m["monetary"] for k, m in metrics.items()}, n)
    abc = abc_classes({k: m["monetary"] for k, m in metrics.items()}, params.abc_a_share, params.abc_b_share)

    customer_rfm = {}
    for key, m in metrics.items():
        customer_rfm[key] = {
            **m,
            "r_score": r_scores[key],
            "f_score": f_scores[key],
            "m_score": m_scores[key],
            "rfm_cell": f"{r_scores[key]}{f_scores[key]}{m_scores[key]}",
            "abc_class": abc[key],
        }

    persons = {}
    for key, nodes in identity.components.items():
        member_ids = {value for kind, value in nodes if kind == "customer_id"}
        persons[key] = {
            "person_key": key,
            "member_id_count": len(member_ids),
            "person_type": (
                "member" if member_ids & customers.keys() else "order_only_member" if member_ids else "guest"
            ),
            "is_scored": key in metrics,
            "lifecycle_stage": metrics[key]["lifecycle_stage"] if key in metrics else "prospect",
            "lifetime_orders": metrics[key]["lifetime_orders"] if key in metrics else 0,
            "lifetime_net_revenue_cny": metrics[key]["lifetime_net_revenue_cny"] if key in metrics else Decimal(0),
            "first_order_date": metrics[key]["first_order_date"] if key in metrics else None,
            "last_order_date": metrics[key]["last_order_date"] if key in metrics else None,
            "as_of_date": as_of,
        }

    return OracleResult(as_of, customer_rfm, identity, orders, customers, persons)


RAW_TABLES_USED = ("customers", "orders", "fx_rates")


def compute_from_dir(raw_dir: str | Path, params: Params = Params(), now: dt.datetime | None = None) -> OracleResult:
    return compute({t: read_raw_table(raw_dir, t) for t in RAW_TABLES_USED}, params, now)


def clv_summary(result: OracleResult, end: dt.date, days_per_unit: int = 1) -> dict[str, dict[str, Any]]:
    """The CLV models' summary as of ``end`` (docs/clv.md), per person with a qualifying
    order on or before it: a purchase is a day with qualifying orders (up to as_of_date);
    x = purchases after the first, t_x and T = days from the first purchase to the last one
    and to ``end`` (in units of ``days_per_unit``), mean net revenue of the repeat purchases,
    and the purchases after ``end`` up to as_of_date."""
    days: dict[str, dict[dt.date, Decimal]] = {}
    for order in result.orders.values():
        if order["is_qualifying"] and order["person_key"] is not None and order["order_date"] <= result.as_of_date:
            person = days.setdefault(order["person_key"], {})
            person[order["order_date"]] = person.get(order["order_date"], Decimal(0)) + order["net_revenue_cny"]
    summary = {}
    for person_key, spend_by_day in days.items():
        before = sorted(day for day in spend_by_day if day <= end)
        if not before:
            continue
        first, last, repeats = before[0], before[-1], before[1:]
        summary[person_key] = {
            "repeat_purchases": len(repeats),
            "recency_t_x": (last - first).days / days_per_unit,
            "age_t": (end - first).days / days_per_unit,
            "repeat_purchase_mean_cny": (sum(spend_by_day[d] for d in repeats) / len(repeats)) if repeats else None,
            "purchases_after": sum(1 for day in spend_by_day if day > end),
        }
    return summary
