"""One more day of raw data in a generated directory, as a daily load delivers it.

Why: incremental builds have to be tested and benchmarked on data that grows the way
real loads do: a day of new orders (with their items and the day's fx rates), and late
status changes of older orders re-delivered as newer rows. After an append, the
manifest must still say exactly what becomes of every raw row, so the reconciliation
tests keep holding.

How: the files are read with DuckDB as text, dirty values included. New rows are
copies of existing rows the project certainly uses (template orders with their items,
the latest rate per currency), re-id'd and re-dated: amounts, currencies and products
stay plausible and consistent without a second simulation. So every appended row is a
used row, except that a re-delivered order turns its older row into a duplicate;
nothing else in the manifest moves. Existing rows are never changed (raw tables are
append-only): parquet is rewritten group by group with the new rows as one more row
group, csv gets new lines after its bytes. Each file goes to a temp file that is then
renamed over it; manifest.json last.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from stratify.devdata.generate import (
    CHANNELS,
    CURRENCIES,
    DAY,
    DOMAINS,
    I64,
    STATUSES,
    Bool,
    Format,
    GeneratorConfig,
    csv_strings,
    decimals,
    order_ids,
    schema,
    seconds_of_day,
    timestamps,
)
from stratify.engines.load import RawInputError, raw_files

# read to find templates and candidates; only the first three get rows
_READ = ("orders", "order_items", "fx_rates", "customers", "products")
_STREAM = 300  # spawn key of append's random stream (with the day): apart from generate's streams
_RETURN_AGE_DAYS = (7, 42)  # late returns arrive for orders this many days old
_RETURN_SHARE = 0.01
_TEMPLATE_DAYS = 90  # new orders copy recent orders: today's prices and channel mix
# a new order is seldom settled on its first day; "returned" comes later, as a re-delivery
_NEW_STATUS_P = dict(zip(STATUSES, (0.9, 0.0, 0.03, 0.07)))
_MEMBER, _MEMBER_AS_GUEST, _NEW_GUEST = 0, 1, 2


@dataclass(frozen=True)
class AppendedDay:
    """What one append added; recorded in manifest.json under `appended_days`."""

    date: date
    seed: int
    orders: int
    member_orders: int
    guest_orders_of_members: int
    new_guest_orders: int
    first_order_id: str
    last_order_id: str
    order_items: int
    returns: int
    returned_order_ids: list[str]
    fx_rates: int

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "date": self.date.isoformat()}


def append_day(raw_dir: Path | str, *, seed: int = 42, orders: int | None = None,
               returns: int | None = None) -> AppendedDay:
    """Append the day after the latest order date to `raw_dir` in place; return what was added.

    `orders` defaults to the average number of orders per day, `returns` to 1% of them
    (at least 1). Same data and seed give the same bytes. Without manifest.json the rows
    are appended all the same, and no counts are kept. Raises RawInputError (a
    ValueError) when a table is missing or is not as the generator writes it, ValueError
    when the data cannot give what is asked.
    """
    if orders is not None and orders < 1:
        raise ValueError("--orders must be at least 1")
    if returns is not None and returns < 0:
        raise ValueError("--returns must be at least 0")
    raw_dir = Path(raw_dir)
    files, fmt = _files(raw_dir)
    manifest_path = raw_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else None

    con = _connect(files)
    try:
        day = _next_day(con, files["orders"], _horizon(manifest))
        n_orders = orders if orders is not None else _orders_per_day(con, _first_day(manifest), day)
        n_returns = returns if returns is not None else max(1, round(_RETURN_SHARE * n_orders))
        # the day is part of the stream: appending day after day with one seed differs per day
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM, day.toordinal())))
        _usable_tables(con, day)
        new_orders, items, kinds = _new_orders(con, rng, fmt, day, n_orders, _guest_shares(manifest))
        redelivered = _returns(con, rng, fmt, day, n_returns)
        rates = _day_rates(con, fmt, day)
    finally:
        con.close()

    ids = new_orders.column("order_id").to_pylist()
    appended = AppendedDay(
        date=day, seed=seed, orders=n_orders, member_orders=int((kinds == _MEMBER).sum()),
        guest_orders_of_members=int((kinds == _MEMBER_AS_GUEST).sum()),
        new_guest_orders=int((kinds == _NEW_GUEST).sum()), first_order_id=ids[0], last_order_id=ids[-1],
        order_items=items.num_rows, returns=redelivered.num_rows,
        returned_order_ids=redelivered.column("order_id").to_pylist(), fx_rates=rates.num_rows,
    )
    additions = {"orders": pa.concat_tables([new_orders, redelivered]), "order_items": items, "fx_rates": rates}
    text = None if manifest is None else json.dumps(_updated_manifest(manifest, appended), indent=2,
                                                    ensure_ascii=False) + "\n"
    _replace(files, fmt, additions, manifest_path, text)
    return appended


# ---------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------
def _files(raw_dir: Path) -> tuple[dict[str, Path], Format]:
    """The files of the tables read, all of one format and with the generator's columns."""
    if not raw_dir.is_dir():
        raise RawInputError(f"raw dir {raw_dir} does not exist")
    files = raw_files(raw_dir, {t: schema(t).names for t in _READ})
    fmt: Format = "parquet" if files["orders"].suffix == ".parquet" else "csv"
    for table, path in files.items():
        if path.suffix != f".{fmt}":
            raise RawInputError(f"raw table '{table}': {path.name} beside orders.{fmt}; append-day keeps one format")
        if fmt == "parquet":
            found = pq.read_schema(path).remove_metadata()
            ok = found == schema(table)
        else:
            with path.open("rb") as handle:
                found = pcsv.read_csv(io.BytesIO(handle.readline())).schema
            ok = found.names == schema(table).names
        if not ok:
            raise RawInputError(f"raw table '{table}': {path} does not have the generator's columns and types "
                                f"(found: {', '.join(found.names)})")
    return files, fmt


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _connect(files: dict[str, Path]) -> duckdb.DuckDBPyConnection:
    """native_<t>: the file as it is (typed parquet, or csv text as the project reads it);
    text_<t>: every column as text, so one set of checks serves both formats."""
    con = duckdb.connect()
    for table, path in files.items():
        reader = (f"read_parquet({_sql_path(path)})" if path.suffix == ".parquet"
                  else f"read_csv({_sql_path(path)}, header = true, all_varchar = true)")
        con.sql(f"create view native_{table} as select * from {reader}")
        con.sql(f"create view text_{table} as select columns(*)::varchar from native_{table}")
    con.sql("create macro as_ts(x) as try_cast(nullif(trim(x), '') as timestamp)")
    con.sql("create macro as_money(x) as try_cast(nullif(trim(x), '') as decimal(18, 2))")
    return con


