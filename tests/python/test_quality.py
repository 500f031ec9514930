"""`stratify quality`: the Great Expectations suite over the marts, on the committed demo
data (one dbt build), on a copy with marts spoiled on purpose, and on bad input; the Data
Docs it writes must open offline, and the run must not touch the network."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import PROJECT_DIR, Build

from stratify.warehouse import quality
from stratify.cli import main

DEMO_DIR = PROJECT_DIR / "data" / "demo"
# Anything a browser would fetch: src/href/srcset attributes, CSS url() and @import.
EXTERNAL_FETCH = re.compile(r"""(?:\b(?:src|href|srcset)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["'])"""
                            r"""(?:https?:)?//""", re.I)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every socket connection or name lookup off the loopback raises, and is recorded (in
    case a library swallows the error)."""
    attempts: list[str] = []

    def is_local(host: object) -> bool:
        host = host.decode() if isinstance(host, bytes) else str(host)
        return host in ("None", "", "localhost", "::1") or host.startswith("127.")

    def guard(original):
        def guarded(self, address, *args, **kwargs):
            if self.family != socket.AF_UNIX and not is_local(address[0]):
                attempts.append(repr(address))
                raise OSError(f"network access blocked in this test: {address!r}")
            return original(self, address, *args, **kwargs)
        return guarded

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            attempts.append(f"lookup {host!r}")
            raise OSError(f"name lookup blocked in this test: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guard(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guard(socket.socket.connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


def run_quality(*args: str | Path):
    started = time.monotonic()
    result = CliRunner().invoke(main, ["quality", "--project-dir", str(PROJECT_DIR), *map(str, args)])
    print(f"stratify quality: {time.monotonic() - started:.1f} s\n{result.output}")
    return result


@pytest.mark.slow
def test_demo_marts_pass_and_data_docs_open_offline(demo_build: Build, tmp_path: Path,
                                                    no_network: list[str]) -> None:
    result = run_quality("--database", demo_build.duckdb_path, "--target-path", tmp_path / "target")
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert not no_network, f"network access attempted: {no_network}"
    with pytest.raises(OSError, match="blocked"):  # the guard was armed
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    # The demo build fits the CLV models: their marts are validated too.
    for mart in (*quality.MARTS, *quality.CLV_MARTS):
        assert re.search(rf"^  {mart} +[\d,]+ rows +\d+ expectations  ok$", result.output, re.M), mart
    assert re.search(r"^12 marts, \d+ expectations evaluated, 0 failed$", result.output, re.M)

    docs = tmp_path / "target" / "quality" / "data_docs"
    index = docs / "index.html"
    assert f"Data Docs (open offline): {index}" in result.output
    assert (tmp_path / "target" / "quality" / "gx" / "great_expectations.yml").is_file()
    pages = sorted(docs.rglob("*.html"))
    offending = [f"{path.relative_to(docs)}: {match.group(0)}" for path in [*pages, *docs.rglob("*.css")]
                 for match in EXTERNAL_FETCH.finditer(path.read_text())]
    assert not offending, offending[:10]
    assert quality.external_references(docs) == []
    for path in pages:
        assert "<script src" not in path.read_text() and 'id="stratify-offline"' in path.read_text(), path

    # Navigable: the index links every mart's validation page and suite, and those exist.
    links = re.findall(r'href="([^"#]+)"', index.read_text())
    for mart in (*quality.MARTS, *quality.CLV_MARTS):
        validation = [link for link in links if link.startswith(f"validations/{mart}/")]
        assert validation and (docs / validation[0]).is_file(), mart
        assert f"expectations/{mart}.html" in links and (docs / "expectations" / f"{mart}.html").is_file()
        page = (docs / validation[0]).read_text()
        assert re.search(r'href="(\.\./)+index\.html"', page), mart


@pytest.mark.slow
def test_spoiled_marts_fail_naming_mart_column_and_expectation(demo_build: Build, tmp_path: Path) -> None:
    spoiled = tmp_path / "spoiled.duckdb"
    shutil.copy(demo_build.duckdb_path, spoiled)
    connection = duckdb.connect(str(spoiled))
    try:
        connection.execute("update marts.customer_tiers set tier = 'platinum' "
                           "where person_key = (select min(person_key) from marts.customer_tiers)")
        connection.execute("update marts.customer_rfm set monetary = -12.5 "
                           "where person_key = (select max(person_key) from marts.customer_rfm)")
        # The contract's primary key refuses a duplicate: rebuild the table without it.
        connection.execute("create or replace table marts.dim_customers as select * from marts.dim_customers "
                           "union all (select * from marts.dim_customers order by person_key limit 1)")
        connection.execute("delete from marts.fct_orders where order_id = (select max(order_id) from marts.fct_orders)")
        connection.execute("update marts.customer_predictions set p_alive = 1.5, expected_purchases_365d = 0 "
                           "where person_key = (select min(person_key) from marts.customer_predictions "
                           "where expected_purchases_90d > 0)")
    finally:
        connection.close()

    result = run_quality("--database", spoiled, "--target-path", tmp_path / "target")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), \
        result.output + repr(result.exception)
    output = result.output
    assert re.search(r"customer_tiers \[tier\] expect_column_values_to_be_in_set: 1 unexpected row\(s\), "
                     r"e\.g\. 'platinum' \(1\)", output)
    assert re.search(r"customer_rfm \[monetary\] expect_column_values_to_be_between: 1 unexpected row\(s\), "
                     r"e\.g\. -12\.5 \(1\)", output)
    assert "dim_customers [person_key] expect_column_values_to_be_unique: 2 unexpected row(s)" in output
    assert "fct_orders [row count] expect_table_row_count_to_equal: observed" in output
    # The duplicate also breaks customer_rfm's count against dim_customers' scored persons.
    assert "customer_rfm [row count] expect_table_row_count_to_equal" in output
    assert re.search(r"customer_predictions \[p_alive\] expect_column_values_to_be_between: 1 unexpected row\(s\), "
                     r"e\.g\. 1\.5 \(1\)", output)
    assert re.search(r"customer_predictions \[expected_purchases_365d, expected_purchases_90d\] "
                     r"expect_column_pair_values_a_to_be_greater_than_b: 1 unexpected row\(s\)", output)
    assert re.search(r"^  customer_segments +[\d,]+ rows +\d+ expectations  ok$", output, re.M)
    assert (tmp_path / "target" / "quality" / "data_docs" / "index.html").is_file()


def test_missing_database_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "stratify.duckdb"
    completed = subprocess.run(
        [sys.executable, "-m", "stratify.cli", "quality", "--database", str(missing), "--target-path",
         str(tmp_path / "target")], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert f"database {missing} not found" in completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


def test_missing_mart_and_foreign_docs_dir_are_usage_errors(tmp_path: Path) -> None:
    database = tmp_path / "partial.duckdb"
    connection = duckdb.connect(str(database))
    connection.execute("create schema marts; create table marts.customer_rfm (person_key varchar)")
    connection.close()
    result = run_quality("--database", database, "--target-path", tmp_path / "target")
    assert result.exit_code == 2
    assert f"database {database} lacks marts.customer_tiers" in result.output

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("not ours")
    with pytest.raises(quality.QualityInputError, match="was not made by `stratify quality`"):
        quality._prepare_docs_dir(docs)
    assert (docs / "notes.txt").exists()


def test_vars_come_from_dbt_project_and_override_like_dbt() -> None:
    defaults = quality.load_vars(PROJECT_DIR, None)
    assert defaults["rfm_score_buckets"] == 5 and defaults["history_grain"] == "month"
    overridden = quality.load_vars(PROJECT_DIR, '{rfm_score_buckets: 4, "history_grain": "week"}')
    assert overridden["rfm_score_buckets"] == 4 and overridden["history_grain"] == "week"
    assert overridden["lookback_days"] == defaults["lookback_days"]
    with pytest.raises(quality.QualityInputError, match="var rfm_score_buckets"):
        quality.load_vars(PROJECT_DIR, "{rfm_score_buckets: many}")
    with pytest.raises(quality.QualityInputError, match="mapping"):
        quality.load_vars(PROJECT_DIR, "[1, 2]")


def test_labels_without_a_seed_come_from_the_mart_contracts() -> None:
    contract = quality.contract_values(PROJECT_DIR)
    assert contract[("customer_rfm", "abc_class")] == ["A", "B", "C"]
    assert "prospect" in contract[("dim_customers", "lifecycle_stage")]
    assert "prospect" not in contract[("customer_rfm", "lifecycle_stage")]
    for key in [("customer_segments", "frequency_class"), ("customer_segments", "price_sensitivity"),
                ("customer_segments", "geography_class"), ("dim_customers", "person_type"),
                ("fct_orders", "attribution_method")]:
        assert contract[key], key
