"""What users would run instead of the project, for `stratify bench` to time beside it: a
hand-written single DuckDB query and a plain pandas script, both RFM quintile scores over
the raw files, the way most tutorials compute them.

Both follow the data contract's metric definitions where a tutorial would (latest version
of each order, net amount in CNY at the latest rate on or before the order date,
qualifying orders only, recency from the latest qualifying order, frequency and monetary
over the last 365 days) and skip what a tutorial skips: identity stitching, quarantine,
dirty-value parsing, tests. So they score ``customer_id``, not persons. Run as
``python -m stratify.devdata.baselines {duckdb,pandas} RAW_DIR`` (prints the scored customers).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

QUALIFYING_STATUSES = ("completed", "returned")
WINDOW_DAYS = 365

DUCKDB_QUERY = """
with orders as (
    select * from read_parquet('{raw}/orders.parquet')
    qualify row_number() over (partition by order_id order by updated_at desc) = 1
),
fx as (
    select currency, rate_date, rate_to_cny from read_parquet('{raw}/fx_rates.parquet')
    union all
    select 'CNY', date '1900-01-01', 1
),
converted as (
    select o.customer_id, cast(o.ordered_at as date) as order_date,
           (o.gross_amount - o.discount_amount - o.refunded_amount) * fx.rate_to_cny as net_cny
    from orders o
    asof join fx on fx.currency = o.currency and fx.rate_date <= cast(o.ordered_at as date)
    where o.status in {statuses} and o.customer_id is not null
),
qualifying as (select * from converted where net_cny > 0),
as_of as (select max(order_date) as as_of_date from qualifying),
metrics as (
    select customer_id,
           min(as_of_date - order_date) as recency_days,
           count(*) filter (where as_of_date - order_date < {window_days}) as frequency,
           coalesce(sum(net_cny) filter (where as_of_date - order_date < {window_days}), 0) as monetary
    from qualifying, as_of
    group by customer_id
)
select customer_id, recency_days, frequency, monetary,
       1 + (5 * (rank() over (order by recency_days desc) - 1)) // count(*) over () as r_score,
       1 + (5 * (rank() over (order by frequency) - 1)) // count(*) over () as f_score,
       1 + (5 * (rank() over (order by monetary) - 1)) // count(*) over () as m_score
from metrics
"""


def duckdb_rfm(raw_dir: Path, memory_limit: str = "3GB") -> pd.DataFrame:
    """The single query: one scan of each file, asof join, group by, window ranks."""
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"set memory_limit = '{memory_limit}'")
    query = DUCKDB_QUERY.format(raw=Path(raw_dir).as_posix(), statuses=QUALIFYING_STATUSES, window_days=WINDOW_DAYS)
    return connection.execute(query).df()


def _quintile(values: pd.Series, ascending: bool) -> pd.Series:
    """1-5 from the rank among all customers, ties sharing the lowest rank (as SQL rank())."""
    ranks = values.rank(method="min", ascending=ascending)
    return (1 + (5 * (ranks - 1)) // len(values)).astype("int64")


def pandas_rfm(raw_dir: Path) -> pd.DataFrame:
    """The tutorial script: read, keep the latest version, filter, convert, group, rank."""
    raw_dir = Path(raw_dir)
    orders = pd.read_parquet(raw_dir / "orders.parquet", columns=[
        "order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount",
        "discount_amount", "refunded_amount", "updated_at"])
    orders = orders.sort_values("updated_at").drop_duplicates("order_id", keep="last")
    orders = orders[orders["status"].isin(QUALIFYING_STATUSES) & orders["customer_id"].notna()].copy()
    orders["order_date"] = pd.to_datetime(orders["ordered_at"]).dt.normalize()

    fx = pd.read_parquet(raw_dir / "fx_rates.parquet", columns=["currency", "rate_date", "rate_to_cny"])
    fx["rate_date"] = pd.to_datetime(fx["rate_date"])
    cny = pd.DataFrame({"currency": ["CNY"], "rate_date": [pd.Timestamp("1900-01-01")], "rate_to_cny": [1]})
    fx = pd.concat([fx, cny]).astype({"rate_date": "datetime64[ns]", "rate_to_cny": "float64"})
    orders["order_date"] = orders["order_date"].astype("datetime64[ns]")
    orders = pd.merge_asof(orders.sort_values("order_date"), fx.sort_values("rate_date"),
                           left_on="order_date", right_on="rate_date", by="currency")
    # Money has two decimals: rounded, a fully refunded order nets 0, not 1e-13.
    amount = (orders["gross_amount"].astype("float64") - orders["discount_amount"].astype("float64")
              - orders["refunded_amount"].astype("float64")).round(2)
    orders["net_cny"] = amount * orders["rate_to_cny"]
    orders = orders[orders["net_cny"] > 0]

    as_of = orders["order_date"].max()
    orders["age_days"] = (as_of - orders["order_date"]).dt.days
    window = orders[orders["age_days"] < WINDOW_DAYS]
    metrics = orders.groupby("customer_id").agg(recency_days=("age_days", "min")).join(
        window.groupby("customer_id").agg(frequency=("order_id", "size"), monetary=("net_cny", "sum")))
    metrics = metrics.fillna({"frequency": 0, "monetary": 0.0}).astype({"frequency": "int64"})
    metrics["r_score"] = _quintile(metrics["recency_days"], ascending=False)
    metrics["f_score"] = _quintile(metrics["frequency"], ascending=True)
    metrics["m_score"] = _quintile(metrics["monetary"], ascending=True)
    return metrics.reset_index()


BASELINES = {"duckdb": duckdb_rfm, "pandas": pandas_rfm}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in BASELINES:
        sys.exit(f"usage: python -m stratify.devdata.baselines {{{','.join(BASELINES)}}} RAW_DIR")
    print(f"{len(BASELINES[sys.argv[1]](Path(sys.argv[2]))):,} customers scored")
