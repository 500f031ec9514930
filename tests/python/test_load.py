"""`stratify load`: the engine-independent part (no engine needed): which tables and
columns, which files, and the messages when something is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from stratify.engines import load
from stratify.cli import main


def test_raw_tables_are_the_sources_of_the_contract():
    tables = load.raw_tables()
    assert list(tables) == ["customers", "orders", "order_items", "products", "fx_rates", "events", "support_tickets"]
    assert tables["fx_rates"] == ["currency", "rate_date", "rate_to_cny"]


def test_parquet_preferred_then_csv_and_a_missing_table_is_named(tmp_path: Path):
    tables = {"orders": [], "products": []}
    (tmp_path / "orders.parquet").write_bytes(b"")
    (tmp_path / "orders.csv").write_text("")
    (tmp_path / "products.csv").write_text("")
    assert load.raw_files(tmp_path, tables) == {"orders": tmp_path / "orders.parquet", "products": tmp_path / "products.csv"}
    with pytest.raises(ValueError, match=r"raw table 'events': neither events.parquet nor events.csv"):
        load.raw_files(tmp_path, {"events": []})


def test_missing_column_is_named():
    load.check_columns("fx_rates", ["CURRENCY", "rate_date", "rate_to_cny", "extra"], ["currency", "rate_date", "rate_to_cny"])
    with pytest.raises(ValueError, match=r"raw table 'fx_rates' lacks column\(s\) rate_to_cny"):
        load.check_columns("fx_rates", ["currency", "rate_date"], ["currency", "rate_date", "rate_to_cny"])


def test_targets_without_a_loader_say_so(tmp_path: Path):
    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    with pytest.raises(ValueError, match="reads the raw files in place"):
        load.load_raw("duckdb", demo)
    with pytest.raises(ValueError, match="no raw loader for target 'oracle'"):
        load.load_raw("oracle", demo)
    with pytest.raises(ValueError, match="does not exist"):
        load.load_raw("spark", tmp_path / "nowhere")


def test_cli_reports_errors_as_usage_errors(tmp_path: Path):
    result = CliRunner().invoke(main, ["load", "--target", "spark", "--raw-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "raw table 'customers': neither customers.parquet nor customers.csv" in result.output
