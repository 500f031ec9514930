"""`stratify export`: the marts of the demo build as Parquet and CSV files, equal to the
tables they come from, byte-identical when run again, and usage errors that name what is
wrong."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import Build
from stratify.cli import main

pytestmark = pytest.mark.slow


def run_export(*args: str | Path):
    return CliRunner().invoke(main, ["export", *map(str, args)])


def test_every_mart_as_parquet_equals_its_table_and_repeats_byte_for_byte(demo_build: Build, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        result = run_export("--database", demo_build.duckdb_path, "--out", out)
        assert result.exit_code == 0, result.output + repr(result.exception)
    manifest = json.loads((first / "export.json").read_text())
    connection = duckdb.connect(str(demo_build.duckdb_path), read_only=True)
    try:
        marts = [name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
        assert sorted(entry["mart"] for entry in manifest["marts"]) == sorted(marts)
        assert {"customer_tiers", "customer_segments", "tier_summary", "segment_trends"} <= set(marts)
        for entry in manifest["marts"]:
            file = first / entry["file"]
            assert file.read_bytes() == (second / entry["file"]).read_bytes(), entry["mart"]
            parquet = f"read_parquet('{file}')"
            types = dict(connection.execute(f"select column_name, column_type from (describe select * from {parquet})")
                         .fetchall())
            assert types == entry["columns"], entry["mart"]
            assert connection.execute(f'select count(*) from marts."{entry["mart"]}"').fetchone()[0] == entry["rows"]
            for left, right in ((parquet, f'marts."{entry["mart"]}"'), (f'marts."{entry["mart"]}"', parquet)):
                differing = connection.execute(
                    f"select count(*) from (select * from {left} except all select * from {right})").fetchone()[0]
                assert differing == 0, entry["mart"]
    finally:
        connection.close()
    assert f"{len(manifest['marts'])} marts written to" in result.output


def test_chosen_marts_as_csv_have_a_header_and_every_row(demo_build: Build, tmp_path: Path) -> None:
    result = run_export("--database", demo_build.duckdb_path, "--out", tmp_path, "--format", "csv",
                        "--mart", "tier_summary", "--mart", "customer_tiers")
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["customer_tiers.csv", "export.json", "tier_summary.csv"]
    connection = duckdb.connect(str(demo_build.duckdb_path), read_only=True)
    try:
        for mart in ("tier_summary", "customer_tiers"):
            with (tmp_path / f"{mart}.csv").open(newline="") as handle:
                rows = list(csv.reader(handle))
            columns = [name for (name,) in connection.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position", [mart]).fetchall()]
            assert rows[0] == columns
            assert len(rows) - 1 == connection.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        # Money stays exact: the CSV's revenue sums to the table's decimal sum.
        revenue = connection.execute("select sum(revenue_cny) from marts.tier_summary").fetchone()[0]
    finally:
        connection.close()
    exported = duckdb.sql(f"select sum(cast(revenue_cny as decimal(38, 10))) from read_csv('{tmp_path / 'tier_summary.csv'}', "
                          "all_varchar = true)").fetchone()[0]
    assert exported == revenue


def test_unknown_mart_and_missing_database_are_usage_errors_naming_them(demo_build: Build, tmp_path: Path) -> None:
    result = run_export("--database", demo_build.duckdb_path, "--out", tmp_path, "--mart", "customer_tierz")
    assert result.exit_code == 2
    assert "has no mart customer_tierz; its marts: clv_holdout_validation" in result.output
    missing = tmp_path / "nowhere.duckdb"
    result = run_export("--database", missing, "--out", tmp_path)
    assert result.exit_code == 2
    assert f"database {missing} not found" in result.output
    assert not list(tmp_path.glob("*.parquet"))
