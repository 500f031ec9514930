"""Orders: who buys (members, guests, anonymous store sales) and when, what (line items
priced from the catalogue near the order's spend), for how much (currency, coupons,
shipping), what happened next (status, refunds) and which contacts the order shows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stratify.devdata.generate.arrays import CHUNK, F64, I8, I32, I64, Bool
from stratify.devdata.generate.calendar import DAY, Calendar, seconds_of_day
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import CHANNELS, COUPONS, CURRENCIES, STATUSES
from stratify.devdata.generate.fx import Fx
from stratify.devdata.generate.people import EMAIL_FORMS, N_INTL_PHONE_FORMATS, PHONE_FORMATS, People
from stratify.devdata.generate.products import Products
from stratify.devdata.generate.purchases import member_purchases
from stratify.devdata.generate.reference import CITY_CURRENCY


@dataclass(frozen=True)
class OrderMix:
    """How many orders each kind of buyer places, and how many people of each kind place them."""

    members: int  # orders of members (BG/NBD), incl. their guest checkouts
    unknown: int  # orders of members missing from customers
    true_guests: int
    anonymous: int
    hidden_people: int
    guest_people: int


def order_mix(cfg: GeneratorConfig, n_orders: int) -> OrderMix:
    """Split the order count between the buyer kinds by the config's shares; members get the rest."""
    unknown = max(1, round(cfg.unknown_customer_order_share * n_orders))
    true_guests = round(cfg.true_guest_order_share * n_orders)
    anonymous = round(cfg.anonymous_store_order_share * n_orders)
    members = n_orders - unknown - true_guests - anonymous
    if members < 0:
        raise ValueError(f"--orders {n_orders} is too small for the configured order mix")
    return OrderMix(
        members=members, unknown=unknown, true_guests=true_guests, anonymous=anonymous,
        hidden_people=max(1, math.ceil(unknown / 1.5)),
        guest_people=max(1, math.ceil(true_guests / cfg.true_guest_orders_per_person)),
    )


@dataclass
class Lines:
    """Line items of every order, including the lines of orders whose items are missing."""

    order: I32
    number: I8
    product: I32
    quantity: I8
    unit: I64  # cents, order currency
    cost: I64
    cost_null: Bool


@dataclass
class OrderRefs:
    """What events and support tickets need of the orders (kept after orders are written)."""

    ts: I64
    channel: I8
    status: I8
    person: I32  # -1: anonymous
    customer: I32  # customer number - 1; -1: null
    first_product: I32

    @property
    def count(self) -> int:
        return len(self.ts)

    def refs(self) -> OrderRefs:
        return OrderRefs(ts=self.ts, channel=self.channel, status=self.status, person=self.person,
                         customer=self.customer, first_product=self.first_product)


@dataclass
class Orders(OrderRefs):
    """Every order as numbers: buyer kind, amounts in cents of the order currency, contacts shown."""

    kind: I8  # 0 member, 1 member as guest, 2 member missing from customers, 3 guest, 4 anonymous
    store: npt.NDArray[np.int16]  # -1: not a store sale
    currency: I8
    gross: I64  # cents, order currency
    discount: I64
    shipping: I64
    refunded: I64
    coupon: I8  # -1: none
    updated: I64
    email_form: I8  # -1: no contact email
    phone_format: I8  # -1: no contact phone
    n_lines: I8
    has_items: Bool


