"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") and
Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999): maximum
likelihood fits on a calibration summary, and per-person scores from fitted parameters.

A calibration summary holds, per person: ``x`` repeat purchases (purchase days after the
first), ``t_x`` time from the first to the last purchase, ``T`` time from the first
purchase to the end of the calibration period (both in one time unit), and for
Gamma-Gamma ``m`` the mean spend of the repeat purchases (persons with x = 0 carry no
spend information and are left out of that fit).

Fits work in log space (every parameter is positive) with bounds, on distinct summary
rows weighted by their count, with times and spend rescaled to order one (alpha and gamma
are scale parameters, scaled back after the fit). Standard errors come from the observed
information (the inverse Hessian of the negative log-likelihood), by the delta method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

Array = npt.NDArray[np.float64]

BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")
# Bounds of the log-parameters: wide enough for any data set, narrow enough that the
# optimizer never evaluates exp() into overflow.
LOG_BOUND = 20.0
# A fit is converged when a Newton step would gain less log-likelihood than this (a tiny
# fraction of one standard error: the gain of moving one standard error is 1/2).
MAX_REMAINING_GAIN = 1e-3
NEWTON_STEPS = 5
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Fit:
    """A maximum likelihood fit: parameters by name, their standard errors (None where the
    information matrix is singular), the maximised log-likelihood (of the data as given,
    unscaled), whether the optimizer converged, and the persons it saw."""

    model: str
    parameters: dict[str, float]
    standard_errors: dict[str, float | None]
    log_likelihood: float
    converged: bool
    n_customers: int
    message: str

    def values(self) -> tuple[float, ...]:
        return tuple(self.parameters.values())


# --------------------------------------------------------------------------------------
# Log-likelihoods (per summary row)
# --------------------------------------------------------------------------------------


def bgnbd_log_likelihood(params: tuple[float, ...] | Array, x: Array, t_x: Array, T: Array) -> Array:
    """log L(r, alpha, a, b | x, t_x, T) per row (FHL 2005, eq. 6), as a log-sum of its two
    terms so that neither underflows for large x or T."""
    r, alpha, a, b = params
    common = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
              + special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x))
    still_alive = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # b + x - 1 is only read where x > 0; the placeholder keeps log() away from b - 1 <= 0
    dropped_out = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
                           -np.inf)
    return common + np.logaddexp(still_alive, dropped_out)


def gamma_gamma_log_likelihood(params: tuple[float, ...] | Array, x: Array, m: Array) -> Array:
    """log L(p, q, gamma | x, m) per row (x >= 1 repeat purchases of mean spend m > 0)."""
    p, q, gamma = params
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + m * x))


# --------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------


def _distinct_rows(*columns: Array) -> tuple[list[Array], Array]:
    """The distinct rows of the columns, sorted, and how often each occurs: the likelihood
    is a sum over persons, most persons share their summary with many others, and sums over
    sorted rows do not depend on the order the persons came in (the same data gives the
    same fit to the last bit, whatever order a database returns it in)."""
    stacked = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(np.float64)


def _hessian(f: Callable[[Array], float], at: Array, step: float = 1e-4) -> Array:
    """Central-difference Hessian of a scalar function of a few variables."""
    n = len(at)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * step, np.eye(n)[j] * step
            h[i, j] = h[j, i] = (f(at + ei + ej) - f(at + ei - ej) - f(at - ei + ej) + f(at - ei - ej)) / (4 * step**2)
    return h


def _gradient(f: Callable[[Array], float], at: Array, step: float = 1e-6) -> Array:
    return np.array([(f(at + e) - f(at - e)) / (2 * step) for e in np.eye(len(at)) * step])


