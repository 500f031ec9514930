"""Every engine gives DuckDB's answers: the same raw data built on DuckDB (the reference)
and on another engine must give identical marts, row by row and cell by cell (money as
exact decimals, dates, timestamps, booleans, text).

Data sets: generated clean data, generated dirty data (parquet, and csv: every column as
text, with unparseable values), the tie-heavy hand-made set of test_end_to_end.py (ties,
ABC shares landing exactly on 0.80 and 0.95, every identity path), and hand-made csv text
that casts could read differently (text_edge_cases_raw). Compared marts: those of MARTS
(the reject rates of raw_row_reconciliation through their counts). And the clean set
scored with given CLV parameters (clv_given_parameters): customer_predictions' SQL scores
(P(alive), value per purchase, churn-risk band), which every engine gives; DuckDB alone
fits the models and gives the expected purchases and the predicted CLV.

An engine whose driver is not installed is skipped, with the reason (so is one left out of
STRATIFY_TEST_ENGINES, e.g. `STRATIFY_TEST_ENGINES=none` for a quick run). Each engine
builds every data set in one go, all engines at once (Spark, the slowest, in one JVM: 2-6
minutes per build on 2 cores). This module runs first and its builds are session fixtures:
every engine's builds start with the session and run beside every other module, and the
tests that wait for them (marked ``late``) run last. Adding an engine: an entry in
engines.ENGINES (how to load, build and read it, and the pytest fixtures it needs) and its
name in ENGINE_PARAMS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import engines
from test_end_to_end import tie_heavy_data

pytestmark = [pytest.mark.slow, pytest.mark.early]

ENGINE_PARAMS = ["postgres", "spark"]

GENERATED = dict(customers=500, orders=5000, seed=3, start="2023-01-01", end="2025-12-31")
DATASETS = {
    "clean": dict(GENERATED, dirty=0.0),
    "dirty": dict(GENERATED, dirty=0.002),
    "dirty_csv": dict(GENERATED, dirty=0.002, fmt="csv"),
}

# mart -> key columns (unique per row); columns compared: all of them, unless listed in IGNORED.
MARTS = {
    "customer_rfm": ["person_key"],
    "dim_customers": ["person_key"],
    "customer_identity_map": ["identifier_type", "identifier"],
    "fct_orders": ["order_id"],
    "fct_order_items": ["order_id", "line_number"],
    "quality.raw_row_reconciliation": ["table_name"],
    "customer_tiers": ["person_key"],
    "customer_segments": ["person_key"],
    "customer_signals": ["person_key"],
    "customer_actions": ["person_key", "action_id"],
    "tier_summary": ["tier"],
    "segment_summary": ["segment_type", "segment"],
    "customer_state": ["person_key"],
    "customer_state_history": ["person_key", "as_of_date"],
    "customer_state_log": ["person_key", "snapshot_date"],
    "customer_tier_changes": ["person_key", "change_date", "source"],
    "tier_migration_matrix": ["from_date", "to_date", "from_tier", "to_tier"],
    "lifecycle_flows": ["from_date", "to_date", "from_lifecycle_stage", "to_lifecycle_stage"],
    "segment_trends": ["as_of_date", "dimension", "segment"],
}
# Display ratios (shares, averages) are doubles, computed by each engine's own float
# division and summation order: equal within this relative tolerance. Everything else
# (keys, labels, scores, money as decimals) must be identical.
FLOAT_RELATIVE_TOLERANCE = 1e-9
# reject_rate is a double on DuckDB (decimal / integer) and a decimal on Spark: the counts it
# is computed from are compared exactly instead.
# The clv_given_parameters run's mart, and its columns only DuckDB's dbt Python models give
# (null on the other engines).
CLV_MARTS = {"customer_predictions": ["person_key"]}
CLV_PYTHON_COLUMNS = {"expected_purchases_30d", "expected_purchases_90d", "expected_purchases_365d",
                      "predicted_clv_cny", "predicted_clv_top_share", "is_high_value_at_risk"}
CLV_PARAMETERS = {"r": 0.5, "alpha": 12.0, "a": 0.95, "b": 12.0, "p": 5.0, "q": 4.0, "gamma": 150.0}
IGNORED = {"quality.raw_row_reconciliation": {"reject_rate"}, "customer_predictions": CLV_PYTHON_COLUMNS}


def text_edge_cases_raw(out_dir: Path) -> Path:
    """CSV raw files whose text the engines' casts could read differently: numbers with
    spaces, signs, exponents and fractions where integers are expected, out-of-range
    integers, boolean spellings, timestamp shapes. Only text on which the engines are meant
    to agree (docs/engines.md lists the known exceptions, which stay out)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from stratify.engines.load import raw_tables

    columns = raw_tables()
    timestamps = ["2024-05-01 10:00:00", "2024-05-01T10:00:00", "2024-5-1 1:2:3", " 2024-05-01 10:00:00 ",
                  "2024-05-01", "2024-05-01 10:00:00.123456", "2024-05-01T10:00:00Z", "not a date",
                  "2024-02-30 10:00:00"]
    booleans = ["true", "TRUE", "yes", "t", "1", "0", " true ", "\ttrue", "on"]
    customers = [
        {"customer_id": f"X{i}", "email": f"x{i}@example.com", "phone": f"1380000{i:04d}", "signup_at": ts,
         "signup_source": "web", "marketing_opt_in": booleans[i % len(booleans)], "updated_at": ts}
        for i, ts in enumerate(timestamps)
    ]
    amounts = ["100.00", " 100.00 ", "100.005", "1.5e2", "+80", ".5", "5.", "1,000.00", "NaN", "12.5e-1"]
    currencies = ["CNY", "USD", " hkd ", "EUR"]
    orders = [
        {"order_id": f"XO{i}", "channel": " Web ", "customer_id": f"X{i % len(timestamps)}",
         "ordered_at": timestamps[i % 7], "status": "Completed" if i % 3 else "returned",
         "currency": currencies[i % len(currencies)], "gross_amount": amount, "discount_amount": ["0", "-0.00", "1.5"][i % 3],
         "shipping_amount": "0", "refunded_amount": "0.00", "updated_at": timestamps[(i + 1) % 7]}
        for i, amount in enumerate(amounts)
    ]
    whole = ["1", " 2 ", "3.0", "2.5", "3.7", "1e2", "2147483648", "abc", "+5", "-1", "1.5e1"]
    order_items = [
        {"order_id": f"XO{i % len(amounts)}", "line_number": whole[(i + 3) % len(whole)] if i >= 8 else str(i + 1),
         "product_id": "P1", "quantity": quantity, "unit_price": amounts[i % 7], "unit_cost": "1e0"}
        for i, quantity in enumerate(whole)
    ]
    tables = {
        "customers": customers,
        "orders": orders,
        "order_items": order_items,
        "products": [{"product_id": "P1", "product_name": "Thing", "category": " Home ", "brand": "B", "list_price": "12.5e1"}],
        "fx_rates": [{"currency": "USD", "rate_date": "2023-01-01", "rate_to_cny": "7.10000000"},
                     {"currency": "USD", "rate_date": " 2024-01-01 ", "rate_to_cny": " 7.2 "},
                     {"currency": "HKD", "rate_date": "2023-01-01", "rate_to_cny": "9e-1"},
                     {"currency": "EUR", "rate_date": "2023-1-1", "rate_to_cny": "+7.8"},
                     {"currency": "GBP", "rate_date": "2023-01-01", "rate_to_cny": "abc"}],
        "events": [{"event_id": "E1", "occurred_at": ts, "anonymous_id": "a", "event_type": "page_view"} for ts in timestamps[:1]],
        "support_tickets": [{"ticket_id": f"T{i}", "opened_at": "2024-05-01", "channel": "chat", "topic": "refund",
                             "csat_score": score} for i, score in enumerate(["5", "4.6", " 3 ", "1e0", "9", "x"])],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, names in columns.items():
        rows = tables.get(table, [])
        data = {name: pa.array([row.get(name) for row in rows], pa.string()) for name in names}
        pacsv.write_csv(pa.table(data), out_dir / f"{table}.csv",
                        pacsv.WriteOptions(quoting_style="all_valid"))
    return out_dir


def _duckdb_rows(build, mart: str) -> list[dict[str, Any]]:
    schema, table = engines.split_table(mart)
    return build.rows(table, schema)


@pytest.fixture(scope="session")
def runs(tmp_path_factory, generate_raw, write_raw_dir) -> list[engines.Run]:
    from stratify.devdata.append import append_day

    root = tmp_path_factory.mktemp("engines_raw")
    # dbt unit tests do not read the data: run them on the engine once, with the first set.
    # Data tests: on the dirty csv (the same dirt as the dirty parquet, as text: every
    # staging cast and quarantine path); identical marts pass identical tests, and the
    # comparison checks the marts' keys, so the other sets are compared on their marts only.
    runs = [engines.Run(name, generate_raw(root / name, **spec), unit_tests=name == "clean",
                        data_tests=name == "dirty_csv")
            for name, spec in DATASETS.items()]
    # The clean set is built twice, the second time a day later with late returns, so the
    # incremental runs (fct_orders, history, state log) are compared too.
    clean = runs[0]
    later = root / "clean_plus_one_day"
    shutil.copytree(clean.raw_dir, later)
    append_day(later, seed=3, returns=5)
    runs[0] = dataclasses.replace(clean, then_raw_dir=later)
    tie_raw, _ = tie_heavy_data()
    runs.append(engines.Run("tie_heavy", write_raw_dir(root / "tie_heavy", tie_raw.tables()), data_tests=False))
    # A handful of rows with a lot of bad ones: far above the default reject-rate alarms.
    runs.append(engines.Run("text_edge_cases", text_edge_cases_raw(root / "text_edge_cases"),
                            {"reject_rate_warn": 1, "reject_rate_error": 1}, data_tests=False))
    # The CLV fits are dbt Python models, built on DuckDB only (docs/clv.md): the reference
    # builds leave them out too, so that both sides build the same marts; one more run
    # scores the clean set in SQL from given parameters.
    runs = [dataclasses.replace(run, vars={**run.vars, "clv_enabled": False}) for run in runs]
    return [*runs, engines.Run("clv_given_parameters", clean.raw_dir, {"clv_parameters": CLV_PARAMETERS},
                               data_tests=False, marts=tuple(CLV_MARTS))]


@pytest.fixture(scope="session")
def duckdb_builds(runs, dbt_builder):
    """The reference builds, queued at once in the background (they run beside the other
    engines' builds and are read by the late tests), with the data tests the other engines
    run."""
    return {run.name: dbt_builder.submit(run.raw_dir, run.vars, data_tests=run.data_tests,
                                         then_raw_dir=run.then_raw_dir, background=True) for run in runs}


@pytest.fixture(scope="session", autouse=True)
def engine_builds(request, tmp_path_factory):
    """Every engine this session tests and can run, started at once in threads: Spark's
    one long subprocess runs beside the PostgreSQL and DuckDB builds instead of after them.
    Their pytest fixtures are resolved here, in pytest's thread. Autouse: they start with
    this module's first test, which runs first (the module is marked early); the tests that
    compare them run last (marked late)."""
    wanted = {item.callspec.params.get("engine_result") for item in request.session.items
              if hasattr(item, "callspec")}
    chosen = [name for name in ENGINE_PARAMS if name in wanted and not engines.ENGINES[name].unavailable()]
    pool = ThreadPoolExecutor(max_workers=max(len(chosen), 1), thread_name_prefix="engine")
    futures = {}
    if chosen:
        runs = request.getfixturevalue("runs")
        request.getfixturevalue("duckdb_builds")  # queued first: they run beside the engines' builds
    for name in chosen:
        engine = engines.ENGINES[name]
        fixtures = {fixture: request.getfixturevalue(fixture) for fixture in engine.fixtures}
        futures[name] = pool.submit(engine.build, runs, tmp_path_factory.mktemp(f"engine_{name}"), list(MARTS),
                                    fixtures.__getitem__)
    yield futures
    pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def engine_result(request):
    """All runs of one engine (built once per session, in one go), or a skip before any
    data is generated when the engine cannot run here."""
    name = request.param
    reason = engines.ENGINES[name].unavailable()
    if reason:
        pytest.skip(reason)
    return name, request.getfixturevalue("engine_builds")[name].result()


def _kind(value: Any) -> str:
    """Type class of a cell: engines must agree on it, not only on the value."""
    for kind in (bool, int, Decimal, dt.datetime, dt.date, str, float):
        if isinstance(value, kind):
            return kind.__name__
    return "null" if value is None else type(value).__name__


def assert_same_rows(reference: list[dict], other: list[dict], key: list[str], ignored: set[str],
                     what: str, show: int = 8) -> None:
    ref_columns = set(reference[0]) if reference else set()
    other_columns = set(other[0]) if other else set()
    assert not reference or not other or ref_columns == other_columns, (
        f"{what}: columns differ; duckdb only {sorted(ref_columns - other_columns)}, "
        f"engine only {sorted(other_columns - ref_columns)}"
    )

    def keyed(rows: list[dict], side: str) -> dict[tuple, dict]:
        out: dict[tuple, dict] = {}
        for row in rows:
            k = tuple(row[c] for c in key)
            assert k not in out, f"{what}: duplicate key {k} on {side}"
            out[k] = row
        return out

    ref, got = keyed(reference, "duckdb"), keyed(other, "engine")
    missing, extra = sorted(ref.keys() - got.keys(), key=str), sorted(got.keys() - ref.keys(), key=str)
    mismatches = []
    for k in sorted(ref.keys() & got.keys(), key=str):
        for column in sorted(ref_columns - ignored):
            want, have = ref[k][column], got[k][column]
            if isinstance(want, float) and isinstance(have, float) and math.isclose(
                    want, have, rel_tol=FLOAT_RELATIVE_TOLERANCE, abs_tol=1e-12):
                continue
            if want != have or (want is not None and have is not None and _kind(want) != _kind(have)):
                mismatches.append((k, column, have, want))
    if not (missing or extra or mismatches):
        return
    per_column: dict[str, int] = {}
    for _, column, _, _ in mismatches:
        per_column[column] = per_column.get(column, 0) + 1
    lines = [f"{what}: {len(reference)} rows on duckdb, {len(other)} on the engine; {len(missing)} missing, "
             f"{len(extra)} extra, {len(mismatches)} cell(s) differ"
             + (" (" + ", ".join(f"{c}={n}" for c, n in sorted(per_column.items())) + ")" if per_column else "")]
    lines += [f"  {k} {column}: engine={have!r} duckdb={want!r}" for k, column, have, want in mismatches[:show]]
    lines += [f"  missing on the engine: {k}" for k in missing[:show]]
    lines += [f"  only on the engine: {k}" for k in extra[:show]]
    raise AssertionError("\n".join(lines))


@pytest.mark.late
@pytest.mark.parametrize("engine_result", ENGINE_PARAMS, indirect=True)
@pytest.mark.parametrize("dataset", [*DATASETS, "tie_heavy", "text_edge_cases", "clv_given_parameters"])
def test_engine_gives_duckdb_answers(engine_result, dataset, request):
    engine, results = engine_result
    outcome = results[dataset]
    if isinstance(outcome, engines.BuildFailure):
        pytest.fail(f"{engine}, data set {dataset}: {outcome.message}", pytrace=False)
    reference = request.getfixturevalue("duckdb_builds")[dataset].result()
    run = next(run for run in request.getfixturevalue("runs") if run.name == dataset)
    problems = []
    for mart, key in ({m: CLV_MARTS[m] for m in run.marts} or MARTS).items():
        duck = _duckdb_rows(reference, mart)
        assert duck or mart not in ("customer_rfm", "customer_predictions"), (
            f"{dataset}: nobody scored on duckdb; not a useful comparison")
        if mart in CLV_MARTS:
            assert all(row["p_alive"] is not None for row in duck), f"{dataset}: DuckDB left P(alive) null"
            python_only = {c for row in outcome[mart] for c in CLV_PYTHON_COLUMNS if row[c] is not None}
            assert not python_only, f"{engine} {dataset} {mart}: {sorted(python_only)} not null without dbt Python models"
        try:
            assert_same_rows(duck, outcome[mart], key, IGNORED.get(mart, set()), f"{engine} {dataset} {mart}")
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, "\n".join(problems)


def test_comparison_catches_what_engines_get_wrong():
    """The comparison itself (no engine needed): a value, a type, a row, a column."""
    reference = [{"k": "a", "money": Decimal("1.10"), "day": dt.date(2024, 1, 1), "n": 1},
                 {"k": "b", "money": Decimal("2.00"), "day": dt.date(2024, 1, 2), "n": 2}]
    assert_same_rows(reference, [dict(row) for row in reference], ["k"], set(), "same")
    assert_same_rows(reference, [dict(reference[0], money=Decimal("1.1")), reference[1]], ["k"], set(), "scale")
    shares = [{"k": "a", "share": 0.1 + 0.2}]
    assert_same_rows(shares, [{"k": "a", "share": 0.3}], ["k"], set(), "float rounding")
    with pytest.raises(AssertionError, match="cell"):
        assert_same_rows(shares, [{"k": "a", "share": 0.3000001}], ["k"], set(), "float")
    for broken, why in [
        ([dict(reference[0], money=Decimal("1.1000000001")), reference[1]], "cell(s) differ"),
        ([dict(reference[0], money=1.1), reference[1]], "cell(s) differ"),  # a float for a decimal
        ([dict(reference[0], day=dt.datetime(2024, 1, 1)), reference[1]], "cell(s) differ"),
        ([dict(reference[0], n=1.0), reference[1]], "cell(s) differ"),  # a float for an integer
        ([reference[0]], "1 missing"),
        ([dict(row, extra=None) for row in reference], "columns differ"),
    ]:
        with pytest.raises(AssertionError, match=re.escape(why)):
            assert_same_rows(reference, broken, ["k"], set(), "broken")


@pytest.mark.late
@pytest.mark.parametrize("engine_result", ["postgres"], indirect=True)
def test_bi_reader_reads_marts_only(engine_result, postgres_server) -> None:
    """On PostgreSQL a login of the bi_reader group reads every mart, and is refused raw,
    staging, intermediate and quality; no column it can see is PII."""
    import psycopg2

    _, results = engine_result
    assert not isinstance(results["clean"], engines.BuildFailure), results["clean"]
    database = engines.postgres_database(engines.Run("clean", Path()))
    admin = postgres_server.connect(database)
    with admin.cursor() as cursor:
        cursor.execute("drop role if exists bi_user")
        cursor.execute("create role bi_user login in role bi_reader")
    admin.close()

    reader = postgres_server.connect(database, user="bi_user")
    with reader.cursor() as cursor:
        for table in ("customer_rfm", "dim_customers", "customer_identity_map", "fct_orders", "fct_order_items"):
            cursor.execute(f"select count(*) from marts.{table}")
            assert cursor.fetchone()[0] > 0, table
        for forbidden in ("raw.customers", "staging.stg_raw__customers", "staging.stg_raw__orders",
                          "intermediate.int_history_period_ends", "quality.rejected_customers"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute(f"select * from {forbidden} limit 1")
        # information_schema shows a user only the columns it has some privilege on.
        cursor.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('pg_catalog', 'information_schema')"
        )
        visible = cursor.fetchall()
    reader.close()
    assert {schema for schema, _, _ in visible} == {"marts"}, visible
    pii = {"email", "phone", "full_name", "birth_date", "contact_email", "contact_phone"}
    assert not [column for _, _, column in visible if column in pii]