def _horizon(manifest: dict[str, Any] | None) -> date:
    """The last day the data can hold: dirty rows dated years ahead must not move the day."""
    if manifest is None:
        return datetime.now(timezone.utc).date()
    days = [manifest.get("params", {}).get("end")] + [d["date"] for d in manifest.get("appended_days", [])]
    known = [date.fromisoformat(d) for d in days if d]
    return max(known) if known else datetime.now(timezone.utc).date()


def _first_day(manifest: dict[str, Any] | None) -> date | None:
    start = (manifest or {}).get("params", {}).get("start")
    return date.fromisoformat(start) if start else None


def _next_day(con: duckdb.DuckDBPyConnection, orders_file: Path, horizon: date) -> date:
    latest = con.execute("""
        select max(cast(as_ts(ordered_at) as date)) from text_orders
        where as_ts(ordered_at) >= timestamp '2000-01-01' and cast(as_ts(ordered_at) as date) <= ?""",
                         [horizon]).fetchone()
    if latest is None or latest[0] is None:
        raise ValueError(f"{orders_file}: no order dated from 2000-01-01 to {horizon}, so no day to append after")
    last_day: date = latest[0]
    return last_day + timedelta(days=1)


def _orders_per_day(con: duckdb.DuckDBPyConnection, first: date | None, day: date) -> int:
    """Distinct orders per day from the first day of the data (the generator's start when
    known: rows spoiled to dates long before it must not stretch the span) to the day before."""
    first_found, orders = con.execute("""
        select min(order_date), count(distinct order_id) filter (where order_date >= coalesce(?, date '2000-01-01'))
        from (select order_id, cast(as_ts(ordered_at) as date) as order_date from text_orders
              where nullif(trim(order_id), '') is not null and as_ts(ordered_at) >= timestamp '2000-01-01'
                and as_ts(ordered_at) < ?)""", [first, day]).fetchone()  # type: ignore[misc]
    span = (day - (first or first_found)).days
    return max(1, round(orders / span)) if span > 0 else max(1, orders)