def _lines(rng: np.random.Generator, products: Products, spend: F64, rate: I64,
           currency: I8) -> tuple[Lines, I8, I64]:
    """1-5 lines per order, priced from the catalogue near the order's spend; returns gross too.

    Works through `CHUNK` orders at a time into preallocated arrays, so the float
    temporaries stay small.
    """
    n = len(spend)
    n_lines = (rng.choice(5, n, p=[0.45, 0.25, 0.15, 0.10, 0.05]) + 1).astype(np.int8)
    ends = np.cumsum(n_lines, dtype=np.int64)
    total = int(ends[-1])
    lines = Lines(
        order=np.repeat(np.arange(n, dtype=np.int32), n_lines), number=np.empty(total, np.int8),
        product=np.empty(total, np.int32), quantity=np.empty(total, np.int8), unit=np.empty(total, np.int64),
        cost=np.empty(total, np.int64), cost_null=np.empty(total, bool),
    )
    gross = np.empty(n, np.int64)
    grid = products.sorted_log_price
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        a, b = int(ends[lo - 1]) if lo else 0, int(ends[hi - 1])
        order = lines.order[a:b] - lo
        m = len(order)
        weight = rng.exponential(size=m)
        share = weight / np.bincount(order, weight, minlength=hi - lo)[order]
        qty = (rng.choice(6, m, p=[0.8, 0.12, 0.05, 0.015, 0.01, 0.005]) + 1).astype(np.int8)
        markdown = np.where(rng.random(m) < 0.5, 1.0, rng.choice(np.array([0.7, 0.75, 0.8, 0.85, 0.9, 0.95]), m))
        # the product whose list price is nearest (in log) to the line's share of the spend
        target = np.log(spend[lo:hi][order] * share * 100 / qty / markdown)
        pos = np.searchsorted(grid, target).clip(1, len(grid) - 1)
        pos = np.where(target - grid[pos - 1] < grid[pos] - target, pos - 1, pos)
        product = products.by_price[pos]
        unit = np.maximum(1, np.round(np.round(products.list_cents[product] * markdown) * 1e8 / rate[lo:hi][order]))
        jpy = currency[lo:hi][order] == CURRENCIES.index("JPY")
        unit = np.where(jpy, np.maximum(100, np.round(unit / 100) * 100), unit).astype(np.int64)  # whole yen
        lines.number[a:b] = np.arange(m) - (ends[lo:hi] - n_lines[lo:hi] - a)[order] + 1
        lines.product[a:b] = product
        lines.quantity[a:b] = qty
        lines.unit[a:b] = unit
        lines.cost[a:b] = np.round(unit * products.cost_ratio[product])
        lines.cost_null[a:b] = rng.random(m) < 0.03
        gross[lo:hi] = np.round(np.bincount(order, qty * unit.astype(np.float64), minlength=hi - lo))
    return lines, n_lines, gross


def _order_sources(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar, people: People,
                   mix: OrderMix) -> tuple[I8, I32, I64, Bool, dict[str, float | None]]:
    """Who places each order and when, sorted by time (order ids follow time)."""
    nm = people.n_members
    member, member_ts, first_m, model = member_purchases(rng, cfg, cal, people, mix.members)
    late = int(cal.days * 0.9)  # members missing from customers signed up recently
    hidden = nm + rng.integers(0, mix.hidden_people, mix.unknown)
    hidden_ts = cal.t0 + cal.sample_days(rng, mix.unknown, cal.cum, late) * DAY + seconds_of_day(rng, mix.unknown)
    guest = nm + mix.hidden_people + rng.integers(0, mix.guest_people, mix.true_guests)
    n_other = mix.true_guests + mix.anonymous
    other_ts = cal.t0 + cal.sample_days(rng, n_other, cal.growth_cum) * DAY + seconds_of_day(rng, n_other)
    kind = np.concatenate([
        np.where(rng.random(mix.members) < cfg.guest_checkout_share, 1, 0),
        np.full(mix.unknown, 2), np.full(mix.true_guests, 3), np.full(mix.anonymous, 4),
    ]).astype(np.int8)
    person = np.concatenate([member, hidden, guest, np.full(mix.anonymous, -1)]).astype(np.int32)
    ts = np.concatenate([member_ts, hidden_ts, other_ts]).astype(np.int64)
    first = np.concatenate([first_m, np.zeros(mix.unknown + n_other, bool)])
    order = np.argsort(ts, kind="stable")
    return kind[order], person[order], ts[order], first[order], model


