"""Bad input stops the build with a message that names what is wrong, and the marts of the
previous build stay as they were.

One good build of the demo data comes first; each case then copies its database, spoils one
input (a raw file, a var, a tier rule, the dirt rate) and runs `dbt build` again on the
copy. Every case must exit non-zero, print its message (no traceback), and leave every
mart's content identical to the good build. The failing runs are started together, two at
a time, as soon as the good build is there.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import duckdb
import pytest

from test_project_build import DEMO_DIR, run_dbt
from test_stratification import project_copy

pytestmark = pytest.mark.slow


def mart_fingerprints(database: Path) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the sorted rows) of every table in schema marts."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        tables = [name for (name,) in connection.sql(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        return {
            table: connection.sql(
                f"select count(*), md5(coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), ''))"
                f" from marts.{table} as t").fetchone()
            for table in tables
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def previous_build(demo_build) -> tuple[Path, dict[str, tuple[int, str]]]:
    database = demo_build.duckdb_path
    fingerprints = mart_fingerprints(database)
    assert fingerprints.get("customer_tiers", (0, ""))[0] > 1000
    return database, fingerprints


TOO_DIRTY_ORDERS = "select * replace (case when hash(order_id) % 10 = 0 then 'shipped?' else status end as status) from {t}"
BAD_AS_OF_DATES = {
    "impossible date": '{as_of_date: "2025-02-30"}',
    "date carrying SQL": '{as_of_date: "2025-01-01\' or 1=1 --"}',
}


def spoil_file(table: str, select: str) -> Callable[[Path], None]:
    """Rewrites <table>.parquet through a DuckDB select over it (``t``)."""
    def spoil(raw_dir: Path) -> None:
        path = raw_dir / f"{table}.parquet"
        spoiled = raw_dir / f"{table}.spoiled.parquet"
        duckdb.sql(f"copy ({select.format(t=f'read_parquet({str(path)!r})')}) to '{spoiled}' (format parquet)")
        spoiled.replace(path)
    return spoil


def replace_with_csv(table: str, content: str) -> Callable[[Path], None]:
    def spoil(raw_dir: Path) -> None:
        (raw_dir / f"{table}.parquet").unlink()
        (raw_dir / f"{table}.csv").write_text(content)
    return spoil


def remove_file(table: str) -> Callable[[Path], None]:
    return lambda raw_dir: (raw_dir / f"{table}.parquet").unlink()


RAW_FILE_CASES = {
    "missing file": (remove_file("fx_rates"),
                     "raw table 'fx_rates': neither fx_rates.parquet nor fx_rates.csv found"),
    "empty file": (replace_with_csv("fx_rates", ""),
                   "raw table 'fx_rates': file {raw}/fx_rates.csv is empty (0 bytes)"),
    "header only": (replace_with_csv("orders", "order_id,channel,customer_id,contact_email,contact_phone,store_id,"
                                               "ordered_at,status,currency,gross_amount,discount_amount,"
                                               "shipping_amount,refunded_amount,coupon_code,updated_at\n"),
                    "raw table 'orders': file {raw}/orders.csv has a header but no rows"),
    "missing column": (spoil_file("customers", "select * exclude (marketing_opt_in) from {t}"),
                       "raw table 'customers' lacks column(s) marketing_opt_in"),
    "renamed column": (spoil_file("fx_rates", "select * rename (rate_to_cny as rate) from {t}"),
                       "raw table 'fx_rates' lacks column(s) rate_to_cny (file {raw}/fx_rates.parquet has: "
                       "currency, rate_date, rate)"),
    "wrong type": (spoil_file("orders", "select * replace (ordered_at is not null as ordered_at) from {t}"),
                   "raw table 'orders' (file {raw}/orders.parquet) has column(s) of the wrong type: "
                   "ordered_at is BOOLEAN but must be timestamp (or text)"),
}


def broken_tier_rules_project(destination: Path) -> Path:
    """A copy of the project whose rule gold_high_spend has min_monetary 5000 > max_monetary 1000."""
    project = project_copy(destination)
    rules_path = project / "seeds" / "stratification" / "tier_rules.csv"
    with rules_path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rules = reader.fieldnames, list(reader)
    assert fields is not None
    next(rule for rule in rules if rule["rule_id"] == "gold_high_spend").update(min_monetary="5000",
                                                                                 max_monetary="1000")
    with rules_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rules)
    return project


@pytest.fixture(scope="module")
def stopped_runs(previous_build, tmp_path_factory) -> dict[str, tuple[Future, Path, Path]]:
    """{case: (future of the failed dbt run, raw dir, work dir)}, all started at once."""
    root = tmp_path_factory.mktemp("bad_input")
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bad-input")
    runs: dict[str, tuple[Future, Path, Path]] = {}

    def start(case: str, spoil: Callable[[Path], None] | None = None, args: tuple[str, ...] = (),
              project_dir: Path | None = None) -> None:
        case_dir = root / case.replace(" ", "_")
        raw_dir = DEMO_DIR
        if spoil is not None:
            raw_dir = case_dir / "raw"
            shutil.copytree(DEMO_DIR, raw_dir)
            spoil(raw_dir)
        work_dir = case_dir / "work"
        work_dir.mkdir(parents=True)
        shutil.copy(previous_build[0], work_dir / "stratify.duckdb")
        options = {"project_dir": project_dir} if project_dir else {}
        runs[case] = (pool.submit(run_dbt, ["build", *args], raw_dir, work_dir, **options), raw_dir, work_dir)

    for case, (spoil, _) in RAW_FILE_CASES.items():
        start(case, spoil)
    start("too dirty", spoil_file("orders", TOO_DIRTY_ORDERS))
    for case, vars_text in BAD_AS_OF_DATES.items():
        start(case, args=("--vars", vars_text))
    start("tier rule", project_dir=broken_tier_rules_project(root / "project"))
    yield runs
    pool.shutdown(cancel_futures=True)


def stopped_cleanly(stopped_runs, case: str, message: str, previous_build) -> subprocess.CompletedProcess[str]:
    """The case's run: failed, with ``message`` and no traceback, previous marts intact."""
    future, raw_dir, work_dir = stopped_runs[case]
    completed = future.result()
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output[-3000:]
    assert message.format(raw=raw_dir) in completed.stdout, completed.stdout[-3000:]
    assert "Traceback" not in output
    assert mart_fingerprints(work_dir / "stratify.duckdb") == previous_build[1], \
        "a failed build changed the previous build's marts"
    return completed


