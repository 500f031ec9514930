"""The parameters of every random process (`GeneratorConfig`), so that a test can simulate
from known parameters and check that the marts recover them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GeneratorConfig:
    """Parameters of the random processes, with realistic defaults.

    Purchases follow the BG/NBD story per member, in *operational days*: calendar days
    stretched by seasonality (month, weekday, spike days), whose mean weight over the
    period is 1. A member's first purchase comes `first_purchase_delay_days` after
    signup (store signups buy at once); after it, purchases arrive as a Poisson process
    with rate lambda ~ Gamma(bgnbd_r, rate=bgnbd_alpha) per operational day, and after
    every purchase the member drops out with probability p ~ Beta(bgnbd_a, bgnbd_b): the
    first purchase included by default (MBG/NBD, Batislam et al. 2007: one-time buyers),
    repeat purchases only with `dropout_after_first_purchase=False` (BG/NBD as Fader,
    Hardie & Lee 2005 fit it).

    Exact order count: with `calibrate_rate` the purchase rates are multiplied by one
    factor s (the manifest's `model.rate_scale`; effective alpha = bgnbd_alpha / s),
    solved so that the expected number of member orders is just above the target;
    pools are drawn until one holds between the target and 0.5% more orders, and the
    pool is thinned to the target by dropping uniformly chosen orders (the manifest's
    `model.thinning_keep_share`, >= 0.995 but for tiny sizes). Without calibration
    the rates are used as given, one pool is drawn and thinned, and generation fails
    when it holds fewer orders than the target. When even infinite rates could not give
    the orders asked for (dozens of orders per member), all dropout probabilities are
    multiplied by `model.dropout_scale` < 1 as well.

    Spend per order (CNY, before discount) is Gamma-Gamma: z ~ Gamma(gg_p, rate=nu),
    nu ~ Gamma(gg_q, rate=gg_gamma) per person, so the mean spend of a person
    gg_p / nu is inverse-gamma (default mean 250 CNY). Line items are picked near that
    spend from the catalogue, so gross_amount matches z within price granularity.
    """

    bgnbd_r: float = 1.0
    bgnbd_alpha: float = 24.0  # with the default sizes (8 orders per member) rate_scale is about 1
    bgnbd_a: float = 1.0
    bgnbd_b: float = 12.0
    calibrate_rate: bool = True
    dropout_after_first_purchase: bool = True
    never_buy_share: float = 0.15  # members who never order: prospects
    first_purchase_delay_days: float = 5.0
    signup_growth: float = 1.2  # log-growth of the signup rate over the period (e^1.2 = 3.3x)
    gg_p: float = 6.0
    gg_q: float = 4.0
    gg_gamma: float = 125.0
    # seasonality: multiplicative day weights, normalised to mean 1 over the period
    month_weights: tuple[float, ...] = (0.95, 0.75, 0.95, 0.95, 1.0, 1.15, 0.95, 0.95, 1.0, 1.0, 1.3, 1.15)
    weekday_weights: tuple[float, ...] = (0.95, 0.95, 0.95, 1.0, 1.05, 1.1, 1.1)  # Monday first
    spike_days: tuple[tuple[int, int, float], ...] = (
        (11, 11, 5.0), (11, 10, 1.8), (11, 12, 1.8), (6, 18, 3.0), (6, 17, 1.5), (12, 12, 2.0),
    )
    # who places an order
    guest_checkout_share: float = 0.08  # member orders placed as guest (contact of the member)
    true_guest_order_share: float = 0.035  # orders of non-members with their own contact
    true_guest_orders_per_person: float = 1.4
    anonymous_store_order_share: float = 0.015  # store sales without card or contact
    unknown_customer_order_share: float = 0.001  # customer_id not (yet) in customers
    orders_without_items_share: float = 0.001
    shared_contact_share: float = 0.01  # members sharing an email or phone with an earlier member
    international_share: float = 0.06
    # catalogue, behaviour, service
    products: int | None = None  # None: orders // 100, clipped to [300, 5000]
    stores: int = 60
    events_per_order: float = 1.5
    checkout_session_share: float = 0.5  # web/app orders with a tracked checkout session
    event_member_share: float = 0.55  # browsing sessions by logged-in members
    ticket_share: float = 0.03  # tickets per order

    def product_count(self, orders: int) -> int:
        """Catalogue size: from the config, else grows with the order volume."""
        return self.products if self.products is not None else int(np.clip(orders // 100, 300, 5000))
