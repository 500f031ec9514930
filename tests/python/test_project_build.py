"""The project as a user runs it: the full `dbt build` (unit tests included) on the
committed demo data, and clear stops on bad input instead of stack traces."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import PROFILES_DIR, PROJECT_DIR, _dbt_command

DEMO_DIR = PROJECT_DIR / "data" / "demo"

pytestmark = pytest.mark.slow


def run_dbt(args: list[str], raw_dir: Path, work_dir: Path,
            project_dir: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    """One dbt invocation into the DuckDB file ``work_dir``/stratify.duckdb (new or kept
    from an earlier run); ``project_dir``: another copy of the project."""
    work_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "STRATIFY_TARGET": "duckdb",
        "STRATIFY_RAW_DIR": str(raw_dir),
        "STRATIFY_DUCKDB_PATH": str(work_dir / "stratify.duckdb"),
    }
    command = _dbt_command() + [
        *args,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(PROFILES_DIR),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]
    return subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, timeout=900)


def test_demo_build_passes_with_every_test(tmp_path: Path) -> None:
    """`dbt build` on the committed demo data: every model, data test and unit test passes,
    and every raw row is accounted for."""
    completed = run_dbt(["build"], DEMO_DIR, tmp_path)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = [(r["unique_id"], r["status"], r.get("message")) for r in results
              if r["status"] not in ("success", "pass", "warn")]
    assert completed.returncode == 0 and not failed, f"{failed}\n{completed.stdout[-3000:]}"
    assert any(r["unique_id"].startswith("unit_test.") for r in results), "no dbt unit test ran"

    assert_rows_land_as_the_manifest_says(tmp_path / "stratify.duckdb", DEMO_DIR)
    connection = duckdb.connect(str(tmp_path / "stratify.duckdb"), read_only=True)
    scored = connection.sql("select count(*) from marts.customer_rfm").fetchone()
    connection.close()
    assert scored is not None and scored[0] > 1000


def assert_rows_land_as_the_manifest_says(database: Path, raw_dir: Path) -> None:
    """raw = used + duplicates + rejected for every raw table, and the generator's manifest
    (what it injected) says exactly how many rows are used, dropped as duplicates and
    rejected for each reason."""
    expected = {table: info["expected"] for table, info in
                json.loads((raw_dir / "manifest.json").read_text())["tables"].items()}
    connection = duckdb.connect(str(database), read_only=True)
    reconciliation = connection.sql(
        "select table_name, raw_rows, used_rows, duplicate_rows, rejected_rows from quality.raw_row_reconciliation"
    ).fetchall()
    rejected_by_reason = {
        table: dict(connection.sql(
            f"select reject_reason, count(*) from quality.rejected_{table} group by reject_reason").fetchall())
        for table in expected
    }
    connection.close()
    assert len(reconciliation) == 7
    for table, raw, used, duplicates, rejected in reconciliation:
        assert raw == used + duplicates + rejected, table
        assert (used, duplicates) == (expected[table]["used"], expected[table]["duplicates_dropped"]), table
        wanted = {reason: n for reason, n in expected[table]["rejected"].items() if n}
        assert rejected_by_reason[table] == wanted, table


def test_missing_raw_file_names_the_table(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    shutil.copytree(DEMO_DIR, raw_dir)
    (raw_dir / "fx_rates.parquet").unlink()
    completed = run_dbt(["run", "--select", "stg_raw__fx_rates"], raw_dir, tmp_path / "work")
    assert completed.returncode != 0
    assert "raw table 'fx_rates': neither fx_rates.parquet nor fx_rates.csv found" in completed.stdout
    assert "Traceback" not in completed.stdout + completed.stderr


def test_missing_raw_column_names_the_table_and_column(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    shutil.copytree(DEMO_DIR, raw_dir)
    renamed = duckdb.sql(
        f"select * rename (rate_to_cny as rate) from read_parquet('{raw_dir / 'fx_rates.parquet'}')"
    )
    renamed.write_parquet(str(raw_dir / "fx_rates_renamed.parquet"))
    (raw_dir / "fx_rates_renamed.parquet").replace(raw_dir / "fx_rates.parquet")
    completed = run_dbt(["run", "--select", "stg_raw__fx_rates"], raw_dir, tmp_path / "work")
    assert completed.returncode != 0
    assert "raw table 'fx_rates' lacks column(s) rate_to_cny" in completed.stdout


@pytest.mark.parametrize(
    ("vars_text", "message"),
    [
        ('{as_of_date: "2025-02-30"}', "var as_of_date must be a date written YYYY-MM-DD or null"),
        ('{as_of_date: "2025-01-01\' or 1=1 --"}', "var as_of_date must be a date written YYYY-MM-DD or null"),
        ("{lookback_days: 0}", "var lookback_days must be a whole number from 1 to 100000"),
        ("{f_score_method: ntile}", "var f_score_method must be 'quantile' or 'threshold'"),
        ("{m_score_method: threshold, rfm_score_cut_points: {monetary: [5, 1, 10, 20]}}",
         "var rfm_score_cut_points.monetary must list 4 strictly ascending numbers"),
        ("{abc_a_share: 0.97}", "vars abc_a_share and abc_b_share must be numbers"),
    ],
)
def test_bad_var_stops_with_a_message_naming_it(tmp_path: Path, vars_text: str, message: str) -> None:
    completed = run_dbt(["run", "--select", "int_as_of_date", "--vars", vars_text], DEMO_DIR, tmp_path)
    assert completed.returncode != 0
    assert message in completed.stdout, completed.stdout[-2000:]
