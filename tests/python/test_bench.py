"""`stratify bench`'s parts that are not timings: the two baselines it times the project
against must compute the same scores, and its verdicts on the targets must follow the
figures (the timings themselves are never asserted: the machines are noisy)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stratify.devdata import bench
from stratify.devdata.baselines import duckdb_rfm, pandas_rfm


@pytest.fixture(scope="module")
def raw(generate_raw, tmp_path_factory) -> Path:
    return generate_raw(tmp_path_factory.mktemp("bench") / "raw", customers=300, orders=3000, seed=8,
                        start="2024-01-01", end="2025-06-30")


def test_duckdb_query_and_pandas_script_score_alike(raw: Path) -> None:
    query = duckdb_rfm(raw).set_index("customer_id").sort_index()
    script = pandas_rfm(raw).set_index("customer_id").sort_index()
    assert len(query) > 100 and list(query.index) == list(script.index)
    for column in ("recency_days", "frequency", "r_score", "f_score", "m_score"):
        assert (query[column].astype("int64") == script[column]).all(), column
    pd.testing.assert_series_equal(query["monetary"].astype("float64"), script["monetary"], rtol=1e-9)
    assert set(query["r_score"]) == {1, 2, 3, 4, 5}


def step(name: str, seconds: float, peak: float = 100.0) -> bench.StepResult:
    return bench.StepResult(name, seconds, peak, ok=True)


def test_targets_judge_the_figures() -> None:
    verdicts = bench.targets([
        step(bench.FULL_BUILD, 100.0, peak=3000.0),
        step(bench.INCREMENTAL_BUILD, 25.0, peak=5000.0),
        step(bench.RFM_PATH, 29.0),
        step(bench.SINGLE_QUERY, 10.0),
        step(bench.PANDAS_SCRIPT, 120.0),
    ])
    assert {name: (v["value"], v["met"]) for name, v in verdicts.items()} == {
        "full build / pandas script": (0.83, True),
        "customer_rfm path / single DuckDB query": (2.9, True),
        "incremental build / full build": (0.25, False),
        "peak memory of the dbt steps": (5000.0, False),
    }


def test_a_failed_step_is_not_judged() -> None:
    failed = bench.StepResult(bench.FULL_BUILD, 1.0, 1.0, ok=False)
    verdicts = bench.targets([failed, step(bench.PANDAS_SCRIPT, 50.0), step(bench.INCREMENTAL_BUILD, 1.0)])
    assert "full build / pandas script" not in verdicts and "incremental build / full build" not in verdicts


def test_profile_sums_per_resource_type_and_lists_the_slowest(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"results": [
        {"unique_id": "model.stratify.a", "execution_time": 3.0},
        {"unique_id": "model.stratify.b", "execution_time": 1.5},
        {"unique_id": "test.stratify.t", "execution_time": 0.25},
    ]}))
    profile = bench.node_profile(run_results, top=2)
    assert profile == {"seconds_per_resource_type": {"model": 4.5, "test": 0.2},
                       "slowest_nodes": {"model.stratify.a": 3.0, "model.stratify.b": 1.5}}
    assert bench.node_profile(tmp_path / "missing.json") == {}
    table = bench.format_table({"orders": 10, "customers": 1, "seed": 1, "profile": {"full": profile},
                                "steps": [vars(step(bench.SINGLE_QUERY, 2.0))], "targets": {}})
    assert "full build, node seconds (summed over threads): model 4 s, test 0 s" in table
    assert "model.stratify.a" in table
