"""Formatting: the simulated numeric state turned into typed arrow slices with the
contract's columns, one `Builder` per table (row numbers in, a table slice out)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stratify.devdata.generate.arrays import I64, Bool, Ints, decimals, pick, prefixed_ids, timestamps, variants
from stratify.devdata.generate.contract import (
    CATEGORIES,
    CHANNELS,
    COUPONS,
    CURRENCIES,
    EVENT_TYPES,
    SIGNUP_SOURCES,
    STATUSES,
    TICKET_CHANNELS,
    TICKET_TOPICS,
    schema,
)
from stratify.devdata.generate.events import Events
from stratify.devdata.generate.fx import Fx
from stratify.devdata.generate.orders import Lines, OrderRefs, Orders
from stratify.devdata.generate.people import EMAIL_FORMS, People
from stratify.devdata.generate.products import Products
from stratify.devdata.generate.reference import (
    ADJECTIVES,
    BRANDS,
    CITY_NAMES,
    COUNTRIES,
    NOUNS,
    PROVINCES,
    SEARCH_TERMS,
)
from stratify.devdata.generate.tickets import Tickets

Builder = Callable[[I64], pa.Table]


def _table(name: str, columns: list[pa.Array]) -> pa.Table:
    return pa.Table.from_arrays(columns, schema=schema(name))


def order_ids(numbers: Ints) -> pa.Array:
    """Order ids of order numbers 0, 1, ...: ids follow time; append-day continues them."""
    return prefixed_ids("O", numbers + 1, 10)


def _product_ids(numbers: Ints, null: Bool | None = None) -> pa.Array:
    return prefixed_ids("P", numbers + 1, 6, null)


def customers_builder(people: People) -> Builder:
    """customers: one row per member."""
    def build(idx: I64) -> pa.Table:
        city, city_null = people.city[idx], people.city_null[idx]
        return _table("customers", [
            people.customer_ids(idx), people.emails(idx), people.phones(idx, people.phone_format[idx]),
            people.full_names(idx), timestamps(people.signup_s[idx]), pick(SIGNUP_SOURCES, people.source[idx]),
            people.customer_ids(people.referrer[idx], people.referrer[idx] < 0),
            pick(CITY_NAMES, city, city_null), pick(PROVINCES, city, city_null),
            pick(COUNTRIES, city, people.country_null[idx]),
            pa.array(people.birth_day[idx].astype(np.int32), pa.date32(), mask=people.birth_null[idx]),
            pa.array(people.opt_in[idx]), timestamps(people.updated_s[idx]),
        ])
    return build


def products_builder(products: Products) -> Builder:
    """products: one row per product; the name is brand, adjective and noun."""
    brands = [b for g in BRANDS for b in g]
    nouns = [x for g in NOUNS for x in g]

    def build(idx: I64) -> pa.Table:
        brand = pick(brands, products.brand[idx])
        name = pc.binary_join_element_wise(
            brand, pick(ADJECTIVES, products.adjective[idx]), pick(nouns, products.noun[idx]), " ")
        return _table("products", [
            _product_ids(idx), name, pick(CATEGORIES, products.category[idx]), brand,
            decimals(products.list_cents[idx], 2),
        ])
    return build


def fx_builder(fx: Fx) -> Builder:
    """fx_rates: row i is currency 1 + i // days on day i % days."""
    def build(idx: I64) -> pa.Table:
        cur, day = 1 + idx // fx.days, idx % fx.days
        return _table("fx_rates", [
            pick(CURRENCIES, cur), pa.array((fx.first_day + day).astype(np.int32), pa.date32()),
            decimals(fx.units[cur, day], 8),
        ])
    return build


def orders_builder(o: Orders, people: People) -> Builder:
    """orders: contacts spelt as each order shows them."""
    def build(idx: I64) -> pa.Table:
        who = np.maximum(o.person[idx], 0)
        customer, store, coupon = o.customer[idx], o.store[idx], o.coupon[idx]
        return _table("orders", [
            order_ids(idx), pick(CHANNELS, o.channel[idx]), people.customer_ids(customer, customer < 0),
            variants(people.emails(who), o.email_form[idx], EMAIL_FORMS),
            people.phones(who, o.phone_format[idx]), prefixed_ids("S", store + 1, 3, store < 0), timestamps(o.ts[idx]),
            pick(STATUSES, o.status[idx]), pick(CURRENCIES, o.currency[idx]), decimals(o.gross[idx], 2),
            decimals(o.discount[idx], 2), decimals(o.shipping[idx], 2), decimals(o.refunded[idx], 2),
            pick(COUPONS, coupon, coupon < 0), timestamps(o.updated[idx]),
        ])
    return build


def items_builder(lines: Lines, emitted: I64) -> Builder:
    """order_items: row i is line emitted[i] (orders without items have none emitted)."""
    def build(idx: I64) -> pa.Table:
        li = emitted[idx]
        return _table("order_items", [
            order_ids(lines.order[li].astype(np.int64)), pa.array(lines.number[li].astype(np.int64)),
            _product_ids(lines.product[li]), pa.array(lines.quantity[li].astype(np.int64)),
            decimals(lines.unit[li], 2), decimals(lines.cost[li], 2, lines.cost_null[li]),
        ])
    return build


def events_builder(e: Events, people: People) -> Builder:
    """events: one row per event."""
    def build(idx: I64) -> pa.Table:
        customer, product, category, term = e.customer[idx], e.product[idx], e.category[idx], e.term[idx]
        return _table("events", [
            prefixed_ids("E", idx + 1, 11), timestamps(e.occurred[idx]), people.customer_ids(customer, customer < 0),
            prefixed_ids("A", e.anonymous[idx] + 1, 10), pick(EVENT_TYPES, e.event_type[idx]),
            _product_ids(product, product < 0), pick(CATEGORIES, category, category < 0),
            pick(SEARCH_TERMS, term, term < 0),
        ])
    return build


def tickets_builder(t: Tickets, o: OrderRefs, people: People) -> Builder:
    """support_tickets: customer and email of the ticket's order."""
    def build(idx: I64) -> pa.Table:
        order = t.order[idx]
        person = o.person[order]
        customer = o.customer[order]
        email = people.emails(np.maximum(person, 0))
        no_email = pa.array((person < 0) | ~t.email_shown[idx])
        return _table("support_tickets", [
            prefixed_ids("T", idx + 1, 9), people.customer_ids(customer, customer < 0),
            pc.if_else(no_email, pa.scalar(None, pa.string()), email), timestamps(t.opened[idx]),
            timestamps(t.closed[idx], t.closed_null[idx]), pick(TICKET_CHANNELS, t.channel[idx]),
            pick(TICKET_TOPICS, t.topic[idx]), pa.array(t.csat[idx], pa.int64(), mask=t.csat_null[idx]),
        ])
    return build
