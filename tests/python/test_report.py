"""`stratify report`: the page drawn in a real browser (Debian's headless Chromium, network
cut off, no console error, every chart drawn, a screenshot), its figures equal to the
marts they come from, a ten-customer build drawn as well as the demo, and usage errors
that name what is wrong."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest
from click.testing import CliRunner

from conftest import Build
from stratify.warehouse import report
from stratify.cli import main

pytestmark = pytest.mark.slow

# The demo build has every section: tiers, R x F, segments, lifecycle, migration, trends,
# CLV (P(alive), CLV, holdout), tests and rejects.
DEMO_CHARTS = {"tier_sizes", "pareto", "rfm_heatmap", "segment_sizes", "lifecycle_funnel", "lifecycle_flows",
               "tier_migration_matrix", "tier_migration_sankey", "segment_trends", "churn_risk", "predicted_clv",
               "clv_holdout", "test_results", "rejects"}
# What a drawn chart holds: plotly's trace groups, a heatmap's image, a Sankey's nodes.
MARKS = "g.trace, g.hm image, .sankey-node"


def write_report(build: Build, out: Path) -> Any:
    result = CliRunner().invoke(main, ["report", "--database", str(build.duckdb_path), "--out", str(out),
                                       "--target-path", str(build.work_dir / "target")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def embedded_figures(page: str) -> dict[str, dict[str, Any]]:
    match = re.search(r'<script id="stratify-figures" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the page embeds no figures"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through chromedriver, both from Debian (`make test` installs them:
    scripts/chromium.sh install). Any request leaving the machine goes to a dead proxy, so a
    page that needs the network shows a console error."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.fail("chromium or chromedriver not found (run: scripts/chromium.sh install)")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--no-first-run", "--hide-scrollbars",
                     "--window-size=1400,1000", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_and_draw(driver: Any, page: Path, screenshot: Path) -> dict[str, Any]:
    """Opens ``page``, waits for every chart, saves a full-page screenshot; returns what the
    page says of its charts, its console and the resources it loaded."""
    driver.get_log("browser")  # drop what an earlier page logged
    driver.set_window_size(1400, 1000)
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while not driver.execute_script("return document.body.dataset.charts") and time.monotonic() < deadline:
        time.sleep(0.2)
    state = driver.execute_script(f"""
        const charts = Array.from(document.querySelectorAll(".chart"));
        return {{
            status: document.body.dataset.charts || "timeout",
            declared: Number(document.querySelector('meta[name="stratify-charts"]').content),
            charts: charts.map(div => ({{
                key: div.dataset.chart, drawn: div.dataset.drawn, height: div.getBoundingClientRect().height,
                marks: div.querySelectorAll({json.dumps(MARKS)}).length }})),
            missing: Array.from(document.querySelectorAll("[data-missing]")).map(p => p.dataset.missing),
            resources: performance.getEntriesByType("resource").map(r => r.name),
            height: document.body.scrollHeight,
        }};""")
    state["console"] = driver.get_log("browser")
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(1400, state["height"] + chrome)
    driver.save_screenshot(str(screenshot))
    return state


def assert_drawn(state: dict[str, Any], screenshot: Path) -> None:
    assert state["status"] == "drawn", state
    assert [entry for entry in state["console"] if entry["level"] in ("SEVERE", "WARNING")] == []
    assert state["declared"] == len(state["charts"]) > 0
    for chart in state["charts"]:
        assert chart["drawn"] == "true" and chart["height"] > 200 and chart["marks"] > 0, chart
    assert [name for name in state["resources"] if not name.startswith(("data:", "blob:", "file:"))] == []
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 1400 and height >= state["height"], (width, height)


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """In STRATIFY_TEST_ARTIFACTS when set (to keep it after the run), else in tmp_path."""
    folder = Path(os.environ.get("STRATIFY_TEST_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_demo_report_draws_every_chart_offline_in_headless_chromium(demo_build: Build, browser: Any,
                                                                     tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = write_report(demo_build, page)
    assert "14 charts" in result.output and "not drawn" not in result.output
    screenshot = screenshot_path(tmp_path, "report_demo.png")
    state = open_and_draw(browser, page, screenshot)
    assert_drawn(state, screenshot)
    assert {chart["key"] for chart in state["charts"]} == DEMO_CHARTS
    assert state["missing"] == []
    print(f"screenshot: {screenshot}")


def test_figures_equal_the_marts_they_come_from(demo_build: Build, tmp_path: Path) -> None:
    # A later `dbt source freshness` records its checks too: the test panel stays on the build's.
    database = tmp_path / "stratify.duckdb"
    shutil.copyfile(demo_build.duckdb_path, database)
    with duckdb.connect(str(database)) as writable:
        writable.execute("insert into quality.quality_test_results (invocation_id, run_started_at, dbt_command, "
                         "test_name, test_kind, status) select 'later', max(run_started_at) + interval 1 hour, "
                         "'freshness', 'orders', 'freshness', 'warn' from quality.quality_test_results")
    build = dataclasses.replace(demo_build, duckdb_path=database)
    page = tmp_path / "report.html"
    write_report(build, page)
    figures = embedded_figures(page.read_text())
    connection = duckdb.connect(str(database), read_only=True)

    def one(sql: str) -> Any:
        return connection.execute(sql).fetchone()[0]

    try:
        tiers = connection.execute("select tier_label, share_of_persons, share_of_revenue from marts.tier_summary "
                                   "order by tier_rank").fetchall()
        customers_bar, revenue_bar = figures["tier_sizes"]["data"]
        assert customers_bar["x"] == [t[0] for t in tiers]
        assert customers_bar["y"] == pytest.approx([t[1] for t in tiers])
        assert revenue_bar["y"] == pytest.approx([t[2] for t in tiers])
        curve = figures["pareto"]["data"][0]
        assert curve["x"][-1] == pytest.approx(1.0) and curve["y"][-1] == pytest.approx(1.0)
        assert all(later >= earlier for earlier, later in zip(curve["y"], curve["y"][1:]))

        counts = figures["rfm_heatmap"]["data"][0]["z"]
        assert sum(v or 0 for row in counts for v in row) == one("select count(*) from marts.customer_rfm")
        spend = figures["rfm_heatmap"]["data"][1]["z"]
        assert sum(v or 0 for row in spend for v in row) == pytest.approx(
            float(one("select sum(monetary) from marts.customer_rfm")))

        funnel = figures["lifecycle_funnel"]["data"][0]
        assert sum(funnel["x"]) == one("select count(*) from marts.dim_customers")
        latest_flows = one("select sum(persons) from marts.lifecycle_flows "
                           "where to_date = (select max(to_date) from marts.lifecycle_flows)")
        assert sum(figures["lifecycle_flows"]["data"][0]["link"]["value"]) == latest_flows
        latest_moves = one("select sum(persons) from marts.tier_migration_matrix "
                           "where to_date = (select max(to_date) from marts.tier_migration_matrix)")
        assert sum(figures["tier_migration_sankey"]["data"][0]["link"]["value"]) == latest_moves

        trends = figures["segment_trends"]["data"]
        assert len(trends) == one("select count(distinct (dimension, segment)) from marts.segment_trends")
        assert sum(len(trace["x"]) for trace in trends) == one("select count(*) from marts.segment_trends")

        p_alive = figures["churn_risk"]["data"]
        assert sum(sum(trace["y"]) for trace in p_alive) == one(
            "select count(*) from marts.customer_predictions where p_alive is not null")
        clv = figures["predicted_clv"]["data"][0]
        assert sum(clv["y"]) == one("select count(*) from marts.customer_predictions "
                                    "where predicted_clv_cny is not null")

        rejected = figures["rejects"]["data"][0]
        assert sum(rejected["x"]) == one("select sum(rejected_rows) from quality.raw_row_reconciliation")
        tested = sum(sum(trace["y"]) for trace in figures["test_results"]["data"])
        assert tested == one("select count(*) from quality.quality_test_results where invocation_id = "
                             "(select max_by(invocation_id, run_started_at) from quality.quality_test_results "
                             "where dbt_command in ('build', 'test'))")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def ten_customer_build(tmp_path_factory, generate_raw, dbt_builder) -> Build:
    """Ten members, forty orders, no data tests: a build small enough that most cells,
    periods and CLV bins are empty, and without test results."""
    raw = generate_raw(tmp_path_factory.mktemp("ten_customers"), customers=10, orders=40, seed=7,
                       start="2024-01-01", end="2025-12-31")
    return dbt_builder.build(raw, data_tests=False)


def test_ten_customers_draw_as_well_and_say_what_is_missing(ten_customer_build: Build, browser: Any,
                                                           tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = write_report(ten_customer_build, page)
    screenshot = screenshot_path(tmp_path, "report_ten_customers.png")
    state = open_and_draw(browser, page, screenshot)
    assert_drawn(state, screenshot)
    assert "test_results" in state["missing"]
    assert "no test results recorded" in result.output
    # Same page size for any number of customers: the data is aggregated before it is drawn.
    assert page.stat().st_size < 6_000_000


def test_freshness_comes_from_dbt_source_freshness(tmp_path: Path) -> None:
    sources = {"results": [{"unique_id": "source.stratify.raw.orders", "status": "warn",
                            "max_loaded_at": "2025-12-31T23:00:00", "snapshotted_at": "2026-01-02T23:00:00",
                            "max_loaded_at_time_ago_in_s": 172800.0}]}
    (tmp_path / "sources.json").write_text(json.dumps(sources))
    table = report._freshness(tmp_path)
    assert table.rows == [["raw.orders", "warn", "2025-12-31 23:00", "2026-01-02 23:00", "2.0 days"]]
    assert "not checked" in report._freshness(tmp_path / "nowhere").missing


def test_missing_database_and_a_database_without_marts_are_usage_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    result = CliRunner().invoke(main, ["report", "--database", str(missing), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert f"database {missing} not found" in result.output
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = CliRunner().invoke(main, ["report", "--database", str(empty), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert f"database {empty} lacks marts.customer_tiers" in result.output
    assert not (tmp_path / "r.html").exists()
