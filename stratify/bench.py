"""Benchmark: the dbt project against a single hand-written DuckDB query, side by side,
and optionally the same project on Apache Spark (in-process, local mode).

Speed targets are judged here, never in timed unit tests: the machines are noisy, so
every figure of one comparison comes from the same run on the same files. Each step
runs in its own child process; its peak memory is the largest sum of resident memory over
the process and its descendants (Spark's JVM is a child of the dbt process), sampled.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

PROJECT_DIR = Path(__file__).resolve().parent.parent

# What most RFM tutorials do, written as one DuckDB query over the raw files: latest
# version of each order, CNY at the latest rate on or before the order date, qualifying
# orders only, grouped by customer_id (no identity stitching, no quarantine, no tests).
SINGLE_QUERY = """
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
    where o.status in ('completed', 'returned') and o.customer_id is not null
),
qualifying as (select * from converted where net_cny > 0),
as_of as (select max(order_date) as as_of_date from qualifying),
metrics as (
    select customer_id,
           min(as_of_date - order_date) as recency_days,
           count(*) filter (where as_of_date - order_date < 365) as frequency,
           coalesce(sum(net_cny) filter (where as_of_date - order_date < 365), 0) as monetary
    from qualifying, as_of
    group by customer_id
)
select customer_id, recency_days, frequency, monetary,
       1 + (5 * (rank() over (order by recency_days desc) - 1)) // count(*) over () as r_score,
       1 + (5 * (rank() over (order by frequency) - 1)) // count(*) over () as f_score,
       1 + (5 * (rank() over (order by monetary) - 1)) // count(*) over () as m_score