def _channels(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar, people: People, kind: I8,
              person: I32, ts: I64) -> tuple[I8, npt.NDArray[np.int16]]:
    """A personal preference, else the market mix in which the app keeps growing; and the store."""
    n, who = len(ts), np.maximum(person, 0)
    app_w = 0.33 * (0.7 + 0.6 * (ts - cal.t0) / (cal.days * DAY))
    v = rng.random(n) * (0.67 + app_w)
    mixed = (v >= 0.30).astype(np.int8) + (v >= 0.30 + app_w) + (v >= 0.45 + app_w)
    del v, app_w
    loyal = ((kind == 0) | (kind == 2)) & (rng.random(n) < 0.6)
    channel = np.where(loyal, people.pref_channel[who], mixed)
    guestish = (kind == 1) | (kind == 3)
    channel = np.where(guestish & (channel == CHANNELS.index("app")), CHANNELS.index("web"), channel)
    channel = np.where(kind == 4, CHANNELS.index("store"), channel).astype(np.int8)
    store = np.where((person >= 0) & (rng.random(n) < 0.8), people.home_store[who], rng.integers(0, cfg.stores, n))
    return channel, np.where(channel == CHANNELS.index("store"), store, -1).astype(np.int16)


def _currencies(rng: np.random.Generator, people: People, person: I32, channel: I8) -> I8:
    """Home currency of the buyer; cross-border web and marketplace purchases now and then."""
    n = len(person)
    home = np.where(person >= 0, CITY_CURRENCY[people.city[np.maximum(person, 0)]], 0)
    foreign = rng.choice(5, n, p=[0.5, 0.12, 0.25, 0.07, 0.06]) + 1  # USD, EUR, HKD, JPY, GBP
    online = (channel == CHANNELS.index("web")) | (channel == CHANNELS.index("marketplace"))
    currency = np.where((home == 0) & online & (rng.random(n) < 0.03), foreign, home)
    return np.where((home != 0) & (rng.random(n) < 0.12), 0, currency).astype(np.int8)