def _guest_shares(manifest: dict[str, Any] | None) -> tuple[float, float]:
    """(member orders placed as guest, orders of brand-new guests), as the data was generated."""
    config = (manifest or {}).get("config", {})
    return (float(config.get("guest_checkout_share", GeneratorConfig.guest_checkout_share)),
            float(config.get("true_guest_order_share", GeneratorConfig.true_guest_order_share)))


def _codes(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _usable_tables(con: duckdb.DuckDBPyConnection, day: date) -> None:
    """Rows the project certainly uses, as the generator writes clean rows (exact codes and
    ids, parseable values): copies of them are used rows too, whatever dirt the data holds."""
    con.execute(f"""
        create temp table rates as
        select currency, try_cast(rate_date as date) as rate_date from text_fx_rates
        where currency in {_codes(CURRENCIES)} and try_cast(rate_date as date) is not null
          and try_cast(rate_to_cny as decimal(18, 8)) > 0""")
    con.execute(f"""
        create temp table usable_orders as
        select order_id, customer_id, status, as_ts(ordered_at) as ordered_at, as_ts(updated_at) as updated_at,
               as_money(gross_amount) as gross, as_money(discount_amount) as discount
        from text_orders o
        where regexp_full_match(order_id, 'O[0-9]{{10,}}')
          and status in {_codes(STATUSES)} and channel in {_codes(CHANNELS)} and currency in {_codes(CURRENCIES)}
          and as_ts(ordered_at) >= timestamp '2000-01-01' and as_ts(updated_at) >= as_ts(ordered_at)
          and as_ts(updated_at) < $day
          and as_money(discount_amount) between 0 and as_money(gross_amount)
          and as_money(refunded_amount) between 0 and as_money(gross_amount) - as_money(discount_amount)
          and as_money(shipping_amount) >= 0
          and (currency = 'CNY' or exists (select 1 from rates r where r.currency = o.currency
                                           and r.rate_date <= cast(as_ts(o.ordered_at) as date)))""",
                {"day": day})
    # per order_id: its rows, and how many different rows carry the latest updated_at
    con.execute("""
        create temp table versions as
        with stamped as (
            select order_id, as_ts(updated_at) as updated_at, o as content,
                   max(as_ts(updated_at)) over (partition by order_id) as latest
            from text_orders o where order_id is not null)
        select order_id, count(*) as n_rows, any_value(latest) as latest,
               count(distinct content) filter (where updated_at = latest) as latest_contents
        from stamped group by order_id""")
    # orders whose items are all usable, numbered 1..n, and add up to the order's gross
    con.execute("""
        create temp table item_orders as
        with lines as (
            select order_id, try_cast(line_number as bigint) as line_number,
                   try_cast(quantity as bigint) as quantity, as_money(unit_price) as unit_price,
                   coalesce(regexp_full_match(product_id, 'P[0-9]{6}')
                            and product_id in (select product_id from text_products), false)
                       and coalesce(as_money(unit_cost) >= 0, unit_cost is null) as ok
            from text_order_items)
        select order_id, count(*) as n_lines, count(distinct line_number) as n_numbers,
               min(line_number) as first_line, max(line_number) as last_line,
               bool_and(coalesce(ok and quantity > 0 and unit_price >= 0, false)) as ok,
               sum(quantity * unit_price) as total
        from lines where order_id is not null group by order_id""")
    # members: a contact that stitching keeps (the rules of macros/cleaning), on their only, usable row
    con.execute(r"""
        create temp table members as
        with contacts as (
            select customer_id, count(*) as n_rows, any_value(email) as email, any_value(phone) as phone,
                   any_value(regexp_replace(phone, '\s', '', 'g')) as raw_phone,
                   bool_and(as_ts(signup_at) is not null and as_ts(updated_at) is not null) as usable
            from text_customers where regexp_full_match(customer_id, 'C[0-9]{8}') group by customer_id),
        digits as (select *, regexp_replace(raw_phone, '[^0-9]', '', 'g') as d from contacts)
        select customer_id,
               case when n_rows = 1 and usable and regexp_full_match(lower(regexp_replace(email, '\s', '', 'g')),
                    '[a-z0-9._%+-]+@[a-z0-9.-]+[.][a-z]{2,}') then email end as email,
               case when n_rows = 1 and usable and length(case
                    when raw_phone like '+%' then d
                    when d like '00%' then d[3:]
                    when d like '0%' then '86' || d[2:]
                    when length(d) = 11 and d like '1%' then '86' || d
                    else d end) between 10 and 15 then phone end as phone
        from digits""")


def _fetch(con: duckdb.DuckDBPyConnection, query: str, table: str, fmt: Format,
           params: dict[str, Any] | None = None) -> pa.Table:
    """Rows of a native_<table> query, typed as the file is (csv: text)."""
    rows = con.execute(query, params or {}).to_arrow_table()
    return rows.cast(_file_schema(table, fmt))


def _file_schema(table: str, fmt: Format) -> pa.Schema:
    typed = schema(table)
    return typed if fmt == "parquet" else pa.schema([(f.name, pa.string()) for f in typed])


def _patched(rows: pa.Table, fmt: Format, **columns: pa.Array) -> pa.Table:
    """Rows with some columns replaced by typed values, written as the generator writes them."""
    for name, values in columns.items():
        i = rows.schema.get_field_index(name)
        rows = rows.set_column(i, name, csv_strings(values) if fmt == "csv" else values)
    return rows


# ---------------------------------------------------------------------------------
# The day's rows
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Templates:
    """Orders a new one may copy: a single row, usable items numbered 1..n adding up to its
    gross. `email`/`phone`: the buyer's contact on their customers row, where stitching keeps it."""

    order_id: list[str]  # sorted
    is_member: Bool
    email: list[str | None]
    phone: list[str | None]

    @property
    def has_contact(self) -> Bool:
        return self.is_member & np.array([e is not None or p is not None for e, p in zip(self.email, self.phone)])


def _templates(con: duckdb.DuckDBPyConnection, day: date) -> _Templates:
    """Recent orders (today's prices and channel mix); in sparse data, any day's."""
    query = """
        select order_id, is_member, email, phone from (
            select o.order_id, o.ordered_at, m.customer_id is not null as is_member, m.email, m.phone
            from usable_orders o
            join versions v on v.order_id = o.order_id and v.n_rows = 1
            join item_orders i on i.order_id = o.order_id and i.ok and i.n_lines = i.n_numbers
                and i.first_line = 1 and i.last_line = i.n_lines and i.total = o.gross
            left join members m on m.customer_id = o.customer_id)
        where ordered_at >= $since order by order_id"""
    since = datetime.combine(day - timedelta(days=_TEMPLATE_DAYS), datetime.min.time())
    pool = (con.execute(query, {"since": since}).fetchall()
            or con.execute(query, {"since": datetime(2000, 1, 1)}).fetchall())
    if not pool:
        raise ValueError("no order with usable items to model new orders on")
    return _Templates(order_id=[r[0] for r in pool], is_member=np.array([r[1] for r in pool], bool),
                      email=[r[2] for r in pool], phone=[r[3] for r in pool])


def _buyers(rng: np.random.Generator, templates: _Templates, n: int, shares: tuple[float, float]) -> tuple[I64, I64]:
    """Kind and template of each new order: members mostly (a template of a member: they buy
    again, in their currency and channel), some of them checking out as guests with their
    own contact, and some brand-new guests (any template, the buyer replaced)."""
    guest_checkout, new_guest = shares
    u = rng.random(n)
    kind = np.where(u < new_guest, _NEW_GUEST,
                    np.where(u < new_guest + guest_checkout * (1 - new_guest), _MEMBER_AS_GUEST, _MEMBER))
    pools = {_MEMBER: np.flatnonzero(templates.is_member), _MEMBER_AS_GUEST: np.flatnonzero(templates.has_contact),
             _NEW_GUEST: np.arange(len(templates.order_id))}
    if not len(pools[_MEMBER_AS_GUEST]):  # tiny or odd data: fall back to what there is
        kind[kind == _MEMBER_AS_GUEST] = _MEMBER
    if not len(pools[_MEMBER]):
        kind[kind == _MEMBER] = _NEW_GUEST
    template = np.empty(n, np.int64)
    for k in (_MEMBER, _MEMBER_AS_GUEST, _NEW_GUEST):
        rows = np.flatnonzero(kind == k)
        template[rows] = pools[k][rng.integers(0, len(pools[k]), len(rows))]
    return kind, template


def _copies(con: duckdb.DuckDBPyConnection, fmt: Format, templates: _Templates,
            template: I64) -> tuple[pa.Table, pa.Table, I64]:
    """The template's order row per new order, their items one after the other, and the
    number of items per new order."""
    picked = np.unique(template)
    con.register("picked", pa.table({"order_id": [templates.order_id[i] for i in picked]}))
    try:
        rows = _fetch(con, "select * from native_orders where order_id in (select order_id from picked) "
                           "order by order_id", "orders", fmt)
        items = _fetch(con, "select * from native_order_items where order_id in (select order_id from picked) "
                            "order by order_id, try_cast(line_number as bigint)", "order_items", fmt)
    finally:
        con.unregister("picked")
    at = np.searchsorted(picked, template)  # both sorted by order_id: row of each template
    item_order = np.array(items.column("order_id").to_pylist())
    first = np.searchsorted(item_order, rows.column("order_id").to_pylist())
    count = np.searchsorted(item_order, rows.column("order_id").to_pylist(), side="right") - first
    lines = count[at]
    ends = np.cumsum(lines)
    take = np.repeat(first[at] - (ends - lines), lines) + np.arange(int(ends[-1]))
    return rows.take(pa.array(at)), items.take(pa.array(take)), lines


def _new_orders(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, fmt: Format, day: date, n: int,
                shares: tuple[float, float]) -> tuple[pa.Table, pa.Table, I64]:
    """n orders on `day` with their items, copied from templates; and the kind of each order."""
    templates = _templates(con, day)
    kind, template = _buyers(rng, templates, n, shares)
    # when: the generator's daily profile; ids follow time, as in the generator
    second = seconds_of_day(rng, n)
    by_time = np.argsort(second, kind="stable")
    kind, template, second = kind[by_time], template[by_time], second[by_time]
    updated = second + np.floor(rng.random(n) * (DAY - second)).astype(np.int64)  # still on the day
    status = rng.choice(len(STATUSES), n, p=list(_NEW_STATUS_P.values()))
    domain = rng.integers(0, len(DOMAINS), n)
    last = con.execute("""select coalesce(max(cast(substr(order_id, 2) as bigint)), 0) from text_orders
                          where regexp_full_match(order_id, 'O[0-9]{10,}')""").fetchone()
    ids = order_ids(np.arange(n, dtype=np.int64) + (last[0] if last else 0))
    orders, items, lines = _copies(con, fmt, templates, template)

    # guests' contacts: a member's own (stitching attributes the order to them), or a new
    # address whose local part (g<day>.<n>) no generated or earlier appended address has
    guest = pa.array(kind != _MEMBER)
    emails: list[str | None] = [None] * n
    phones: list[str | None] = [None] * n
    for i in np.flatnonzero(kind == _MEMBER_AS_GUEST):
        emails[i], phones[i] = templates.email[template[i]], templates.phone[template[i]]
    for number, i in enumerate(np.flatnonzero(kind == _NEW_GUEST), start=1):
        emails[i] = f"g{day:%Y%m%d}.{number:04d}@{DOMAINS[domain[i]]}"

    def column(name: str) -> pa.Array:
        return orders.column(name).combine_chunks()

    start = _epoch_seconds(day)
    orders = _patched(
        orders, fmt, order_id=ids, customer_id=pc.if_else(guest, pa.scalar(None, pa.string()), column("customer_id")),
        contact_email=pc.if_else(guest, pa.array(emails, pa.string()), column("contact_email")),
        contact_phone=pc.if_else(guest, pa.array(phones, pa.string()), column("contact_phone")),
        # guests do not check out in the app (as in the generator)
        channel=pc.if_else(pc.and_(guest, pc.equal(column("channel"), "app")), "web", column("channel")),
        ordered_at=timestamps(start + second), status=pa.array([STATUSES[s] for s in status], pa.string()),
        refunded_amount=decimals(np.zeros(n, np.int64), 2), updated_at=timestamps(start + updated),
    )
    items = _patched(items, fmt, order_id=pc.take(ids, pa.array(np.repeat(np.arange(n), lines))))
    return orders, items, kind


def _epoch_seconds(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY


def _returns(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, fmt: Format, day: date,
             n: int) -> pa.Table:
    """n completed orders 7-42 days old, re-delivered as fully refunded returns on `day`.

    Only orders whose latest row is usable, completed and the only latest content: the new
    row then supersedes exactly one used row, which becomes one more duplicate.
    """
    youngest, oldest = (day - timedelta(days=a) for a in _RETURN_AGE_DAYS)
    candidates = con.execute("""
        select distinct o.order_id, cast((o.gross - o.discount) * 100 as bigint) as refund_cents
        from usable_orders o join versions v on v.order_id = o.order_id and v.latest = o.updated_at
        where o.status = 'completed' and v.latest_contents = 1
          and cast(o.ordered_at as date) between $oldest and $youngest
        order by o.order_id""", {"oldest": oldest, "youngest": youngest}).fetchall()
    if len(candidates) < n:
        raise ValueError(f"--returns {n}: only {len(candidates)} completed orders dated {oldest} to {youngest} "
                         "can be returned")
    chosen = np.sort(rng.choice(len(candidates), n, replace=False))
    ids = [candidates[i][0] for i in chosen]
    con.register("chosen", pa.table({"order_id": pa.array(ids, pa.string())}))
    rows = _fetch(con, """
        select distinct o.* from native_orders o join versions v on v.order_id = o.order_id
        where o.order_id in (select order_id from chosen) and as_ts(cast(o.updated_at as varchar)) = v.latest
        order by o.order_id""", "orders", fmt)
    con.unregister("chosen")
    if rows.num_rows != n:
        raise AssertionError(f"expected one latest row for each of {n} returned orders, got {rows.num_rows}")
    refund = np.array([candidates[i][1] for i in chosen], np.int64)
    updated = _epoch_seconds(day) + seconds_of_day(rng, n)
    return _patched(rows, fmt, status=pa.array(["returned"] * n, pa.string()),
                    refunded_amount=decimals(refund, 2), updated_at=timestamps(updated))


def _day_rates(con: duckdb.DuckDBPyConnection, fmt: Format, day: date) -> pa.Table:
    """A rate dated `day` per currency: the latest usable rate carried forward, as daily
    rates are published (the generator writes one per currency and day)."""
    rows = _fetch(con, f"""
        select * exclude (rank) from (
            select f.*, row_number() over (
                partition by currency order by try_cast(cast(rate_date as varchar) as date) desc,
                cast(rate_to_cny as varchar)) as rank
            from native_fx_rates f
            where currency in {_codes(CURRENCIES)} and currency <> 'CNY'
              and try_cast(cast(rate_date as varchar) as date) < $day
              and try_cast(cast(rate_to_cny as varchar) as decimal(18, 8)) > 0)
        where rank = 1 and currency not in (select currency from rates where rate_date = $day)
        order by currency""", "fx_rates", fmt, {"day": day})
    return _patched(rows, fmt, rate_date=pa.array([day] * rows.num_rows, pa.date32()))


# ---------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------
def _updated_manifest(manifest: dict[str, Any], day: AppendedDay) -> dict[str, Any]:
    """Counts that stay exact: every new row is used, and each return makes the order's
    older row a duplicate (the latest updated_at wins in staging)."""
    out = json.loads(json.dumps(manifest))
    added = {"orders": (day.orders + day.returns, day.returns), "order_items": (day.order_items, 0),
             "fx_rates": (day.fx_rates, 0)}
    for table, (rows, duplicates) in added.items():
        report = out["tables"][table]
        report["rows"] += rows
        expected = report["expected"]
        expected["duplicates_dropped"] += duplicates
        expected["used"] = report["rows"] - expected["duplicates_dropped"] - sum(expected["rejected"].values())
    facts = out["tables"]["orders"]["facts"]
    for fact, n in (("member_orders", day.member_orders),
                    ("guest_orders", day.guest_orders_of_members + day.new_guest_orders),
                    ("guest_orders_of_members", day.guest_orders_of_members),
                    ("true_guest_orders", day.new_guest_orders)):
        if fact in facts:
            facts[fact] += n
    out.setdefault("appended_days", []).append(day.to_dict())
    return out


def _replace(files: dict[str, Path], fmt: Format, additions: dict[str, pa.Table], manifest_path: Path,
             manifest_text: str | None) -> None:
    """Write every changed file beside itself, then rename them over the old ones."""
    temps: dict[Path, Path] = {}
    try:
        for table, rows in additions.items():
            if rows.num_rows:
                path = files[table]
                temps[path] = path.with_name(f".{path.name}.append-tmp")
                _write_appended(path, temps[path], table, fmt, rows)
        if manifest_text is not None:
            temps[manifest_path] = manifest_path.with_name(".manifest.json.append-tmp")
            temps[manifest_path].write_text(manifest_text)
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    for path, temp in temps.items():
        os.replace(temp, path)


def _write_appended(path: Path, temp: Path, table: str, fmt: Format, rows: pa.Table) -> None:
    if fmt == "csv":
        shutil.copyfile(path, temp)
        with temp.open("rb+") as out:
            out.seek(0, os.SEEK_END)
            if out.tell():  # a last line without its newline must not run into the first new one
                out.seek(-1, os.SEEK_END)
                if out.read(1) != b"\n":
                    out.write(b"\n")
            pcsv.write_csv(rows, out, pcsv.WriteOptions(include_header=False))
        return
    with pq.ParquetFile(path) as source, pq.ParquetWriter(temp, schema(table), compression="zstd") as writer:
        for group in range(source.num_row_groups):
            writer.write_table(source.read_row_group(group))
        writer.write_table(rows)