from metrics
"""

_SINGLE_QUERY_RUNNER = """
import sys, duckdb
con = duckdb.connect()
con.execute("set memory_limit = '8GB'")
rows = con.execute(sys.argv[1]).fetchall()
print(len(rows))
"""


@dataclass(frozen=True)
class StepResult:
    """One timed step: wall seconds, peak resident memory of its process, outcome."""

    step: str
    seconds: float
    peak_rss_mib: float
    ok: bool
    detail: str = ""


def _tree_rss_bytes(root: psutil.Process) -> int:
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            pass
    return total


def run_step(step: str, command: list[str], env: dict[str, str]) -> StepResult:
    """Runs a command as a child process and measures wall time and the peak resident
    memory of its process tree (sampled every 0.2 s, and the child's own peak from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak = [0]
    finished = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not finished.wait(0.2):
            try:
                peak[0] = max(peak[0], _tree_rss_bytes(root))
            except psutil.Error:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    finished.set()
    sampler.join()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    ok = process.returncode == 0
    detail = "" if ok else output[-2000:]
    peak_mib = max(peak[0] / 2**20, usage.ru_maxrss / 1024)
    return StepResult(step, round(seconds, 2), round(peak_mib, 1), ok, detail)


def ensure_data(orders: int, customers: int, seed: int, cache_dir: Path) -> Path:
    """Generates the raw files once per (size, seed) and reuses them afterwards."""
    out = cache_dir / "data" / f"orders{orders}_customers{customers}_seed{seed}"
    if (out / "manifest.json").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    subprocess.run(
        [sys.executable, "-m", "stratify.cli", "generate", "--orders", str(orders),
         "--customers", str(customers), "--seed", str(seed), "--start", "2023-01-01",
         "--end", "2025-12-31", "--out", str(out)],
        check=True,
    )
    return out


def dbt_command(*args: str) -> list[str]:
    """A dbt invocation with the project's profiles, through the venv's interpreter."""
    dbt = Path(sys.executable).with_name("dbt")
    return [str(dbt), *args, "--profiles-dir", str(PROJECT_DIR / "profiles")]


def spark_steps(raw_dir: Path, work: Path, env: dict[str, str], driver_memory: str) -> list[StepResult]:
    """The same project on Spark (target `spark`, in-process, local mode) in a fresh
    warehouse: loading the raw files, then the full build."""
    spark_env = {**env, "STRATIFY_SPARK_DIR": str(work / "spark"), "SPARK_LOCAL_IP": "127.0.0.1",
                 "STRATIFY_SPARK_DRIVER_MEMORY": driver_memory, "TZ": "UTC"}
    return [
        run_step("spark: stratify load (raw -> tables)",
                 [sys.executable, "-m", "stratify.cli", "load", "--target", "spark", "--raw-dir", str(raw_dir)],
                 spark_env),
        run_step("spark: dbt build (models + tests)", dbt_command("build", "--target", "spark"), spark_env),
    ]


def run_bench(orders: int, customers: int | None, seed: int, cache_dir: Path,
              engines: tuple[str, ...] = ("duckdb",), spark_driver_memory: str = "8g") -> dict[str, object]:
    """Runs every step of the chosen engines on one generated data set and returns the figures."""
    customers = customers or max(orders // 10, 100)
    raw_dir = ensure_data(orders, customers, seed, cache_dir)
    work = cache_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "DO_NOT_TRACK": "1", "STRATIFY_RAW_DIR": str(raw_dir),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def with_db(name: str) -> dict[str, str]:
        return {**env, "STRATIFY_DUCKDB_PATH": str(work / f"{name}.duckdb")}

    steps = []
    if "duckdb" in engines:
        # The daily run: one more day of orders and late returns (stratify append-day) on a
        # copy of the raw files, then the same build again on the same database, so the
        # incremental models do only what the new day needs. Hard links: append-day
        # replaces the files it changes instead of writing into them.
        appended = work / "raw_plus_one_day"
        shutil.copytree(raw_dir, appended, copy_function=os.link)
        steps += [
            run_step("dbt build (models + tests)", dbt_command("build"), with_db("build")),
            run_step("stratify append-day (copy of raw)",
                     [sys.executable, "-m", "stratify.cli", "append-day", "--raw-dir", str(appended), "--quiet"], env),
            run_step("dbt build, one day later (incremental)", dbt_command("build"),
                     {**with_db("build"), "STRATIFY_RAW_DIR": str(appended)}),
            run_step("dbt seed + run + snapshot (no tests)", ["sh", "-c", " && ".join(
                " ".join(c) for c in (dbt_command("seed"), dbt_command("run"), dbt_command("snapshot")))],
                with_db("split")),
            run_step("dbt test (tests only)", dbt_command("test"), with_db("split")),
        ]
    if "spark" in engines:
        steps += spark_steps(raw_dir, work, env, spark_driver_memory)
    steps.append(run_step("single DuckDB query (R, F, M scores)",
                          [sys.executable, "-c", _SINGLE_QUERY_RUNNER, SINGLE_QUERY.format(raw=raw_dir)], env))
    manifest = json.loads((raw_dir / "manifest.json").read_text())
    return {
        "orders": orders,
        "customers": customers,
        "seed": seed,
        "raw_rows": {table: info.get("rows") for table, info in manifest.get("tables", {}).items()},
        "cpu_count": os.cpu_count(),
        "engines": list(engines),
        "steps": [asdict(s) for s in steps],
    }


def format_table(result: dict[str, object]) -> str:
    """The figures as a fixed-width table, with each step's time relative to the query."""
    steps = result["steps"]
    assert isinstance(steps, list)
    baseline = next(s["seconds"] for s in steps if s["step"].startswith("single DuckDB"))
    lines = [
        f"orders={result['orders']:,} customers={result['customers']:,} seed={result['seed']}",
        f"{'step':<40}{'seconds':>10}{'x query':>10}{'peak MiB':>11}  ok",
    ]
    for s in steps:
        ratio = s["seconds"] / baseline if baseline else float("nan")
        lines.append(f"{s['step']:<40}{s['seconds']:>10.1f}{ratio:>10.1f}{s['peak_rss_mib']:>11.0f}  "
                     f"{'yes' if s['ok'] else 'NO'}")
    return "\n".join(lines)