def _discounts(rng: np.random.Generator, ts: I64, first: Bool, channel: I8, currency: I8, rate: I64,
               gross: I64) -> tuple[I8, I64, I64]:
    """Coupons (campaign codes around 11-11 and 6-18), promotions, and shipping fees."""
    n = len(ts)
    gross_cny = gross * (rate / 1e8)
    day = (ts // DAY).astype("datetime64[D]")
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mday = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
    double11 = (month == 11) & (mday >= 10) & (mday <= 12)
    six18 = (month == 6) & (mday >= 16) & (mday <= 19)
    del day, month, mday
    welcome = first & (rng.random(n) < 0.5)
    has_coupon = welcome | (rng.random(n) < np.where(double11 | six18, 0.45, 0.12))
    coupon = rng.choice(4, n, p=[0.3, 0.25, 0.3, 0.15]) + 1  # SAVE20, VIP15, MINUS30, FREESHIP
    coupon = np.where(double11, COUPONS.index("DOUBLE11"), np.where(six18, COUPONS.index("618SALE"), coupon))
    coupon = np.where(welcome, COUPONS.index("WELCOME10"), coupon)
    minus30 = COUPONS.index("MINUS30")
    coupon = np.where(has_coupon & ~((coupon == minus30) & (gross_cny < 19_900)), coupon, -1)
    pct = np.where(coupon >= 0, np.array([0.10, 0.20, 0.15, 0.0, 0.0, 0.15, 0.15])[coupon], 0.0)
    pct = np.where((coupon < 0) & (rng.random(n) < 0.06), 0.05, pct)  # promotions without a code
    discount = np.where(coupon == minus30, np.round(3000 * 1e8 / rate), np.floor(gross * pct)).astype(np.int64)
    domestic = currency == 0
    due = ((channel != CHANNELS.index("store")) & (coupon != COUPONS.index("FREESHIP"))
           & (gross_cny < np.where(domestic, 9_900, 59_900)))
    shipping = np.where(due, np.round(np.where(domestic, 1000, 6000) * 1e8 / rate), 0).astype(np.int64)
    return coupon.astype(np.int8), discount, shipping


def _fulfilment(rng: np.random.Generator, cal: Calendar, ts: I64, net: I64) -> tuple[I8, I64, I64]:
    """Status (recent orders are often still pending), refunds of returns, and the late updated_at."""
    n = len(ts)
    pending = rng.random(n) < 0.8 * np.exp(-(cal.t_end - ts) / DAY / 3)
    status = np.where(pending, STATUSES.index("pending"), rng.choice(3, n, p=[0.895, 0.06, 0.045])).astype(np.int8)
    del pending
    partial = np.floor(net * rng.uniform(0.2, 0.8, n))
    refunded = np.where(status == STATUSES.index("returned"), np.where(rng.random(n) < 0.55, net, partial), 0)
    goodwill = (status == STATUSES.index("completed")) & (rng.random(n) < 0.02)
    refunded = np.where(goodwill, np.floor(net * rng.uniform(0.05, 0.3, n)), refunded).astype(np.int64)
    del partial, goodwill
    lag_days = np.select(
        [status == 0, status == 1, status == 2],
        [rng.uniform(1, 10, n), rng.uniform(8, 40, n), rng.uniform(0.02, 2, n)], rng.uniform(0, 1 / 24, n))
    updated = np.maximum(np.minimum(ts + (lag_days * DAY).astype(np.int64), cal.t_end - 1), ts)
    return status, refunded, updated


def _contacts(rng: np.random.Generator, people: People, kind: I8, person: I32) -> tuple[I8, I8]:
    """Which contacts an order shows, and how they are spelt: guests always leave one."""
    n, who = len(kind), np.maximum(person, 0)
    guestish = (kind == 1) | (kind == 3)
    has_e, has_p = (person >= 0) & people.has_email[who], (person >= 0) & people.has_phone[who]
    show_e = has_e & (rng.random(n) < np.where(guestish, 0.85, 0.75))
    show_p = has_p & (rng.random(n) < np.where(guestish, 0.65, 0.6))
    need = guestish & ~show_e & ~show_p
    show_e |= need & has_e
    show_p |= need & ~has_e & has_p
    form = np.where(guestish, rng.choice(len(EMAIL_FORMS), n, p=[0.35, 0.15, 0.15, 0.1, 0.1, 0.05, 0.1]),
                    rng.choice(len(EMAIL_FORMS), n, p=[0.8, 0.05, 0.05, 0.03, 0.03, 0.01, 0.03]))
    any_format = np.where(people.intl[who], rng.integers(0, N_INTL_PHONE_FORMATS, n),
                          rng.integers(0, len(PHONE_FORMATS), n))
    phone_format = np.where((rng.random(n) < 0.5) & ~guestish, people.phone_format[who], any_format)
    return np.where(show_e, form, -1).astype(np.int8), np.where(show_p, phone_format, -1).astype(np.int8)


def simulate_orders(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar, people: People,
                    products: Products, fx: Fx, mix: OrderMix) -> tuple[Orders, Lines, dict[str, float | None]]:
    """Draw every order with its lines; return them and the purchase model's facts for the manifest."""
    kind, person, ts, first, model = _order_sources(rng, cfg, cal, people, mix)
    channel, store = _channels(rng, cfg, cal, people, kind, person, ts)
    currency = _currencies(rng, people, person, channel)
    rate = fx.units[currency, ts // DAY - fx.first_day]
    nu = np.where(person >= 0, people.nu[np.maximum(person, 0)], rng.gamma(cfg.gg_q, 1.0 / cfg.gg_gamma, len(ts)))
    lines, n_lines, gross = _lines(rng, products, rng.gamma(cfg.gg_p, 1.0 / nu), rate, currency)
    del nu
    coupon, discount, shipping = _discounts(rng, ts, first, channel, currency, rate, gross)
    del rate
    status, refunded, updated = _fulfilment(rng, cal, ts, gross - discount)
    email_form, phone_format = _contacts(rng, people, kind, person)
    orders = Orders(
        ts=ts, channel=channel, status=status, person=person,
        customer=np.where((kind == 0) | (kind == 2), person, -1).astype(np.int32),
        first_product=lines.product[np.cumsum(n_lines, dtype=np.int64) - n_lines], kind=kind, store=store,
        currency=currency, gross=gross, discount=discount, shipping=shipping, refunded=refunded, coupon=coupon,
        updated=updated, email_form=email_form, phone_format=phone_format, n_lines=n_lines,
        has_items=rng.random(len(ts)) >= cfg.orders_without_items_share,
    )
    return orders, lines, model
