"""Browsing events: checkout sessions that end in web and app orders, and browsing by
members and anonymous visitors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stratify.devdata.generate.arrays import I8, I32, I64
from stratify.devdata.generate.calendar import DAY, Calendar, seconds_of_day
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import CATEGORIES, CHANNELS
from stratify.devdata.generate.orders import OrderRefs
from stratify.devdata.generate.people import People
from stratify.devdata.generate.products import Products
from stratify.devdata.generate.reference import SEARCH_TERMS


@dataclass(frozen=True)
class Events:
    """Browsing events as numbers, sorted by time (event ids follow time)."""

    occurred: I64
    customer: I32  # -1: not logged in
    anonymous: I32
    event_type: I8
    product: I32  # -1: none
    category: I8  # -1: none
    term: npt.NDArray[np.int16]  # -1: none


def simulate_events(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar, people: People,
                    products: Products, orders: OrderRefs) -> Events:
    """Sessions: checkout sessions ending at web/app orders, and browsing by members and visitors."""
    budget = round(cfg.events_per_order * orders.count)
    webapp = np.flatnonzero(orders.channel <= CHANNELS.index("app"))
    conv_p = min(cfg.checkout_session_share, 0.6 * budget / max(1.0, 3.5 * len(webapp)))
    conv = webapp[rng.random(len(webapp)) < conv_p]
    del webapp
    n_conv = len(conv)
    conv_len = 2 + rng.binomial(3, 0.5, n_conv)
    n_browse = max(0, round((budget - int(conv_len.sum())) / 2.86))
    browse_len = rng.geometric(0.35, n_browse)

    # sessions: when, who (members signed up by then, or anonymous visitors), how long
    b_start = cal.t0 + cal.sample_days(rng, n_browse, cal.growth_cum) * DAY + seconds_of_day(rng, n_browse)
    signed = np.searchsorted(people.signup_s, b_start, side="right")
    is_member = (rng.random(n_browse) < cfg.event_member_share) & (signed > 0)
    b_member = np.floor(rng.random(n_browse) * signed).astype(np.int32)
    del signed
    visitor = people.count + rng.integers(0, max(1, n_browse // 3), n_browse)
    s_customer = np.concatenate([orders.customer[conv], np.where(is_member, b_member, -1)]).astype(np.int32)
    s_anonymous = np.concatenate([orders.person[conv], np.where(is_member, b_member, visitor)]).astype(np.int32)
    s_bought = np.concatenate([orders.first_product[conv], np.zeros(n_browse, np.int32)])
    del is_member, b_member, visitor
    lens = np.concatenate([conv_len, browse_len]).astype(np.int32)
    starts = np.cumsum(lens, dtype=np.int64) - lens
    session = np.repeat(np.arange(len(lens), dtype=np.int32), lens)
    n = len(session)

    # events: position in the session, gaps of about 45 s
    pos = (np.arange(n, dtype=np.int64) - starts[session]).astype(np.int16)
    to_end = (lens[session] - 1 - pos).astype(np.int16)
    csum = np.cumsum(np.where(pos == 0, 0, rng.exponential(45.0, n).astype(np.int64) + 3))
    within = (csum - csum[starts][session]).astype(np.int32)
    del csum
    duration = within[starts + lens - 1]
    s_start = np.concatenate([orders.ts[conv] - duration[:n_conv] - 20, b_start])
    del b_start, duration, conv
    occurred = s_start[session] + within
    del s_start, within

    conv_e = session < n_conv
    browse_first = np.where(rng.random(n) < 0.55, 0, 2).astype(np.int8)
    browse_next = rng.choice(np.array([1, 2, 0, 3], np.int8), n, p=[0.65, 0.12, 0.13, 0.10])
    conv_type = np.select([to_end == 0, to_end == 1, (pos == 0) & (lens[session] >= 4)],
                          [np.int8(4), np.int8(3), browse_first], np.int8(1))
    event_type = np.where(conv_e, conv_type, np.where(pos == 0, browse_first, browse_next)).astype(np.int8)
    del browse_first, browse_next, conv_type, pos, to_end

    product = np.where(conv_e & ((event_type >= 3) | (rng.random(n) < 0.5)), s_bought[session],
                       rng.choice(products.count, n, p=products.popularity)).astype(np.int32)
    product = np.where((event_type == 1) | (event_type >= 3), product, -1).astype(np.int32)
    category = np.where(product >= 0, products.category[np.maximum(product, 0)], -1)
    category = np.where((event_type == 0) & (rng.random(n) < 0.4), rng.integers(0, len(CATEGORIES), n), category)
    term = np.where(event_type == 2, rng.integers(0, len(SEARCH_TERMS), n), -1).astype(np.int16)
    del conv_e

    order = np.argsort(occurred, kind="stable")
    return Events(occurred=occurred[order], customer=s_customer[session][order],
                  anonymous=s_anonymous[session][order], event_type=event_type[order], product=product[order],
                  category=category.astype(np.int8)[order], term=term[order])