@pytest.mark.parametrize("case", RAW_FILE_CASES)
def test_bad_raw_file_stops_naming_it_and_keeps_the_marts(case: str, stopped_runs, previous_build) -> None:
    stopped_cleanly(stopped_runs, case, RAW_FILE_CASES[case][1], previous_build)


def test_dirt_above_the_error_rate_stops_naming_the_table_and_its_rate(stopped_runs, previous_build) -> None:
    """The message's figures are the table's: its raw rows, its rejected rows (the spoiled
    statuses plus the demo's own validation dirt, a row counted once) and their share."""
    completed = stopped_cleanly(stopped_runs, "too dirty",
                                "FAIL orders_validation_reject_rate_below_error_threshold: raw table 'orders': ",
                                previous_build)
    raw_dir = stopped_runs["too dirty"][1]
    raw_rows, spoiled = duckdb.sql(
        f"select count(*), count(*) filter (where status = 'shipped?') from read_parquet('{raw_dir / 'orders.parquet'}')"
    ).fetchone()
    manifest = json.loads((DEMO_DIR / "manifest.json").read_text())["tables"]["orders"]["expected"]["rejected"]
    other_dirt = sum(n for reason, n in manifest.items() if reason not in ("unknown_currency", "missing_fx_rate"))
    line = next(line for line in completed.stdout.splitlines() if "raw table 'orders':" in line)
    percent = float(line.split("raw table 'orders': ")[1].split("%")[0])
    rejected = int(line.split("fail validation (")[1].split(")")[0])
    assert f"of its {raw_rows} rows fail validation" in line and "above reject_rate_error = 0.05" in line, line
    assert max(spoiled, other_dirt) <= rejected <= spoiled + other_dirt, line
    assert percent == round(100 * rejected / raw_rows, 2), line


@pytest.mark.parametrize("case", BAD_AS_OF_DATES)
def test_bad_as_of_date_stops_naming_the_var_and_keeps_the_marts(case: str, stopped_runs, previous_build) -> None:
    stopped_cleanly(stopped_runs, case, "var as_of_date must be a date written YYYY-MM-DD or null", previous_build)


def test_tier_rule_with_min_above_max_stops_naming_the_rule_and_keeps_the_marts(stopped_runs,
                                                                                previous_build) -> None:
    completed = stopped_cleanly(
        stopped_runs, "tier rule",
        "tier rule 'gold_high_spend' in seeds/stratification/tier_rules.csv: min_monetary = 5000", previous_build)
    assert "above max_monetary = 1000" in completed.stdout
    work_dir = stopped_runs["tier rule"][2]
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    skipped = {r["unique_id"].split(".")[-1] for r in results if r["status"] == "skipped"}
    assert {"customer_tiers", "customer_actions", "tier_summary"} <= skipped
