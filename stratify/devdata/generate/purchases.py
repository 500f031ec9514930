"""When members buy: the BG/NBD purchase process per member, calibrated and thinned to the
exact number of member orders asked for (see `GeneratorConfig`)."""

from __future__ import annotations

import math

import numpy as np

from stratify.devdata.generate.arrays import F64, I64, Bool
from stratify.devdata.generate.calendar import DAY, Calendar, seconds_of_day
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import SIGNUP_SOURCES
from stratify.devdata.generate.people import People


def member_purchases(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar, people: People,
                     n_target: int) -> tuple[I64, I64, Bool, dict[str, float | None]]:
    """Simulate BG/NBD purchases of members; return exactly n_target (customer, time, is_first)."""
    nm = people.n_members
    delay = np.where(people.source == SIGNUP_SOURCES.index("store"), rng.integers(120, 1800, nm),
                     300 + rng.exponential(cfg.first_purchase_delay_days * DAY, nm).astype(np.int64))
    first_s = people.signup_s + delay
    buyers = np.flatnonzero((rng.random(nm) >= cfg.never_buy_share) & (first_s < cal.t_end))
    first_s = first_s[buyers]
    n_buy = len(buyers)
    offset = first_s - cal.t0
    first_op = cal.cum[offset // DAY] + cal.weight[offset // DAY] * (offset % DAY) / DAY
    span = cal.cum[-1] - first_op  # operational days from the first purchase to the extract
    lam = rng.gamma(cfg.bgnbd_r, 1.0 / cfg.bgnbd_alpha, n_buy)
    p = np.clip(rng.beta(cfg.bgnbd_a, cfg.bgnbd_b, n_buy), 1e-9, 1.0)
    # repeats before dropping out: K ~ Geometric(p) - shift, E[K] = (1 - shift p) / p
    shift = 1 if cfg.dropout_after_first_purchase else 0

    def mean_repeats(p: F64) -> F64:
        return (1 - shift * p) / p

    # even at infinite rates a member buys at most 1 + K times; when that cannot give
    # the orders asked for (extreme orders per member), scale every p down just enough
    dropout_scale = 1.0
    if cfg.calibrate_rate and n_buy and n_buy + mean_repeats(p).sum() < 2 * n_target:
        lo, hi = 1e-9, 1.0  # capacity shrinks as the scale grows: keep lo feasible, hi not
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if n_buy + mean_repeats(mid * p).sum() >= 2 * n_target else (lo, mid)
        dropout_scale, p = lo, lo * p

    # E[repeats] = E[min(K, Poisson(s*lam*span))] = E[K] * (1 - exp(-s*lam*span*p))
    odds, exposure = mean_repeats(p), lam * span * p

    def expected(s: float) -> float:
        return n_buy + float(np.sum(odds * -np.expm1(-s * exposure)))

    def solve(goal: float) -> float:
        if goal <= n_buy:
            return 0.0
        lo, hi = 0.0, 1.0
        while expected(hi) < goal:
            lo, hi = hi, hi * 2
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if expected(mid) < goal else (lo, mid)
        return hi

    # draw pools until one lands in [target, target + slack]; keep the smallest one above
    slack = max(10, n_target // 200)
    scale = solve(n_target + slack / 2) if cfg.calibrate_rate else 1.0
    best: tuple[int, I64, I64] | None = None
    for _ in range(100 if cfg.calibrate_rate else 1):
        arrivals = rng.poisson(scale * lam * span)
        repeats = np.minimum(rng.geometric(p) - shift, arrivals)
        total = n_buy + int(repeats.sum())
        if total >= n_target and (best is None or total < best[0]):
            best = (total, arrivals, repeats)
        if n_target <= total <= n_target + slack:
            break
    if best is None:
        raise ValueError(f"the purchase process gives fewer than the {n_target} member orders needed; "
                         "enable calibrate_rate or raise the purchase rates")
    total, arrivals, repeats = best

    # repeat times: the first `repeats` of `arrivals` uniform order statistics on the span,
    # from exponential spacings: U_(j) = S_j / (S_m + Gamma(arrivals - m + 1))
    owner = np.repeat(np.arange(n_buy), repeats)
    csum = np.cumsum(rng.exponential(size=len(owner)))
    ends = np.cumsum(repeats)
    has = repeats > 0
    before = np.zeros(n_buy)
    before[has] = np.where(ends[has] > repeats[has], csum[ends[has] - repeats[has] - 1], 0.0)
    last = np.zeros(n_buy)
    last[has] = csum[ends[has] - 1] - before[has]
    denom = last + rng.gamma(arrivals - repeats + 1.0)
    rep_op = first_op[owner] + span[owner] * (csum - before[owner]) / denom[owner]
    rep_s = cal.t0 + cal.day_of(rep_op) * DAY + seconds_of_day(rng, len(owner))
    rep_s = np.minimum(np.maximum(rep_s, first_s[owner] + 60), cal.t_end - 1)

    customer = np.concatenate([buyers, buyers[owner]])
    when = np.concatenate([first_s, rep_s])
    first = np.concatenate([np.ones(n_buy, bool), np.zeros(len(owner), bool)])
    keep = np.ones(total, bool)
    keep[rng.choice(total, total - n_target, replace=False)] = False  # thin to the exact count
    model: dict[str, float | None] = {
        "buyers": n_buy, "rate_scale": scale, "dropout_scale": dropout_scale,
        "bgnbd_alpha_effective": cfg.bgnbd_alpha / scale if scale > 0 else None,
        "simulated_member_orders": total, "member_orders": n_target,
        "thinning_keep_share": n_target / total if total else 1.0,
    }
    return customer[keep], when[keep], first[keep], model
