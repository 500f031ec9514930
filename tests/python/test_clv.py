"""Tests of the CLV models: the scores of stratify/clv.py against the published formulas
and the posterior mean, the fits' input checks, parameter recovery from the project's
generator, the SQL macros of the closed-form scores against stratify.clv on DuckDB and
PostgreSQL, and the dbt models on the demo build against the oracle's summary."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import integrate, special

import oracle
import engines
from conftest import PROFILES_DIR, PROJECT_DIR, _dbt_command, read_table
from stratify import clv
from stratify.devdata.generate import GeneratorConfig, generate

BGNBD = (0.8, 20.0, 0.9, 6.0)  # r, alpha (days), a, b


def _direct_expected_purchases(params, t, x, t_x, T):
    """FHL 2005, eq. 10, as printed: fine for small x, overflows for large ones."""
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return head * tail / alive


@pytest.mark.parametrize("x, t_x, T, t", [(0, 0, 300, 30), (0, 0, 5, 365), (1, 10, 400, 90), (3, 200, 300, 90),
                                          (10, 250, 300, 365), (40, 290, 300, 365), (5, 1, 700, 30)])
@pytest.mark.parametrize("params", [BGNBD, (0.243, 4.414, 0.793, 2.426), (2.0, 50.0, 3.5, 1.5)])
def test_expected_purchases_equal_the_published_formula(params, x, t_x, T, t):
    expected = _direct_expected_purchases(params, t, x, t_x, T)
    got = clv.expected_purchases(params, t, np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(expected, rel=1e-9)


def _posterior_expected_purchases(params, t, x, t_x, T):
    """E[Y(t)] from its definition, independently of any 2F1: P(alive) times the mean over
    the posterior of an alive person, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x),
    of the purchases before dropping out, (1 - exp(-lambda p t)) / p; lambda integrates out
    in closed form, p numerically (substituting p = u^(1/a) to lift Beta's pole at 0)."""
    r, alpha, a, b = params

    def integrand(u: float) -> float:
        p = u ** (1 / a)
        if p == 0:
            return (r + x) * t / (alpha + T)
        per_p = -np.expm1((r + x) * (np.log(alpha + T) - np.log(alpha + T + p * t))) / p
        return per_p * np.exp((b + x - 1) * np.log1p(-p)) if p < 1 else 0.0

    value, _ = integrate.quad(integrand, 0, 1, points=[1e-6, 1e-4, 1e-2, 0.1], epsabs=0, epsrel=1e-10,
                              limit=500)
    return value / (a * special.beta(a, b + x)) * clv.p_alive(params, [x], [t_x], [T])[0]


@pytest.mark.parametrize("x, t_x, T, t", [(0, 0, 300, 30), (3, 200, 300, 90), (600, 700, 700, 365),
                                          (5000, 5200, 5200, 3650), (5, 1, 700, 30)])
@pytest.mark.parametrize("params", [BGNBD, (2.0, 50.0, 3.5, 1.5)])
# quad warns of roundoff at x = 5000 yet agrees to 1e-9 there, well inside the tolerance
@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_expected_purchases_equal_the_posterior_mean_even_for_large_frequencies(params, x, t_x, T, t):
    """The printed formula multiplies a 2F1 that grows like (1-z)^-x by (1-z)^(r+x): at a few
    thousand repeat purchases it gives nan; the transformed one stays exact."""
    got = clv.expected_purchases(params, t, np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(_posterior_expected_purchases(params, t, x, t_x, T), rel=1e-7)
    if x >= 5000:
        with np.errstate(all="ignore"):
            assert np.isnan(_direct_expected_purchases(params, t, x, t_x, T))


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence():
    x, t_x, T = np.array([0, 3, 3, 3]), np.array([0, 290, 150, 20]), np.array([300, 300, 300, 300])
    alive = clv.p_alive(BGNBD, x, t_x, T)
    assert alive[0] == 1.0
    assert 1.0 > alive[1] > alive[2] > alive[3] > 0.0


def test_expected_purchases_grow_with_the_horizon_from_zero():
    x, t_x, T = np.array([2.0]), np.array([100.0]), np.array([300.0])
    horizons = [0.0, 30.0, 90.0, 365.0, 3650.0]
    values = [clv.expected_purchases(BGNBD, t, x, t_x, T)[0] for t in horizons]
    assert values[0] == pytest.approx(0.0, abs=1e-12)
    assert all(earlier < later for earlier, later in zip(values, values[1:]))


def test_expected_spend_shrinks_the_own_mean_towards_the_population_mean():
    p, q, gamma = 6.0, 4.0, 125.0
    population = p * gamma / (q - 1)
    spend = clv.expected_spend((p, q, gamma), np.array([0, 1, 50]), np.array([0.0, 1000.0, 1000.0]))
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < spend[2] < 1000.0
    with pytest.raises(ValueError, match="q = 0.9 <= 1"):
        clv.expected_spend((p, 0.9, gamma), np.array([1]), np.array([10.0]))


def test_lifetime_value_is_the_discounted_sum_of_monthly_purchases_times_spend():
    x, t_x, T = np.array([2.0]), np.array([100.0]), np.array([300.0])
    spend = np.array([200.0])
    month = clv.DAYS_PER_MONTH
    undiscounted = clv.lifetime_value(BGNBD, spend, x, t_x, T, months=12, monthly_discount_rate=0.0,
                                      days_per_unit=1.0)
    assert undiscounted[0] == pytest.approx(200.0 * clv.expected_purchases(BGNBD, 12 * month, x, t_x, T)[0])
    discounted = clv.lifetime_value(BGNBD, spend, x, t_x, T, months=12, monthly_discount_rate=0.01,
                                    days_per_unit=1.0)
    assert 0 < discounted[0] < undiscounted[0]
    weekly = clv.lifetime_value((0.8, 20.0 / 7, 0.9, 6.0), spend, x, t_x / 7, T / 7, months=12,
                                monthly_discount_rate=0.01, days_per_unit=7.0)
    assert weekly[0] == pytest.approx(discounted[0], rel=1e-9)


@pytest.mark.parametrize("x, t_x, T, message", [
    ([1, -1], [1, 0], [5, 5], "x must be a whole number >= 0 (1 row(s), e.g. row 1)"),
    ([1.5], [1], [5], "x must be a whole number >= 0"),
    ([2], [6], [5], "t_x must be <= T"),
    ([0], [2], [5], "t_x must be 0 when x is 0"),
    ([], [], [], "at least one person"),
])
def test_bgnbd_fit_names_what_is_wrong_with_the_summary(x, t_x, T, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        clv.fit_bgnbd(np.array(x, dtype=float), np.array(t_x, dtype=float), np.array(T, dtype=float))


def test_gamma_gamma_fit_needs_repeat_buyers_with_positive_spend():
    with pytest.raises(ValueError, match="no.*|none"):
        clv.fit_gamma_gamma(np.array([0, 0]), np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="positive mean spend"):
        clv.fit_gamma_gamma(np.array([1, 2]), np.array([10.0, -1.0]))


def test_a_summary_that_cannot_identify_the_parameters_gives_an_unconverged_fit():
    """Nobody bought twice: dropout cannot be told from slow buying. Everyone spent the same:
    the spread of spend is unidentified. Both fits say so instead of passing off a point."""
    bgnbd = clv.fit_bgnbd(np.zeros(100), np.zeros(100), np.linspace(10, 300, 100))
    assert not bgnbd.converged and "Hessian not positive definite" in bgnbd.message
    gamma_gamma = clv.fit_gamma_gamma(np.ones(50), np.full(50, 100.0))
    assert not gamma_gamma.converged and "at its bound" in gamma_gamma.message


# --------------------------------------------------------------------------------------
# Parameter recovery
# --------------------------------------------------------------------------------------

# The generator's BG/NBD and Gamma-Gamma with nothing on top that the models do not
# describe: no seasonality (operational days are calendar days), dropout after repeat
# purchases only, every member order under its member's customer_id, and a catalogue fine
# enough that an order's gross amount (in CNY: a few orders of domestic members are in
# other currencies) is its simulated spend within a few percent.
RECOVERY_CONFIG = GeneratorConfig(
    bgnbd_r=0.8, bgnbd_alpha=20.0, bgnbd_a=0.9, bgnbd_b=6.0, dropout_after_first_purchase=False,
    gg_p=6.0, gg_q=4.0, gg_gamma=125.0,
    month_weights=(1.0,) * 12, weekday_weights=(1.0,) * 7, spike_days=(),
    guest_checkout_share=0.0, unknown_customer_order_share=0.0, international_share=0.0, products=50_000,
)
RECOVERY_CUSTOMERS, RECOVERY_ORDERS = 20_000, 120_000
RECOVERY_END = date(2025, 12, 31)
# Each estimate within this many standard errors of the truth (two-sided p = 0.0005 each;
# 0.35% for any of the seven, Bonferroni): what one would accept for a correct fit.
MAX_Z = 3.5


@pytest.fixture(scope="module")
def recovery_summary(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, np.ndarray]]:
    out = tmp_path_factory.mktemp("recovery")
    manifest = generate(RECOVERY_CONFIG, customers=RECOVERY_CUSTOMERS, orders=RECOVERY_ORDERS, seed=11,
                        start=date(2023, 1, 1), end=RECOVERY_END, out=out)
    model = manifest.to_dict()["model"]
    # every purchase the process simulated counts (any status); days from the first order
    summary = duckdb.sql(f"""
        with purchases as (
            select
                orders.customer_id,
                epoch(orders.ordered_at) / 86400.0 as day,
                orders.gross_amount * coalesce(fx.rate_to_cny, 1) as gross_amount
            from read_parquet('{Path(out) / "orders.parquet"}') as orders
            left join read_parquet('{Path(out) / "fx_rates.parquet"}') as fx
                on orders.currency = fx.currency and cast(orders.ordered_at as date) = fx.rate_date
            where orders.customer_id is not null
        ),
        firsts as (
            select customer_id, min(day) as first_day from purchases group by customer_id
        ),
        per_person as (
            select
                purchases.customer_id,
                count(*) - 1 as x,
                max(day) - min(day) as t_x,
                epoch(date '{RECOVERY_END}' + 1) / 86400.0 - min(day) as T,
                coalesce(avg(gross_amount) filter (where day > first_day), 0) as m
            from purchases
            inner join firsts using (customer_id)
            group by purchases.customer_id
        )
        select x, t_x, T, cast(m as double) as m from per_person
    """).fetchnumpy()
    return model, summary


def test_fits_recover_the_generators_parameters(recovery_summary):
    model, s = recovery_summary
    assert model["dropout_scale"] == 1.0 and model["thinning_keep_share"] > 0.99
    truth = {
        "r": RECOVERY_CONFIG.bgnbd_r, "alpha": model["bgnbd_alpha_effective"], "a": RECOVERY_CONFIG.bgnbd_a,
        "b": RECOVERY_CONFIG.bgnbd_b, "p": RECOVERY_CONFIG.gg_p, "q": RECOVERY_CONFIG.gg_q,
        "gamma": RECOVERY_CONFIG.gg_gamma,
    }
    fits = [clv.fit_bgnbd(s["x"], s["t_x"], s["T"]), clv.fit_gamma_gamma(s["x"], s["m"])]
    z_scores = {}
    for fit in fits:
        assert fit.converged, fit.message
        for name, value in fit.parameters.items():
            error = fit.standard_errors[name]
            assert error is not None and 0 < error < 0.2 * value, (name, value, error)
            z_scores[name] = (value - truth[name]) / error
    far = {name: round(z, 2) for name, z in z_scores.items() if abs(z) > MAX_Z}
    assert not far, f"estimates more than {MAX_Z} standard errors from the truth: {far}; all: {z_scores}"


# --------------------------------------------------------------------------------------
# The dbt models on the demo build
# Persons (x, t_x, T, m) for the SQL macros, the large ones where a naive SQL power or
# exp() overflows: P(alive) then is below 1e-304 (the macro's floor).
SQL_CASES = [(0, 0.0, 10.0, None), (1, 0.0, 5.0, 80.0), (3, 20.5, 400.0, 120.0), (40, 290.0, 300.0, 9.5),
             (700, 100.0, 3000.0, 1.0), (5000, 1.0, 100000.0, 1.0)]
SQL_PARAMETERS = {"r": 0.5, "alpha": 10.0, "a": 0.9, "b": 12.0, "p": 5.0, "q": 4.0, "gamma": 150.0}


def _sql_scores(engine: str, work_dir: Path, env: dict[str, str]) -> list[dict]:
    """The macros clv_p_alive and clv_expected_purchase_value over SQL_CASES, by `dbt show`."""
    rows = ", ".join(f"({x}, {t_x}, {T}, {'null' if m is None else m})" for x, t_x, T, m in SQL_CASES)
    parameters = ", ".join(f"cast({v} as {{{{ stratify.type_double() }}}}) as {k}" for k, v in SQL_PARAMETERS.items())
    query = f"""
        with cases as (
            select cast(x as integer) as x, cast(t_x as {{{{ stratify.type_double() }}}}) as t_x,
                cast(age_t as {{{{ stratify.type_double() }}}}) as age_t, cast(m as {{{{ stratify.type_double() }}}}) as m
            from (values {rows}) as given (x, t_x, age_t, m)
        ),
        parameters as (select {parameters})
        select
            cases.x, cases.t_x, cases.age_t,
            {{{{ stratify.clv_p_alive('cases.x', 'cases.t_x', 'cases.age_t', 'r', 'alpha', 'a', 'b') }}}} as p_alive,
            {{{{ stratify.clv_expected_purchase_value('cases.x', 'cases.m', 'p', 'q', 'gamma') }}}} as value_cny
        from cases cross join parameters
        order by cases.x"""
    command = _dbt_command() + [
        "--quiet", "show", "--inline", query, "--output", "json", "--limit", "100",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
    ]
    completed = subprocess.run(command, cwd=work_dir, capture_output=True, text=True, timeout=600, env={
        **os.environ, "DO_NOT_TRACK": "1", "STRATIFY_TARGET": engine, "STRATIFY_DUCKDB_PATH": ":memory:",
        "STRATIFY_RAW_DIR": str(PROJECT_DIR / "data" / "demo"), **env,
    })
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(completed.stdout)["show"]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_sql_closed_forms_equal_stratify_clv_even_where_exp_would_overflow(engine, request, tmp_path):
    """P(alive) and the expected value per purchase in SQL (the scores every engine gives,
    docs/clv.md) are stratify.clv's to 1e-12, P(alive) floored at 1e-304."""
    if not engines.selected(engine):
        pytest.skip(f"STRATIFY_TEST_ENGINES leaves {engine} out")
    env = request.getfixturevalue("postgres_server").database("clv_macros") if engine == "postgres" else {}
    got = _sql_scores(engine, tmp_path, env)
    x, t_x, T = (np.array([case[i] for case in SQL_CASES], dtype=float) for i in range(3))
    m = np.array([case[3] or 0.0 for case in SQL_CASES])
    bgnbd = clv.parameters_of("bgnbd", SQL_PARAMETERS)
    gamma_gamma = clv.parameters_of("gamma_gamma", SQL_PARAMETERS)
    assert [row["x"] for row in got] == [case[0] for case in SQL_CASES]
    p_alive = np.array([row["p_alive"] for row in got], dtype=float)
    assert p_alive == pytest.approx(np.maximum(clv.p_alive(bgnbd, x, t_x, T), np.exp(-700) / (1 + np.exp(-700))),
                                    rel=1e-12)
    assert p_alive[-2:] == pytest.approx(np.exp(-700), rel=1e-12)  # the floor
    assert np.array([row["value_cny"] for row in got], dtype=float) == pytest.approx(
        clv.expected_spend(gamma_gamma, x, m), rel=1e-12)


# --------------------------------------------------------------------------------------


def _close(a, b, rel: float) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and float(a) == pytest.approx(float(b), rel=rel))


@pytest.mark.slow
def test_demo_build_fits_and_scores_the_oracles_summary(demo_build):
    """The SQL summary equals the oracle's (from the raw files) at the calibration and
    holdout dates; the fitted parameters are those of fitting the oracle's summary; the
    predictions and the holdout totals are stratify.clv's scores of it."""
    result = oracle.compute_from_dir(PROJECT_DIR / "data" / "demo")
    db = demo_build.duckdb_path
    settings = read_table(db, "int_clv_settings", "intermediate")[0]
    assert settings["as_of_date"] == result.as_of_date
    summary_rows = read_table(db, "int_persons_clv_summary", "intermediate")
    summaries = {}
    for end in (settings["as_of_date"], settings["holdout_calibration_end"]):
        expected = oracle.clv_summary(result, end)
        got = {r["person_key"]: r for r in summary_rows if r["summary_date"] == end}
        assert got.keys() == expected.keys()
        wrong = [key for key, row in expected.items()
                 if not all(_close(got[key][c], v, 1e-12) for c, v in row.items())]
        assert not wrong, f"{len(wrong)} persons' summaries differ as of {end}, e.g. {got[wrong[0]]} vs {expected[wrong[0]]}"
        summaries[end] = expected

    parameters = {(r["fit"], r["model"]): {} for r in read_table(db, "clv_model_parameters")}
    errors = {key: {} for key in parameters}
    for row in read_table(db, "clv_model_parameters"):
        assert row["converged"], row
        parameters[(row["fit"], row["model"])][row["parameter"]] = row["value"]
        errors[(row["fit"], row["model"])][row["parameter"]] = row["standard_error"]

    def columns(summary):
        keys = sorted(summary)
        x, t_x, T = (np.array([summary[k][c] for k in keys], dtype=float) for c in ("repeat_purchases", "recency_t_x", "age_t"))
        m = np.array([float(summary[k]["repeat_purchase_mean_cny"] or 0) for k in keys])
        return keys, x, t_x, T, m

    keys, x, t_x, T, m = columns(summaries[settings["as_of_date"]])
    bgnbd = clv.parameters_of("bgnbd", parameters[("scoring", "bgnbd")])
    gamma_gamma = clv.parameters_of("gamma_gamma", parameters[("scoring", "gamma_gamma")])
    # Equal up to where the fits stop (under 0.001 of log-likelihood left to gain: a few
    # hundredths of a standard error): the summaries' spend differ in the last bits
    # (decimal(38, 10) in the database, 28 digits in the oracle).
    for fit, model in ((clv.fit_bgnbd(x, t_x, T), "bgnbd"), (clv.fit_gamma_gamma(x, m), "gamma_gamma")):
        for name, value in fit.parameters.items():
            built = parameters[("scoring", model)][name]
            assert abs(value - built) <= 0.05 * errors[("scoring", model)][name], (model, name, value, built)

    spend = clv.expected_spend(gamma_gamma, x, m)
    expected = {
        "p_alive": clv.p_alive(bgnbd, x, t_x, T),
        "expected_purchases_90d": clv.expected_purchases(bgnbd, 90.0, x, t_x, T),
        "expected_purchase_value_cny": spend,
        "predicted_clv_cny": clv.lifetime_value(bgnbd, spend, x, t_x, T, settings["horizon_months"],
                                                settings["monthly_discount_rate"], 1.0),
    }
    predictions = {r["person_key"]: r for r in read_table(db, "customer_predictions")}
    assert predictions.keys() == set(keys)
    for column, values in expected.items():
        got = np.array([predictions[k][column] for k in keys], dtype=float)
        assert got == pytest.approx(values, rel=1e-9), column

    keys, x, t_x, T, _ = columns(summaries[settings["holdout_calibration_end"]])
    holdout = clv.parameters_of("bgnbd", parameters[("holdout", "bgnbd")])
    overall = next(r for r in read_table(db, "clv_holdout_validation") if r["frequency_bucket"] == "all")
    assert overall["persons"] == len(keys)
    assert overall["predicted_purchases"] == pytest.approx(
        clv.expected_purchases(holdout, float(settings["holdout_days"]), x, t_x, T).sum(), rel=1e-9)
    assert overall["actual_purchases"] == sum(s["purchases_after"] for s in summaries[settings["holdout_calibration_end"]].values())
    assert 0.5 < overall["p_alive_auc"] <= 1
