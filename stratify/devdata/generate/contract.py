"""The raw tables of the data contract as the generator writes them: table names, the
codes their columns hold, the reject reasons the project's quarantine gives, and the
parquet schema of each table."""

from __future__ import annotations

from typing import Literal

import pyarrow as pa

Format = Literal["parquet", "csv"]
TABLES = ("customers", "orders", "order_items", "products", "fx_rates", "events", "support_tickets")

# codes of the contract, and the reject reasons of docs/cleaning_and_identity.md, in the
# order the project applies them
CHANNELS = ("web", "app", "store", "marketplace")
STATUSES = ("completed", "returned", "cancelled", "pending")
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP")
CATEGORIES = ("apparel", "home", "electronics", "beauty", "baby", "grocery", "office")
SIGNUP_SOURCES = ("web", "app", "store", "referral", "ads", "partner", "wechat_mini", "livestream", "tv")
EVENT_TYPES = ("page_view", "product_view", "search", "add_to_cart", "checkout_start")
TICKET_CHANNELS = ("phone", "chat", "email")
TICKET_TOPICS = ("delivery", "refund", "product", "complaint", "inquiry")
COUPONS = ("WELCOME10", "SAVE20", "VIP15", "MINUS30", "FREESHIP", "DOUBLE11", "618SALE")

REJECT_REASONS: dict[str, tuple[str, ...]] = {
    "customers": ("missing_customer_id", "unparseable_signup_at", "unparseable_updated_at"),
    "orders": (
        "missing_order_id", "missing_ordered_at", "unparseable_ordered_at", "ordered_at_in_future",
        "ordered_at_before_min", "missing_status", "unknown_status", "missing_channel",
        "unknown_channel", "missing_currency", "missing_amount", "unparseable_amount",
        "negative_amount", "discount_exceeds_gross", "unparseable_updated_at", "unknown_currency",
        "missing_fx_rate",
    ),
    "order_items": (
        "missing_order_id", "missing_line_number", "missing_product_id", "invalid_quantity",
        "invalid_unit_price", "unknown_order",
    ),
    "products": ("missing_product_id",),
    "fx_rates": ("missing_currency", "missing_rate_date", "invalid_rate"),
    "events": ("missing_event_id", "missing_occurred_at", "unknown_event_type"),
    "support_tickets": ("missing_ticket_id", "missing_opened_at"),
}


_SCHEMAS: dict[str, pa.Schema] = {
    "customers": pa.schema([
        ("customer_id", pa.string()), ("email", pa.string()), ("phone", pa.string()),
        ("full_name", pa.string()), ("signup_at", pa.timestamp("us")), ("signup_source", pa.string()),
        ("referred_by", pa.string()), ("city", pa.string()), ("province", pa.string()),
        ("country_code", pa.string()), ("birth_date", pa.date32()), ("marketing_opt_in", pa.bool_()),
        ("updated_at", pa.timestamp("us")),
    ]),
    "orders": pa.schema([
        ("order_id", pa.string()), ("channel", pa.string()), ("customer_id", pa.string()),
        ("contact_email", pa.string()), ("contact_phone", pa.string()), ("store_id", pa.string()),
        ("ordered_at", pa.timestamp("us")), ("status", pa.string()), ("currency", pa.string()),
        ("gross_amount", pa.decimal128(18, 2)), ("discount_amount", pa.decimal128(18, 2)),
        ("shipping_amount", pa.decimal128(18, 2)), ("refunded_amount", pa.decimal128(18, 2)),
        ("coupon_code", pa.string()), ("updated_at", pa.timestamp("us")),
    ]),
    "order_items": pa.schema([
        ("order_id", pa.string()), ("line_number", pa.int64()), ("product_id", pa.string()),
        ("quantity", pa.int64()), ("unit_price", pa.decimal128(18, 2)), ("unit_cost", pa.decimal128(18, 2)),
    ]),
    "products": pa.schema([
        ("product_id", pa.string()), ("product_name", pa.string()), ("category", pa.string()),
        ("brand", pa.string()), ("list_price", pa.decimal128(18, 2)),
    ]),
    "fx_rates": pa.schema([
        ("currency", pa.string()), ("rate_date", pa.date32()), ("rate_to_cny", pa.decimal128(18, 8)),
    ]),
    "events": pa.schema([
        ("event_id", pa.string()), ("occurred_at", pa.timestamp("us")), ("customer_id", pa.string()),
        ("anonymous_id", pa.string()), ("event_type", pa.string()), ("product_id", pa.string()),
        ("category", pa.string()), ("search_term", pa.string()),
    ]),
    "support_tickets": pa.schema([
        ("ticket_id", pa.string()), ("customer_id", pa.string()), ("contact_email", pa.string()),
        ("opened_at", pa.timestamp("us")), ("closed_at", pa.timestamp("us")), ("channel", pa.string()),
        ("topic", pa.string()), ("csat_score", pa.int64()),
    ]),
}


def schema(table: str) -> pa.Schema:
    """The parquet schema of a raw table (column names and order of the contract)."""
    return _SCHEMAS[table]
