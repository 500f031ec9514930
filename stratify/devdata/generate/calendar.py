"""Days of the period with their order intensity (seasonality, growth), and times of day:
every stage dates its rows through `Calendar`, so orders, signups and browsing follow
the same weeks, spikes and daily profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from stratify.devdata.generate.arrays import F64, I64
from stratify.devdata.generate.config import GeneratorConfig

# order activity by China local hour (orders and events happen on Beijing time, stored in UTC)
_HOUR_WEIGHTS = np.array([0.6, 0.3, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.4, 1.6, 1.7,
                          1.6, 1.4, 1.4, 1.5, 1.5, 1.4, 1.4, 1.7, 2.1, 2.3, 2.0, 1.2])
_UTC_OFFSET = 8 * 3600
DAY = 86_400


@dataclass(frozen=True)
class Calendar:
    """The period in *operational days*: calendar days weighted by seasonality (mean 1), so
    a process with a constant rate in operational time follows the seasons."""

    start: date
    end: date
    t0: int  # epoch seconds of start 00:00 UTC
    days: int
    weight: F64  # order intensity per day, mean 1
    cum: F64  # operational time at the start of each day (days + 1 entries)
    growth_cum: F64  # same, with the business growing (signups, guests, browsing)

    @property
    def t_end(self) -> int:
        """Exclusive end: the extract time, after the last clean timestamp."""
        return self.t0 + self.days * DAY

    def day_of(self, op: F64, cum: F64 | None = None) -> I64:
        c = self.cum if cum is None else cum
        return np.clip(np.searchsorted(c, op, side="right") - 1, 0, self.days - 1)

    def sample_days(self, rng: np.random.Generator, n: int, cum: F64, first_day: int = 0) -> I64:
        return self.day_of(rng.uniform(cum[first_day], cum[-1], n), cum)


def make_calendar(cfg: GeneratorConfig, start: date, end: date) -> Calendar:
    """Day weights from the config's month, weekday and spike-day factors, normalised to mean 1."""
    dates = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    day_no = dates.astype(np.int64)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    mday = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    w = np.asarray(cfg.month_weights)[month] * np.asarray(cfg.weekday_weights)[(day_no + 3) % 7]
    for m, d, factor in cfg.spike_days:
        w = np.where((month == m - 1) & (mday == d), w * factor, w)
    w = w / w.mean()
    growth = w * np.exp(cfg.signup_growth * np.arange(len(w)) / len(w))
    return Calendar(
        start=start, end=end, t0=int(day_no[0]) * DAY, days=len(w), weight=w,
        cum=np.concatenate([[0.0], np.cumsum(w)]),
        growth_cum=np.concatenate([[0.0], np.cumsum(growth / growth.mean())]),
    )


def seconds_of_day(rng: np.random.Generator, n: int) -> I64:
    """UTC second of the day, drawn from the Beijing-time activity profile."""
    local = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()) * 3600 + rng.integers(0, 3600, n)
    return (local - _UTC_OFFSET) % DAY
