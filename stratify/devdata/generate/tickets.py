"""Support tickets about orders: returns and cancellations raise more of them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stratify.devdata.generate.arrays import I64, Bool
from stratify.devdata.generate.calendar import DAY, Calendar
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import STATUSES, TICKET_TOPICS
from stratify.devdata.generate.orders import OrderRefs


@dataclass(frozen=True)
class Tickets:
    """Support tickets as numbers, sorted by opening time (ticket ids follow time)."""

    order: I64
    opened: I64
    closed: I64
    closed_null: Bool
    channel: I64
    topic: I64
    csat: I64
    csat_null: Bool
    email_shown: Bool


def simulate_tickets(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar, orders: OrderRefs) -> Tickets:
    """Contacts about orders: returns and cancellations raise more of them."""
    n = round(cfg.ticket_share * orders.count)
    weight = np.array([1.0, 8.0, 3.0, 0.5])[orders.status]
    order = np.searchsorted(np.cumsum(weight), rng.random(n) * weight.sum(), side="right").clip(0, orders.count - 1)
    ts = orders.ts[order]
    opened = ts + (rng.uniform(0.2, 12.0, n) * DAY).astype(np.int64)
    opened = np.where(opened < cal.t_end, opened, ts + (rng.random(n) * (cal.t_end - ts)).astype(np.int64))
    closed = opened + 600 + rng.exponential(1.5 * DAY, n).astype(np.int64)
    closed_null = (closed >= cal.t_end) | (rng.random(n) < 0.03)
    returned = orders.status[order] == STATUSES.index("returned")
    topic = np.where(returned, rng.choice(5, n, p=[0.05, 0.7, 0.0, 0.15, 0.1]),
                     rng.choice(5, n, p=[0.35, 0.13, 0.22, 0.1, 0.2]))
    complaint = topic == TICKET_TOPICS.index("complaint")
    csat = np.where(complaint, rng.choice(5, n, p=[0.3, 0.25, 0.2, 0.15, 0.1]),
                    rng.choice(5, n, p=[0.05, 0.07, 0.15, 0.33, 0.4])) + 1
    sort = np.argsort(opened, kind="stable")
    return Tickets(
        order=order[sort], opened=opened[sort], closed=closed[sort], closed_null=closed_null[sort],
        channel=rng.choice(3, n, p=[0.3, 0.5, 0.2])[sort], topic=topic[sort], csat=csat[sort],
        csat_null=(closed_null | (rng.random(n) < 0.4))[sort], email_shown=(rng.random(n) < 0.8)[sort],
    )
