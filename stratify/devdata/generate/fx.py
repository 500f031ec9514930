"""Daily exchange rates to CNY: mean-reverting walks around recent levels, HKD pegged to USD."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stratify.devdata.generate.arrays import I64
from stratify.devdata.generate.calendar import DAY, Calendar
from stratify.devdata.generate.contract import CURRENCIES

# fx: level in CNY per unit and daily log volatility; HKD follows USD through its peg
_FX_LEVEL = {"USD": (7.10, 0.0030), "EUR": (7.80, 0.0040), "JPY": (0.049, 0.0050), "GBP": (9.10, 0.0045)}
_FX_PERSISTENCE = 0.995  # daily AR(1) factor of the log deviation: a half-life of about 140 days
_HKD_PER_USD = 7.80


@dataclass(frozen=True)
class Fx:
    """Daily rates to CNY from 30 days before the start: an order needs the rate of its day or
    an earlier one."""

    first_day: int  # epoch day of the first rate date: start - 30 days
    days: int
    units: I64  # [currency, day] in 1e-8 CNY; row 0 (CNY) is 1e8 and is not written

    @property
    def rows(self) -> int:
        return (len(CURRENCIES) - 1) * self.days


def simulate_fx(rng: np.random.Generator, cal: Calendar) -> Fx:
    """Daily rates from start - 30 days: mean-reverting walks around recent levels, HKD pegged."""
    days = cal.days + 30
    codes = [CURRENCIES.index(c) for c in _FX_LEVEL]
    level = np.log([lv for lv, _ in _FX_LEVEL.values()])
    shocks = np.array([vol for _, vol in _FX_LEVEL.values()])[:, None] * rng.standard_normal((len(codes), days))
    deviation = np.zeros(len(codes))
    log_rate = np.zeros((len(CURRENCIES), days))
    for day in range(days):  # one step per day for all currencies at once
        deviation = _FX_PERSISTENCE * deviation + shocks[:, day]
        log_rate[codes, day] = level + deviation
    log_rate[CURRENCIES.index("HKD")] = (log_rate[CURRENCIES.index("USD")] - np.log(_HKD_PER_USD)
                                         + 0.0008 * rng.standard_normal(days))
    return Fx(first_day=cal.t0 // DAY - 30, days=days, units=np.round(np.exp(log_rate) * 1e8).astype(np.int64))