def _maximise(model: str, names: tuple[str, ...], negative_ll: Callable[[Array], float], start: Array,
              unscale: Callable[[Array], Array], log_likelihood: Callable[[Array], float], n: int) -> Fit:
    """Minimise ``negative_ll`` (the mean over ``n`` persons) over log-parameters with
    L-BFGS-B, then Newton steps while they still gain; report parameters on the data's scale.

    Converged means a maximum, whatever the optimizer's own verdict (L-BFGS-B may stop
    "ABNORMAL" in a line search where nothing is left to gain): inside the bounds, a
    positive definite Hessian, and less than MAX_REMAINING_GAIN of log-likelihood left to
    gain by a Newton step (n g'H^-1 g / 2)."""
    result = optimize.minimize(negative_ll, start, method="L-BFGS-B",
                               bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
                               options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8})
    at = result.x
    for step in range(NEWTON_STEPS + 1):
        gradient, hessian = _gradient(negative_ll, at), _hessian(negative_ll, at)
        maximum = _positive_definite(hessian)
        remaining = float(n * gradient @ np.linalg.solve(hessian, gradient) / 2) if maximum else float("inf")
        if not maximum or remaining <= MAX_REMAINING_GAIN or step == NEWTON_STEPS:
            break
        candidate = np.clip(at - np.linalg.solve(hessian, gradient), -LOG_BOUND, LOG_BOUND)
        if not negative_ll(candidate) < negative_ll(at):
            break
        at = candidate
    at_bound = bool(np.any(np.abs(at) > LOG_BOUND - 1e-6))
    values = unscale(np.exp(at))
    # negative_ll is the mean over n persons: the sample's information is n times its
    # Hessian. Scaling multiplies a scale parameter: errors of log-parameters are unchanged.
    errors: dict[str, float | None] = dict.fromkeys(names)
    if maximum:
        variances = np.diag(np.linalg.inv(hessian * n))
        errors = {name: float(v * np.sqrt(var)) for name, v, var in zip(names, values, variances)}
    converged = maximum and not at_bound and remaining <= MAX_REMAINING_GAIN
    message = (f"log-likelihood left to gain {remaining:.1e}"
               f"{'' if maximum else ', Hessian not positive definite'}"
               f"{', a parameter at its bound' if at_bound else ''}; L-BFGS-B: {result.message}")
    return Fit(model, {name: float(v) for name, v in zip(names, values)}, errors,
               float(log_likelihood(values)), converged, n, message)


def _positive_definite(matrix: Array) -> bool:
    return bool(np.all(np.isfinite(matrix)) and np.all(np.linalg.eigvalsh(matrix) > 0))


def fit_bgnbd(x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Fit:
    """BG/NBD parameters (r, alpha, a, b) by maximum likelihood."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    _check_summary(x, t_x, T)
    scale = float(T.max()) / 10.0 if T.max() > 0 else 1.0
    (ux, ut, uT), counts = _distinct_rows(x, t_x, T)

    def negative_ll(log_params: Array) -> float:
        scaled = bgnbd_log_likelihood(np.exp(log_params), ux, ut / scale, uT / scale)
        return -float(np.dot(counts, scaled)) / counts.sum()

    def unscale(v: Array) -> Array:
        return np.array([v[0], v[1] * scale, v[2], v[3]])

    def log_likelihood(values: Array) -> float:
        return float(np.dot(counts, bgnbd_log_likelihood(values, ux, ut, uT)))

    return _maximise("bgnbd", BGNBD_PARAMETERS, negative_ll, np.zeros(4), unscale, log_likelihood, len(x))


def fit_gamma_gamma(x: npt.ArrayLike, m: npt.ArrayLike) -> Fit:
    """Gamma-Gamma parameters (p, q, gamma) by maximum likelihood, on persons with x > 0."""
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = x > 0
    x, m = x[keep], m[keep]
    if len(x) == 0:
        raise ValueError("Gamma-Gamma needs persons with repeat purchases; the calibration summary has none")
    if np.any(~np.isfinite(m) | (m <= 0)):
        raise ValueError("Gamma-Gamma needs a positive mean spend for every person with repeat purchases")
    (ux, um), counts = _distinct_rows(x, m)
    scale = float(np.dot(counts, um) / counts.sum())

    def negative_ll(log_params: Array) -> float:
        return -float(np.dot(counts, gamma_gamma_log_likelihood(np.exp(log_params), ux, um / scale))) / counts.sum()

    def unscale(v: Array) -> Array:
        return np.array([v[0], v[1], v[2] * scale])

    def log_likelihood(values: Array) -> float:
        return float(np.dot(counts, gamma_gamma_log_likelihood(values, ux, um)))

    return _maximise("gamma_gamma", GAMMA_GAMMA_PARAMETERS, negative_ll, np.zeros(3), unscale, log_likelihood,
                     len(x))


def _check_summary(x: Array, t_x: Array, T: Array) -> None:
    if len(x) == 0:
        raise ValueError("BG/NBD needs at least one person in the calibration summary")
    problems = [
        ("x must be a whole number >= 0", (x < 0) | (x != np.floor(x))),
        ("t_x must be >= 0", t_x < 0),
        ("t_x must be <= T", t_x > T),
        ("t_x must be 0 when x is 0", (x == 0) & (t_x != 0)),
        ("values must be finite", ~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T)),
    ]
    for what, bad in problems:
        if np.any(bad):
            raise ValueError(f"calibration summary: {what} ({int(bad.sum())} row(s), e.g. row {int(np.argmax(bad))})")


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------


def _dropout_log_odds(params: tuple[float, ...], x: Array, t_x: Array, T: Array) -> Array:
    """log of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x): the odds of having dropped out after
    the last purchase against being alive; -inf for x = 0 (never dropped out)."""
    r, alpha, a, b = params
    repeat = x > 0
    return np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                    + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)), -np.inf)


def p_alive(params: tuple[float, ...], x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Array:
    """P(alive at T | x, t_x, T) (FHL 2005, eq. 11)."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    return special.expit(-_dropout_log_odds(params, x, t_x, T))


def expected_purchases(params: tuple[float, ...], t: float | Array, x: npt.ArrayLike, t_x: npt.ArrayLike,
                       T: npt.ArrayLike) -> Array:
    """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10).

    Written with Euler's transformation, (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) =
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), z = t / (alpha + T + t): the transformed
    series has small parameters whatever x, where the original one grows like (1-z)^-x
    before being multiplied by a tiny (1-z)^(r+x). Undefined at a = 1 exactly."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + T + t)
    c = a + b + x - 1
    g = np.exp((a - 1) * np.log1p(-z)) * special.hyp2f1(a + b - 1 - r, a - 1, c, z)
    return (c / (a - 1)) * (1 - g) * special.expit(-_dropout_log_odds(params, x, t_x, T))


def expected_spend(params: tuple[float, ...], x: npt.ArrayLike, m: npt.ArrayLike) -> Array:
    """E[spend per purchase | x, m] (Gamma-Gamma): a weighted mean of the population mean
    p gamma / (q - 1) and the person's own mean m; the population mean for x = 0. Needs q > 1."""
    p, q, gamma = params
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    if q <= 1:
        raise ValueError(f"Gamma-Gamma q = {q} <= 1: the mean spend per purchase is infinite")
    own = np.where(x > 0, m, 0.0)
    return p * (gamma + x * own) / (p * x + q - 1)


def lifetime_value(bgnbd: tuple[float, ...], spend: Array, x: npt.ArrayLike, t_x: npt.ArrayLike,
                   T: npt.ArrayLike, months: int, monthly_discount_rate: float, days_per_unit: float) -> Array:
    """Discounted expected revenue over the next ``months``: each month's expected purchases
    (the difference of expected purchases by its end and by its start) times the expected
    spend per purchase, discounted at the monthly rate from the month's end."""
    month = DAYS_PER_MONTH / days_per_unit
    cumulative = [expected_purchases(bgnbd, i * month, x, t_x, T) for i in range(months + 1)]
    value = np.zeros_like(cumulative[0])
    for i in range(1, months + 1):
        value += (cumulative[i] - cumulative[i - 1]) / (1 + monthly_discount_rate) ** i
    return value * spend


def parameters_of(model: str, values: dict[str, float | None]) -> tuple[float, ...] | None:
    """A model's parameters in the order the scores take them, from a name -> value mapping
    (e.g. rows of clv_model_parameters); None when any is missing (a fit that failed)."""
    names = {"bgnbd": BGNBD_PARAMETERS, "gamma_gamma": GAMMA_GAMMA_PARAMETERS}[model]
    ordered = [values.get(name) for name in names]
    if any(v is None or not np.isfinite(v) for v in ordered):
        return None
    return tuple(float(v) for v in ordered)  # type: ignore[arg-type]
