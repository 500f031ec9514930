"""Synthetic raw data for Stratify: the seven raw tables of the data contract.

Why a generator: the project has to be exercised on data whose truth is known.
Every random process takes its parameters from `GeneratorConfig`, so a test can
simulate from known parameters and check that the marts recover them; every dirty
row is injected on purpose and counted in `manifest.json`, so a test can compare the
project's quarantine with what was injected, exactly.

How it stays fast and small: all random processes run on numpy arrays (no Python
loop over rows); strings (ids, emails, phones, names) are only formatted per written
slice of `_CHUNK` rows with pyarrow.compute, so 10M orders fit in a few GiB.

Row-level rules worth knowing (they are what the manifest counts):
- `--orders` is the number of distinct orders; duplicates are extra raw rows.
- Every dirt kind lands on its own rows (a row carries at most one kind), chosen by a
  stream of its own, so a dirty build is the clean build plus the injected changes.
- Reject kinds change a row in place, except `products.missing_product_id`, which
  appends a blank-id copy (every product sold stays in the catalogue). Duplicates
  (identical copies, older superseded versions) are appended at the end of a table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

Format = Literal["parquet", "csv"]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
Ints = npt.NDArray[np.integer[Any]]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

TABLES = ("customers", "orders", "order_items", "products", "fx_rates", "events", "support_tickets")

# ---------------------------------------------------------------------------------
# Codes of the contract, and the reject reasons of docs/cleaning_and_identity.md,
# in the order the project applies them.
# ---------------------------------------------------------------------------------
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
DUPLICATE_KINDS: dict[str, tuple[str, ...]] = {
    t: ("duplicate_identical", "duplicate_superseded") if t in ("customers", "orders") else ("duplicate_identical",)
    for t in TABLES
}
# kept rows: the project normalises them (or nulls an invalid contact) and uses them
NOISE_KINDS: dict[str, tuple[str, ...]] = {
    "customers": ("noisy_email", "noisy_phone", "invalid_email", "invalid_phone"),
    "orders": ("unknown_customer_id", "noisy_codes", "order_without_items"),
}
# typed parquet cannot hold unparseable text: these kinds exist in csv only
CSV_ONLY_KINDS = frozenset(
    {"unparseable_signup_at", "unparseable_updated_at", "unparseable_ordered_at", "unparseable_amount"}
)

# values injected for the "unknown" and "unparseable" kinds: never valid codes or values
UNKNOWN_STATUSES = ("disputed", "lost_in_transit")
UNKNOWN_CHANNELS = ("telephone", "fax")
UNKNOWN_CURRENCIES = ("XYZ", "RUB")
UNKNOWN_EVENT_TYPES = ("heartbeat", "scroll_depth")
INVALID_EMAILS = ("n/a", "foo@", "none", "test@test", "wei.zhang@@qq.com")
INVALID_PHONES = ("12345", "000", "n/a", "138001", "0")
UNPARSEABLE_TIMESTAMPS = ("2024-13-45 10:00:00", "not a date", "31/02/2024 25:61")

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


# ---------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------
_SURNAMES = (
    ("王", "wang", 7.3), ("李", "li", 7.2), ("张", "zhang", 6.8), ("刘", "liu", 5.4), ("陈", "chen", 4.5),
    ("杨", "yang", 3.1), ("黄", "huang", 2.3), ("赵", "zhao", 2.1), ("吴", "wu", 2.0), ("周", "zhou", 1.9),
    ("徐", "xu", 1.7), ("孙", "sun", 1.5), ("马", "ma", 1.5), ("朱", "zhu", 1.3), ("胡", "hu", 1.3),
    ("郭", "guo", 1.2), ("何", "he", 1.2), ("高", "gao", 1.1), ("林", "lin", 1.1), ("罗", "luo", 1.0),
)
_GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀兰", "xiulan"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"),
    ("子涵", "zihan"), ("浩然", "haoran"), ("欣怡", "xinyi"), ("梓轩", "zixuan"), ("雨桐", "yutong"),
    ("宇轩", "yuxuan"), ("思彤", "sitong"),
)
_WESTERN_FIRST = (
    "emma", "liam", "olivia", "noah", "ava", "james", "sophia", "lucas", "mia", "ethan",
    "chloe", "daniel", "grace", "ryan", "hannah", "kevin", "emily", "jason", "anna", "david",
)
_WESTERN_LAST = (
    "smith", "johnson", "brown", "lee", "wong", "chan", "tanaka", "sato", "muller", "schmidt",
    "martin", "bernard", "taylor", "wilson", "nguyen", "kim", "garcia", "lopez", "clark", "walker",
)
# city, province, country, phone country code, area code (landline) or mobile prefix, home currency, weight
_CITIES: tuple[tuple[str, str | None, str, str, str, str, float], ...] = (
    ("Shanghai", "Shanghai", "CN", "86", "21", "CNY", 9.0),
    ("Beijing", "Beijing", "CN", "86", "10", "CNY", 8.5),
    ("Guangzhou", "Guangdong", "CN", "86", "20", "CNY", 6.5),
    ("Shenzhen", "Guangdong", "CN", "86", "755", "CNY", 6.5),
    ("Hangzhou", "Zhejiang", "CN", "86", "571", "CNY", 4.5),
    ("Chengdu", "Sichuan", "CN", "86", "28", "CNY", 4.5),
    ("Wuhan", "Hubei", "CN", "86", "27", "CNY", 3.5),
    ("Nanjing", "Jiangsu", "CN", "86", "25", "CNY", 3.5),
    ("Suzhou", "Jiangsu", "CN", "86", "512", "CNY", 3.0),
    ("Xi'an", "Shaanxi", "CN", "86", "29", "CNY", 2.5),
    ("Chongqing", "Chongqing", "CN", "86", "23", "CNY", 3.5),
    ("Tianjin", "Tianjin", "CN", "86", "22", "CNY", 2.5),
    ("Changsha", "Hunan", "CN", "86", "731", "CNY", 2.0),
    ("Zhengzhou", "Henan", "CN", "86", "371", "CNY", 2.0),
    ("Qingdao", "Shandong", "CN", "86", "532", "CNY", 1.8),
    ("Shenyang", "Liaoning", "CN", "86", "24", "CNY", 1.5),
    ("Xiamen", "Fujian", "CN", "86", "592", "CNY", 1.5),
    ("Kunming", "Yunnan", "CN", "86", "871", "CNY", 1.2),
    ("Hefei", "Anhui", "CN", "86", "551", "CNY", 1.3),
    ("Dongguan", "Guangdong", "CN", "86", "769", "CNY", 1.5),
    ("Ningbo", "Zhejiang", "CN", "86", "574", "CNY", 1.4),
    ("Jinan", "Shandong", "CN", "86", "531", "CNY", 1.3),
    ("Harbin", "Heilongjiang", "CN", "86", "451", "CNY", 1.0),
    ("Fuzhou", "Fujian", "CN", "86", "591", "CNY", 1.1),
    ("Nanning", "Guangxi", "CN", "86", "771", "CNY", 0.9),
    ("Hong Kong", None, "HK", "852", "9", "HKD", 3.0),
    ("Singapore", None, "SG", "65", "8", "USD", 1.5),
    ("New York", "NY", "US", "1", "646", "USD", 1.5),
    ("San Francisco", "CA", "US", "1", "415", "USD", 1.0),
    ("Toronto", "ON", "CA", "1", "416", "USD", 0.8),
    ("London", None, "GB", "44", "7700", "GBP", 1.0),
    ("Tokyo", "Tokyo", "JP", "81", "90", "JPY", 1.2),
    ("Berlin", "Berlin", "DE", "49", "151", "EUR", 0.6),
    ("Paris", "Île-de-France", "FR", "33", "6", "EUR", 0.6),
    ("Sydney", "NSW", "AU", "61", "4", "USD", 0.6),
)
_N_CN_CITIES = sum(1 for c in _CITIES if c[2] == "CN")
_CITY_CURRENCY = np.array([CURRENCIES.index(c[5]) for c in _CITIES])
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157",
    "158", "159", "166", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199",
)
# a phone is (country code, p2, p3): p2 is a mobile prefix, an area code without the
# trunk 0, or an international prefix; p3 is 8 digits, unique per person. Normalised,
# it is always cc + p2 + p3, and the (cc + p2) strings of equal length all differ.
_PHONE_P2 = _MOBILE_PREFIXES + tuple(c[4] for c in _CITIES)
_PHONE_CC = ("86", "852", "65", "1", "44", "81", "49", "33", "61")
_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com",
            "hotmail.com", "icloud.com", "yahoo.com")
_DOMAIN_P_CN = (0.32, 0.2, 0.08, 0.05, 0.06, 0.08, 0.07, 0.04, 0.07, 0.03)
_DOMAIN_P_INTL = (0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 0.2, 0.15, 0.15, 0.1)
_CATEGORY_SHARE = (0.24, 0.15, 0.12, 0.15, 0.08, 0.16, 0.10)
_CATEGORY_PRICE = ((199.0, 0.7), (159.0, 0.9), (899.0, 1.0), (189.0, 0.6), (129.0, 0.7), (39.0, 0.6), (49.0, 0.8))
_CATEGORY_COST = (0.45, 0.55, 0.75, 0.35, 0.6, 0.7, 0.5)
_BRANDS = (
    ("Lumen", "Cotton Lane", "Urban Thread", "北岸 Beian", "Maple & Moss"),
    ("Hearth", "Casa Nova", "Linen Lab", "宜居 Yiju"),
    ("Voltix", "Nordic Audio", "Pixelon", "小米粒 Xiaomili"),
    ("Petal", "Lotus Skin", "Aurora Beauty", "花间 Huajian"),
    ("Little Oak", "Bebe Soft", "Cradle Co"),
    ("Daily Harvest", "Green Field", "三只松 Sanzhisong", "Tea Valley"),
    ("Inkwell", "Paperfox", "Desk Hero"),
)
_NOUNS = (
    ("T-Shirt", "Dress", "Jeans", "Hoodie", "Sneakers", "Jacket", "Scarf", "Socks (3 pairs)"),
    ("Towel Set", "Storage Box", "Pillow", "Desk Lamp", "Mug", "Duvet Cover", "Air Fryer"),
    ("Bluetooth Headphones", "Power Bank", "Smart Watch", "Phone Case", "Keyboard", "Monitor 27in",
     "Robot Vacuum"),
    ("Lipstick", "Face Mask (10 pcs)", "Sunscreen SPF50", "Hand Cream", "Serum", "Perfume 50ml"),
    ("Diapers M (60 pcs)", "Baby Wipes", "Milk Powder 800g", "Stroller", "Baby Bottle"),
    ("Green Tea 250g", "Mixed Nuts", "Instant Noodles (5)", "Coffee Beans 1kg", "Rice 5kg", "Olive Oil 1L"),
    ("Notebook A5", "Gel Pens (12)", "Weekly Planner", "Desk Organizer", "Stapler"),
)
_ADJECTIVES = ("Classic", "Premium", "Everyday", "Soft", "Eco", "Pro", "Mini", "Deluxe", "Lite", "Essential")
_SEARCH_TERMS = (
    "dress", "sneakers", "rice cooker", "bluetooth headphones", "lipstick", "diapers", "milk powder",
    "notebook", "phone case", "face mask", "coffee", "手机壳", "口红", "连衣裙", "纸尿裤", "蓝牙耳机",
    "奶粉", "收纳盒", "护手霜", "air fryer", "yoga mat", "sunscreen", "green tea", "snacks",
    "desk lamp", "backpack", "jeans", "t-shirt", "monitor", "keyboard", "stroller", "baby wipes",
    "shampoo", "perfume", "mug", "towel", "gel pen", "planner", "双十一", "618",
)
# fx: level in CNY per unit and daily log volatility; HKD follows USD through its peg
_FX_LEVEL = {"USD": (7.10, 0.0030), "EUR": (7.80, 0.0040), "JPY": (0.049, 0.0050), "GBP": (9.10, 0.0045)}
_FX_PERSISTENCE = 0.995  # daily AR(1) factor of the log deviation: a half-life of about 140 days
_HKD_PER_USD = 7.80
# order activity by China local hour (orders and events happen on Beijing time, stored in UTC)
_HOUR_WEIGHTS = np.array([0.6, 0.3, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.4, 1.6, 1.7,
                          1.6, 1.4, 1.4, 1.5, 1.5, 1.4, 1.4, 1.7, 2.1, 2.3, 2.0, 1.2])
_UTC_OFFSET = 8 * 3600
_DAY = 86_400
_MIN_VALID_ORDER_S = 946_684_800  # 2000-01-01T00:00:00Z
_CHUNK = 1_000_000  # rows per formatted slice and parquet row group (below pyarrow's 1Mi default)
_UNKNOWN_ORDER_BASE = 9_999_999_999  # injected unknown ids count down from here
_UNKNOWN_CUSTOMER_BASE = 99_999_999


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


@dataclass(frozen=True)
class TableReport:
    """What one raw table holds: written rows, injected dirt and its expected outcome.

    `injected` counts rows per dirt kind (0 when not injected). `duplicates_dropped` and
    `rejected` are what the project's deduplication and quarantine must report;
    `used = rows - duplicates_dropped - sum(rejected)`. `facts` are clean-data counts
    (guest orders, shared contacts, ...) that tests may use.
    """

    rows: int
    injected: dict[str, int]
    duplicates_dropped: int
    rejected: dict[str, int]
    facts: dict[str, int] = field(default_factory=dict)
    items_of_rejected_orders: int | None = None

    @property
    def used(self) -> int:
        return self.rows - self.duplicates_dropped - sum(self.rejected.values())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rows": self.rows,
            "injected": self.injected,
            "expected": {"duplicates_dropped": self.duplicates_dropped, "rejected": self.rejected,
                         "used": self.used},
            "facts": self.facts,
        }
        if self.items_of_rejected_orders is not None:
            out["items_of_rejected_orders"] = self.items_of_rejected_orders
        return out


@dataclass(frozen=True)
class Manifest:
    """Contents of `manifest.json`: parameters, config, fitted model facts, tables."""

    params: dict[str, Any]
    config: dict[str, Any]
    model: dict[str, float | None]
    tables: dict[str, TableReport]

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": "stratify",
            "version": version("stratify"),
            "params": self.params,
            "config": self.config,
            "model": self.model,
            "tables": {name: report.to_dict() for name, report in self.tables.items()},
        }


# ---------------------------------------------------------------------------------
# Arrow helpers
# ---------------------------------------------------------------------------------
def _ids(prefix: str, numbers: npt.ArrayLike, width: int, null: Bool | None = None) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64(), mask=null), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _ts(seconds: I64, null: Bool | None = None) -> pa.Array:
    return pa.array(seconds * 1_000_000, type=pa.timestamp("us"), mask=null)


def _decimal(units: I64, scale: int, null: Bool | None = None) -> pa.Array:
    """decimal128(18, scale) from integer units (cents for scale 2), without floats."""
    n = len(units)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63  # sign extension into the high word
    validity, nulls = None, 0
    if null is not None and null.any():
        validity, nulls = pa.py_buffer(np.packbits(~null, bitorder="little")), int(null.sum())
    return pa.Array.from_buffers(pa.decimal128(18, scale), n, [validity, pa.py_buffer(words)], null_count=nulls)


def _pick(values: Sequence[str | None], codes: npt.ArrayLike, null: Bool | None = None) -> pa.Array:
    return pc.take(pa.array(values, pa.string()), pa.array(codes, type=pa.int32(), mask=null))


def _cycle(values: Sequence[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)]


def _blank(n: int) -> pa.Array:
    """Missing strings as they arrive: half null, half whitespace only."""
    return pa.array(_cycle([None, "  "], n), pa.string())


def _assemble(codes: I8, pieces: dict[int, pa.Array], type_: pa.DataType) -> pa.Array:
    """Row i is the next unused value of pieces[codes[i]]; rows without a piece are null.

    One `take` over the concatenated pieces: cheaper than one replace per piece.
    """
    slot = np.full(len(codes), -1, np.int64)
    offset = 0
    for k in pieces:
        rows = np.flatnonzero(codes == k)
        slot[rows] = offset + np.arange(len(rows))
        offset += len(rows)
    values = pa.concat_arrays(list(pieces.values())) if pieces else pa.array([], type_)
    return values.take(pa.array(slot, mask=slot < 0))


def _variants(base: pa.Array, codes: I8, forms: Sequence[Callable[[pa.Array], pa.Array] | None]) -> pa.Array:
    """Rewrite row i of `base` with forms[codes[i]] (None keeps it); code -1 is null."""
    pieces = {}
    for k, form in enumerate(forms):
        mask = codes == k
        if mask.any():
            kept = base.filter(pa.array(mask))
            pieces[k] = kept if form is None else form(kept)
    return _assemble(codes, pieces, base.type)


# email spellings that normalise (lower-case, whitespace removed) to the same address
_EMAIL_FORMS: tuple[Callable[[pa.Array], pa.Array] | None, ...] = (
    None,
    pc.utf8_upper,
    pc.utf8_capitalize,
    lambda s: pc.binary_join_element_wise("  ", s, " ", ""),
    lambda s: pc.replace_substring(s, "@", " @ "),
    lambda s: pc.replace_substring(s, "@", "\t@"),
    lambda s: pc.binary_join_element_wise(" ", pc.utf8_upper(s), "", ""),
)
# phone layouts; names are parts, other tokens literals. t/o/c are the trunk 0 and the
# brackets of a landline (empty for mobiles). Layouts 4-6 are domestic (China only).
_PHONE_FORMATS: tuple[tuple[str, ...], ...] = (
    ("+", "cc", " ", "p2", " ", "a", " ", "b"),  # +86 138 0013 8000
    ("+", "cc", "p2", "p3"),  # +8613800138000
    ("00", "cc", " ", "p2", "p3"),  # 0086 13800138000
    ("+", "cc", " ", "p2", "-", "a", "-", "b"),  # +86 138-0013-8000
    ("t", "p2", "p3"),  # 13800138000, 02155550101
    ("o", "t", "p2", "c", " ", "a", " ", "b"),  # 138 0013 8000, (021) 5555 0101
    ("t", "p2", "-", "a", "-", "b"),  # 138-0013-8000, 021-5555-0101
)
_PHONE_PARTS = frozenset({"cc", "p2", "p3", "a", "b", "t", "o", "c"})
_N_INTL_PHONE_FORMATS = 4


# ---------------------------------------------------------------------------------
# Calendar and randomness
# ---------------------------------------------------------------------------------
def _rng(seed: int, stream: int) -> np.random.Generator:
    """An independent PCG64 stream per stage, so one stage's draws never shift another's."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream,))))


@dataclass(frozen=True)
class _Calendar:
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
        return self.t0 + self.days * _DAY

    def day_of(self, op: F64, cum: F64 | None = None) -> I64:
        c = self.cum if cum is None else cum
        return np.clip(np.searchsorted(c, op, side="right") - 1, 0, self.days - 1)

    def sample_days(self, rng: np.random.Generator, n: int, cum: F64, first_day: int = 0) -> I64:
        return self.day_of(rng.uniform(cum[first_day], cum[-1], n), cum)


def _calendar(cfg: GeneratorConfig, start: date, end: date) -> _Calendar:
    dates = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    day_no = dates.astype(np.int64)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    mday = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    w = np.asarray(cfg.month_weights)[month] * np.asarray(cfg.weekday_weights)[(day_no + 3) % 7]
    for m, d, factor in cfg.spike_days:
        w = np.where((month == m - 1) & (mday == d), w * factor, w)
    w = w / w.mean()
    growth = w * np.exp(cfg.signup_growth * np.arange(len(w)) / len(w))
    return _Calendar(
        start=start, end=end, t0=int(day_no[0]) * _DAY, days=len(w), weight=w,
        cum=np.concatenate([[0.0], np.cumsum(w)]),
        growth_cum=np.concatenate([[0.0], np.cumsum(growth / growth.mean())]),
    )


def _seconds_of_day(rng: np.random.Generator, n: int) -> I64:
    """UTC second of the day, drawn from the Beijing-time activity profile."""
    local = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()) * 3600 + rng.integers(0, 3600, n)
    return (local - _UTC_OFFSET) % _DAY


def _scatter(uid: I64, modulus: int, rng: np.random.Generator) -> I64:
    """An affine bijection of [0, modulus): distinct ids give distinct, random-looking numbers."""
    a = int(rng.integers(modulus // 3, modulus))
    while math.gcd(a, modulus) != 1:
        a += 1
    return (a * uid + int(rng.integers(0, modulus))) % modulus


# ---------------------------------------------------------------------------------
# People: members, members missing from customers ("hidden"), true guests
# ---------------------------------------------------------------------------------
@dataclass
class _People:
    n_members: int
    n_hidden: int
    intl: Bool
    city: I64
    sur: I64
    given: I64
    has_email: Bool
    has_phone: Bool
    local: pa.Array  # email local part per person
    domain: I64
    cc: I64
    p2: I64
    p3: I64
    landline: Bool
    phone_format: npt.NDArray[np.int8]  # layout the person writes their phone in
    pref_channel: I64
    home_store: I64
    nu: F64  # Gamma-Gamma spend rate
    # members only
    signup_s: I64
    source: I64
    referrer: I64  # -1: none
    birth_day: I64
    birth_null: Bool
    opt_in: Bool
    updated_s: I64
    name_null: Bool
    city_null: Bool
    country_null: Bool
    shared_email: int
    shared_phone: int
    # strings formatted once per person, then taken per written slice
    _cache: dict[str, pa.Array] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        return len(self.city)

    def _cached(self, key: str, make: Callable[[], pa.Array]) -> pa.Array:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def customer_ids(self, number: Ints, null: Bool | None = None) -> pa.Array:
        """Customer id of members (and of members missing from customers) by number."""
        ids = self._cached("id", lambda: _ids("C", np.arange(1, self.count + 1), 8))
        return pc.take(ids, pa.array(number, type=pa.int64(), mask=null))

    def emails(self, idx: Ints) -> pa.Array:
        """Canonical (lower-case, trimmed) email of each person, null when none."""
        emails = self._cached("email", lambda: pc.binary_join_element_wise(
            self.local, "@", _pick(_DOMAINS, self.domain, ~self.has_email), ""))
        return pc.take(emails, pa.array(idx, type=pa.int64()))

    def phones(self, idx: Ints, fmt: I8) -> pa.Array:
        """Each person's phone in layout fmt (-1: null)."""
        fmt = np.where(self.has_phone[idx], fmt, -1).astype(np.int8)
        pieces = {k: pc.take(self._layout(k), pa.array(idx[fmt == k]))
                  for k in range(len(_PHONE_FORMATS)) if (fmt == k).any()}
        return _assemble(fmt, pieces, pa.string())

    def _layout(self, k: int) -> pa.Array:
        """Every person's phone in layout k (formatted once)."""
        key = f"phone{k}"
        if key in self._cache:
            return self._cache[key]
        p3 = pc.cast(pa.array(self.p3), pa.string())
        ll = pa.array(self.landline)
        parts = {
            "cc": _pick(_PHONE_CC, self.cc), "p2": _pick(_PHONE_P2, self.p2), "p3": p3,
            "a": pc.utf8_slice_codeunits(p3, 0, 4), "b": pc.utf8_slice_codeunits(p3, 4, 8),
            "t": pc.if_else(ll, "0", ""), "o": pc.if_else(ll, "(", ""), "c": pc.if_else(ll, ")", ""),
        }
        self._cache[key] = pc.binary_join_element_wise(
            *[parts[t] if t in _PHONE_PARTS else t for t in _PHONE_FORMATS[k]], "")
        return self._cache[key]

    def full_names(self, idx: I64) -> pa.Array:
        """Full name of members: Chinese characters in China, Western names abroad."""
        intl = self.intl[idx]
        cn = pc.binary_join_element_wise(
            _pick([s[0] for s in _SURNAMES], self.sur[idx]), _pick([g[0] for g in _GIVEN], self.given[idx]), "")
        western = pc.binary_join_element_wise(
            pc.utf8_capitalize(_pick(_WESTERN_FIRST, self.given[idx] % len(_WESTERN_FIRST))),
            pc.utf8_capitalize(_pick(_WESTERN_LAST, self.sur[idx] % len(_WESTERN_LAST))), " ")
        names = pc.if_else(pa.array(intl), western, cn)
        return pc.if_else(pa.array(self.name_null[idx]), pa.scalar(None, pa.string()), names)


def _people(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar,
            n_members: int, n_hidden: int, n_guests: int) -> _People:
    n = n_members + n_hidden + n_guests
    uid = np.arange(n, dtype=np.int64)
    intl = rng.random(n) < cfg.international_share
    weights = np.array([c[6] for c in _CITIES])
    cn_p, intl_p = weights[:_N_CN_CITIES], weights[_N_CN_CITIES:]
    city = np.where(intl, _N_CN_CITIES + rng.choice(len(intl_p), n, p=intl_p / intl_p.sum()),
                    rng.choice(_N_CN_CITIES, n, p=cn_p / cn_p.sum()))
    sur_w = np.array([s[2] for s in _SURNAMES])
    sur = np.where(intl, rng.integers(0, len(_WESTERN_LAST), n), rng.choice(len(_SURNAMES), n, p=sur_w / sur_w.sum()))
    given = np.where(intl, rng.integers(0, len(_WESTERN_FIRST), n), rng.integers(0, len(_GIVEN), n))

    # contacts: members log in with an email, a phone or both; guests leave one or both
    member = uid < n_members + n_hidden
    u = rng.random(n)
    has_email = np.where(member, u < 0.85, u < 0.8)
    has_phone = np.where(member, u >= 0.10, u >= 0.5)

    # email local part: a name-based style plus a number unique per person
    num = pc.cast(pa.array(100_000 + _scatter(uid, max(9_900_000, 10 * n), rng)), pa.string())
    first = pc.if_else(pa.array(intl), _pick(_WESTERN_FIRST, given % len(_WESTERN_FIRST)),
                       _pick([g[1] for g in _GIVEN], given % len(_GIVEN)))
    last = pc.if_else(pa.array(intl), _pick(_WESTERN_LAST, sur % len(_WESTERN_LAST)),
                      _pick([s[1] for s in _SURNAMES], sur % len(_SURNAMES)))
    style = rng.choice(5, n, p=[0.3, 0.25, 0.15, 0.15, 0.15]).astype(np.int8)
    local = pc.choose(
        pa.array(style),
        pc.binary_join_element_wise(first, ".", last, num, ""),
        pc.binary_join_element_wise(last, first, num, ""),
        pc.binary_join_element_wise(last, "_", first, num, ""),
        num,
        pc.binary_join_element_wise(first, num, ""),
    )
    domain = np.where(intl, rng.choice(len(_DOMAINS), n, p=_DOMAIN_P_INTL),
                      rng.choice(len(_DOMAINS), n, p=_DOMAIN_P_CN))

    # phones: CN mobiles (most) or landlines of the home city, international numbers abroad
    landline = ~intl & (rng.random(n) < 0.08)
    cc = np.array([_PHONE_CC.index(c[3]) for c in _CITIES])[city]
    p2 = np.where(intl | landline, len(_MOBILE_PREFIXES) + city, rng.integers(0, len(_MOBILE_PREFIXES), n))
    p3 = 10_000_000 + _scatter(uid, 90_000_000, rng)
    phone_format = np.where(
        intl, rng.choice(_N_INTL_PHONE_FORMATS, n, p=[0.5, 0.3, 0.1, 0.1]),
        rng.choice(len(_PHONE_FORMATS), n, p=[0.08, 0.07, 0.05, 0.05, 0.55, 0.12, 0.08])).astype(np.int8)

    # members: signups over the period, growing; ids follow signup order
    nm = n_members
    signup_s = np.sort(cal.t0 + cal.sample_days(rng, nm, cal.growth_cum) * _DAY + _seconds_of_day(rng, nm))
    source = rng.choice(len(SIGNUP_SOURCES), nm, p=[0.28, 0.30, 0.14, 0.10, 0.09, 0.06, 0.012, 0.01, 0.008])
    source[:1] = np.where(source[:1] == 3, 0, source[:1])  # the first member cannot be referred
    referrer = np.where(source == 3, np.floor(rng.random(nm) * np.arange(nm)).astype(np.int64), -1)
    age_days = ((18 + rng.gamma(3.0, 5.0, nm)).clip(18, 80) * 365.25).astype(np.int64)
    updated_s = np.where(rng.random(nm) < 0.6,
                         np.minimum(signup_s + rng.exponential(200 * _DAY, nm).astype(np.int64), cal.t_end - 1),
                         signup_s)

    # ~1% of members share an email or phone with an earlier member (one person, two accounts)
    copier = (rng.random(nm) < cfg.shared_contact_share) & (uid[:nm] > 0)
    sources = np.flatnonzero(~copier)
    src = sources[np.floor(rng.random(nm) * np.searchsorted(sources, uid[:nm])).astype(np.int64)]
    take_email = copier & has_email[src] & ((rng.random(nm) < 0.5) | ~has_phone[src])
    take_phone = copier & ~take_email
    email_of = uid.copy()
    email_of[:nm] = np.where(take_email, src, uid[:nm])
    local, domain = pc.take(local, pa.array(email_of)), domain[email_of]
    has_email[:nm] |= take_email
    phone_of = uid.copy()
    phone_of[:nm] = np.where(take_phone, src, uid[:nm])
    cc, p2, p3, landline = cc[phone_of], p2[phone_of], p3[phone_of], landline[phone_of]
    has_phone[:nm] |= take_phone

    pref = np.where(intl, rng.choice(4, n, p=[0.5, 0.2, 0.0, 0.3]), rng.choice(4, n, p=[0.3, 0.35, 0.15, 0.2]))
    pref[:nm] = np.where(source == 2, 2, pref[:nm])  # store signups shop in store
    return _People(
        n_members=nm, n_hidden=n_hidden, intl=intl, city=city, sur=sur, given=given,
        has_email=has_email, has_phone=has_phone, local=local, domain=domain, cc=cc, p2=p2, p3=p3,
        landline=landline, phone_format=phone_format, pref_channel=pref,
        home_store=rng.integers(0, cfg.stores, n), nu=rng.gamma(cfg.gg_q, 1.0 / cfg.gg_gamma, n),
        signup_s=signup_s, source=source, referrer=referrer, birth_day=signup_s // _DAY - age_days,
        birth_null=rng.random(nm) < 0.2, opt_in=rng.random(nm) < 0.55, updated_s=updated_s,
        name_null=rng.random(nm) < 0.04, city_null=rng.random(nm) < 0.02, country_null=rng.random(nm) < 0.01,
        shared_email=int(take_email.sum()), shared_phone=int(take_phone.sum()),
    )


# ---------------------------------------------------------------------------------
# Catalogue and exchange rates
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Products:
    category: I64
    brand: I64  # index into the flattened _BRANDS
    noun: I64  # index into the flattened _NOUNS
    adjective: I64
    list_cents: I64  # CNY
    cost_ratio: F64
    popularity: F64  # probabilities for browsing
    by_price: I64  # product indices sorted by list price
    sorted_log_price: F64

    @property
    def count(self) -> int:
        return len(self.category)


def _flat(groups: tuple[tuple[str, ...], ...], category: I64, rng: np.random.Generator) -> I64:
    """Draw a member of each row's category group, as an index into the flattened groups."""
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    offsets: I64 = np.cumsum(sizes) - sizes
    pick: I64 = np.floor(rng.random(len(category)) * sizes[category]).astype(np.int64)
    return offsets[category] + pick


def _products(rng: np.random.Generator, n: int) -> _Products:
    category = rng.choice(len(CATEGORIES), n, p=_CATEGORY_SHARE)
    median, sd = (np.array([c[i] for c in _CATEGORY_PRICE]) for i in (0, 1))
    price = median[category] * np.exp(sd[category] * rng.standard_normal(n))
    # shop price points: 199.00 above 20 yuan, 12.90 below
    list_cents = np.where(price >= 20, (np.round(price / 10) * 10 - 1) * 100, np.round(price) * 100 - 10)
    list_cents = np.maximum(list_cents, 190).astype(np.int64)
    brand, noun = _flat(_BRANDS, category, rng), _flat(_NOUNS, category, rng)
    rank = rng.permutation(n)
    popularity = 1.0 / (rank + 1.0) ** 0.9
    by_price = np.argsort(list_cents, kind="stable")
    return _Products(
        category=category, brand=brand, noun=noun, adjective=rng.integers(0, len(_ADJECTIVES), n),
        list_cents=list_cents, cost_ratio=np.asarray(_CATEGORY_COST)[category] * rng.uniform(0.85, 1.15, n),
        popularity=popularity / popularity.sum(), by_price=by_price,
        sorted_log_price=np.log(list_cents[by_price].astype(np.float64)),
    )


@dataclass(frozen=True)
class _Fx:
    first_day: int  # epoch day of the first rate date: start - 30 days
    days: int
    units: I64  # [currency, day] in 1e-8 CNY; row 0 (CNY) is 1e8 and is not written

    @property
    def rows(self) -> int:
        return (len(CURRENCIES) - 1) * self.days


def _fx(rng: np.random.Generator, cal: _Calendar) -> _Fx:
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
    return _Fx(first_day=cal.t0 // _DAY - 30, days=days, units=np.round(np.exp(log_rate) * 1e8).astype(np.int64))


# ---------------------------------------------------------------------------------
# Orders: who buys when (BG/NBD), what (lines), for how much, and what happened next
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _OrderMix:
    members: int  # orders of members (BG/NBD), incl. their guest checkouts
    unknown: int  # orders of members missing from customers
    true_guests: int
    anonymous: int
    hidden_people: int
    guest_people: int


def _order_mix(cfg: GeneratorConfig, n_orders: int) -> _OrderMix:
    unknown = max(1, round(cfg.unknown_customer_order_share * n_orders))
    true_guests = round(cfg.true_guest_order_share * n_orders)
    anonymous = round(cfg.anonymous_store_order_share * n_orders)
    members = n_orders - unknown - true_guests - anonymous
    if members < 0:
        raise ValueError(f"--orders {n_orders} is too small for the configured order mix")
    return _OrderMix(
        members=members, unknown=unknown, true_guests=true_guests, anonymous=anonymous,
        hidden_people=max(1, math.ceil(unknown / 1.5)),
        guest_people=max(1, math.ceil(true_guests / cfg.true_guest_orders_per_person)),
    )


def _member_purchases(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar, people: _People,
                      n_target: int) -> tuple[I64, I64, Bool, dict[str, float | None]]:
    """Simulate BG/NBD purchases of members; return exactly n_target (customer, time, is_first)."""
    nm = people.n_members
    delay = np.where(people.source == SIGNUP_SOURCES.index("store"), rng.integers(120, 1800, nm),
                     300 + rng.exponential(cfg.first_purchase_delay_days * _DAY, nm).astype(np.int64))
    first_s = people.signup_s + delay
    buyers = np.flatnonzero((rng.random(nm) >= cfg.never_buy_share) & (first_s < cal.t_end))
    first_s = first_s[buyers]
    n_buy = len(buyers)
    offset = first_s - cal.t0
    first_op = cal.cum[offset // _DAY] + cal.weight[offset // _DAY] * (offset % _DAY) / _DAY
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
    rep_s = cal.t0 + cal.day_of(rep_op) * _DAY + _seconds_of_day(rng, len(owner))
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


@dataclass
class _Lines:
    """Line items of every order, including the lines of orders whose items are missing."""

    order: I32
    number: I8
    product: I32
    quantity: I8
    unit: I64  # cents, order currency
    cost: I64
    cost_null: Bool


@dataclass
class _OrderRefs:
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

    def refs(self) -> _OrderRefs:
        return _OrderRefs(ts=self.ts, channel=self.channel, status=self.status, person=self.person,
                          customer=self.customer, first_product=self.first_product)


@dataclass
class _Orders(_OrderRefs):
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


def _lines(rng: np.random.Generator, products: _Products, spend: F64, rate: I64,
           currency: I8) -> tuple[_Lines, I8, I64]:
    """1-5 lines per order, priced from the catalogue near the order's spend; returns gross too.

    Works through `_CHUNK` orders at a time into preallocated arrays, so the float
    temporaries stay small.
    """
    n = len(spend)
    n_lines = (rng.choice(5, n, p=[0.45, 0.25, 0.15, 0.10, 0.05]) + 1).astype(np.int8)
    ends = np.cumsum(n_lines, dtype=np.int64)
    total = int(ends[-1])
    lines = _Lines(
        order=np.repeat(np.arange(n, dtype=np.int32), n_lines), number=np.empty(total, np.int8),
        product=np.empty(total, np.int32), quantity=np.empty(total, np.int8), unit=np.empty(total, np.int64),
        cost=np.empty(total, np.int64), cost_null=np.empty(total, bool),
    )
    gross = np.empty(n, np.int64)
    grid = products.sorted_log_price
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
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


def _order_sources(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar, people: _People,
                   mix: _OrderMix) -> tuple[I8, I32, I64, Bool, dict[str, float | None]]:
    """Who places each order and when, sorted by time (order ids follow time)."""
    nm = people.n_members
    member, member_ts, first_m, model = _member_purchases(rng, cfg, cal, people, mix.members)
    late = int(cal.days * 0.9)  # members missing from customers signed up recently
    hidden = nm + rng.integers(0, mix.hidden_people, mix.unknown)
    hidden_ts = cal.t0 + cal.sample_days(rng, mix.unknown, cal.cum, late) * _DAY + _seconds_of_day(rng, mix.unknown)
    guest = nm + mix.hidden_people + rng.integers(0, mix.guest_people, mix.true_guests)
    n_other = mix.true_guests + mix.anonymous
    other_ts = cal.t0 + cal.sample_days(rng, n_other, cal.growth_cum) * _DAY + _seconds_of_day(rng, n_other)
    kind = np.concatenate([
        np.where(rng.random(mix.members) < cfg.guest_checkout_share, 1, 0),
        np.full(mix.unknown, 2), np.full(mix.true_guests, 3), np.full(mix.anonymous, 4),
    ]).astype(np.int8)
    person = np.concatenate([member, hidden, guest, np.full(mix.anonymous, -1)]).astype(np.int32)
    ts = np.concatenate([member_ts, hidden_ts, other_ts]).astype(np.int64)
    first = np.concatenate([first_m, np.zeros(mix.unknown + n_other, bool)])
    order = np.argsort(ts, kind="stable")
    return kind[order], person[order], ts[order], first[order], model


def _channels(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar, people: _People, kind: I8,
              person: I32, ts: I64) -> tuple[I8, npt.NDArray[np.int16]]:
    """A personal preference, else the market mix in which the app keeps growing; and the store."""
    n, who = len(ts), np.maximum(person, 0)
    app_w = 0.33 * (0.7 + 0.6 * (ts - cal.t0) / (cal.days * _DAY))
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


def _currencies(rng: np.random.Generator, people: _People, person: I32, channel: I8) -> I8:
    """Home currency of the buyer; cross-border web and marketplace purchases now and then."""
    n = len(person)
    home = np.where(person >= 0, _CITY_CURRENCY[people.city[np.maximum(person, 0)]], 0)
    foreign = rng.choice(5, n, p=[0.5, 0.12, 0.25, 0.07, 0.06]) + 1  # USD, EUR, HKD, JPY, GBP
    online = (channel == CHANNELS.index("web")) | (channel == CHANNELS.index("marketplace"))
    currency = np.where((home == 0) & online & (rng.random(n) < 0.03), foreign, home)
    return np.where((home != 0) & (rng.random(n) < 0.12), 0, currency).astype(np.int8)


def _discounts(rng: np.random.Generator, ts: I64, first: Bool, channel: I8, currency: I8, rate: I64,
               gross: I64) -> tuple[I8, I64, I64]:
    """Coupons (campaign codes around 11-11 and 6-18), promotions, and shipping fees."""
    n = len(ts)
    gross_cny = gross * (rate / 1e8)
    day = (ts // _DAY).astype("datetime64[D]")
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


def _fulfilment(rng: np.random.Generator, cal: _Calendar, ts: I64, net: I64) -> tuple[I8, I64, I64]:
    """Status (recent orders are often still pending), refunds of returns, and the late updated_at."""
    n = len(ts)
    pending = rng.random(n) < 0.8 * np.exp(-(cal.t_end - ts) / _DAY / 3)
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
    updated = np.maximum(np.minimum(ts + (lag_days * _DAY).astype(np.int64), cal.t_end - 1), ts)
    return status, refunded, updated


def _contacts(rng: np.random.Generator, people: _People, kind: I8, person: I32) -> tuple[I8, I8]:
    """Which contacts an order shows, and how they are spelt: guests always leave one."""
    n, who = len(kind), np.maximum(person, 0)
    guestish = (kind == 1) | (kind == 3)
    has_e, has_p = (person >= 0) & people.has_email[who], (person >= 0) & people.has_phone[who]
    show_e = has_e & (rng.random(n) < np.where(guestish, 0.85, 0.75))
    show_p = has_p & (rng.random(n) < np.where(guestish, 0.65, 0.6))
    need = guestish & ~show_e & ~show_p
    show_e |= need & has_e
    show_p |= need & ~has_e & has_p
    form = np.where(guestish, rng.choice(len(_EMAIL_FORMS), n, p=[0.35, 0.15, 0.15, 0.1, 0.1, 0.05, 0.1]),
                    rng.choice(len(_EMAIL_FORMS), n, p=[0.8, 0.05, 0.05, 0.03, 0.03, 0.01, 0.03]))
    any_format = np.where(people.intl[who], rng.integers(0, _N_INTL_PHONE_FORMATS, n),
                          rng.integers(0, len(_PHONE_FORMATS), n))
    phone_format = np.where((rng.random(n) < 0.5) & ~guestish, people.phone_format[who], any_format)
    return np.where(show_e, form, -1).astype(np.int8), np.where(show_p, phone_format, -1).astype(np.int8)


def _orders(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar, people: _People,
            products: _Products, fx: _Fx, mix: _OrderMix) -> tuple[_Orders, _Lines, dict[str, float | None]]:
    kind, person, ts, first, model = _order_sources(rng, cfg, cal, people, mix)
    channel, store = _channels(rng, cfg, cal, people, kind, person, ts)
    currency = _currencies(rng, people, person, channel)
    rate = fx.units[currency, ts // _DAY - fx.first_day]
    nu = np.where(person >= 0, people.nu[np.maximum(person, 0)], rng.gamma(cfg.gg_q, 1.0 / cfg.gg_gamma, len(ts)))
    lines, n_lines, gross = _lines(rng, products, rng.gamma(cfg.gg_p, 1.0 / nu), rate, currency)
    del nu
    coupon, discount, shipping = _discounts(rng, ts, first, channel, currency, rate, gross)
    del rate
    status, refunded, updated = _fulfilment(rng, cal, ts, gross - discount)
    email_form, phone_format = _contacts(rng, people, kind, person)
    orders = _Orders(
        ts=ts, channel=channel, status=status, person=person,
        customer=np.where((kind == 0) | (kind == 2), person, -1).astype(np.int32),
        first_product=lines.product[np.cumsum(n_lines, dtype=np.int64) - n_lines], kind=kind, store=store,
        currency=currency, gross=gross, discount=discount, shipping=shipping, refunded=refunded, coupon=coupon,
        updated=updated, email_form=email_form, phone_format=phone_format, n_lines=n_lines,
        has_items=rng.random(len(ts)) >= cfg.orders_without_items_share,
    )
    return orders, lines, model


# ---------------------------------------------------------------------------------
# Behaviour and service
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Events:
    occurred: I64
    customer: I32  # -1: not logged in
    anonymous: I32
    event_type: I8
    product: I32  # -1: none
    category: I8  # -1: none
    term: npt.NDArray[np.int16]  # -1: none


def _events(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar, people: _People,
            products: _Products, orders: _OrderRefs) -> _Events:
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
    b_start = cal.t0 + cal.sample_days(rng, n_browse, cal.growth_cum) * _DAY + _seconds_of_day(rng, n_browse)
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
    term = np.where(event_type == 2, rng.integers(0, len(_SEARCH_TERMS), n), -1).astype(np.int16)
    del conv_e

    order = np.argsort(occurred, kind="stable")
    return _Events(occurred=occurred[order], customer=s_customer[session][order],
                   anonymous=s_anonymous[session][order], event_type=event_type[order], product=product[order],
                   category=category.astype(np.int8)[order], term=term[order])


@dataclass(frozen=True)
class _Tickets:
    order: I64
    opened: I64
    closed: I64
    closed_null: Bool
    channel: I64
    topic: I64
    csat: I64
    csat_null: Bool
    email_shown: Bool


def _tickets(rng: np.random.Generator, cfg: GeneratorConfig, cal: _Calendar, orders: _OrderRefs) -> _Tickets:
    """Contacts about orders: returns and cancellations raise more of them."""
    n = round(cfg.ticket_share * orders.count)
    weight = np.array([1.0, 8.0, 3.0, 0.5])[orders.status]
    order = np.searchsorted(np.cumsum(weight), rng.random(n) * weight.sum(), side="right").clip(0, orders.count - 1)
    ts = orders.ts[order]
    opened = ts + (rng.uniform(0.2, 12.0, n) * _DAY).astype(np.int64)
    opened = np.where(opened < cal.t_end, opened, ts + (rng.random(n) * (cal.t_end - ts)).astype(np.int64))
    closed = opened + 600 + rng.exponential(1.5 * _DAY, n).astype(np.int64)
    closed_null = (closed >= cal.t_end) | (rng.random(n) < 0.03)
    returned = orders.status[order] == STATUSES.index("returned")
    topic = np.where(returned, rng.choice(5, n, p=[0.05, 0.7, 0.0, 0.15, 0.1]),
                     rng.choice(5, n, p=[0.35, 0.13, 0.22, 0.1, 0.2]))
    complaint = topic == TICKET_TOPICS.index("complaint")
    csat = np.where(complaint, rng.choice(5, n, p=[0.3, 0.25, 0.2, 0.15, 0.1]),
                    rng.choice(5, n, p=[0.05, 0.07, 0.15, 0.33, 0.4])) + 1
    sort = np.argsort(opened, kind="stable")
    return _Tickets(
        order=order[sort], opened=opened[sort], closed=closed[sort], closed_null=closed_null[sort],
        channel=rng.choice(3, n, p=[0.3, 0.5, 0.2])[sort], topic=topic[sort], csat=csat[sort],
        csat_null=(closed_null | (rng.random(n) < 0.4))[sort], email_shown=(rng.random(n) < 0.8)[sort],
    )


# ---------------------------------------------------------------------------------
# Formatting: numeric state -> typed arrow slices with the contract's columns
# ---------------------------------------------------------------------------------
Builder = Callable[[I64], pa.Table]
_CITY = [c[0] for c in _CITIES]
_PROVINCE = [c[1] for c in _CITIES]
_COUNTRY = [c[2] for c in _CITIES]


def _table(name: str, columns: list[pa.Array]) -> pa.Table:
    return pa.Table.from_arrays(columns, schema=_SCHEMAS[name])


def _order_ids(numbers: Ints) -> pa.Array:
    return _ids("O", numbers + 1, 10)


def _product_ids(numbers: Ints, null: Bool | None = None) -> pa.Array:
    return _ids("P", numbers + 1, 6, null)


def _customers_builder(people: _People) -> Builder:
    def build(idx: I64) -> pa.Table:
        city, city_null = people.city[idx], people.city_null[idx]
        return _table("customers", [
            people.customer_ids(idx), people.emails(idx), people.phones(idx, people.phone_format[idx]),
            people.full_names(idx), _ts(people.signup_s[idx]), _pick(SIGNUP_SOURCES, people.source[idx]),
            people.customer_ids(people.referrer[idx], people.referrer[idx] < 0),
            _pick(_CITY, city, city_null), _pick(_PROVINCE, city, city_null),
            _pick(_COUNTRY, city, people.country_null[idx]),
            pa.array(people.birth_day[idx].astype(np.int32), pa.date32(), mask=people.birth_null[idx]),
            pa.array(people.opt_in[idx]), _ts(people.updated_s[idx]),
        ])
    return build


def _products_builder(products: _Products) -> Builder:
    brands = [b for g in _BRANDS for b in g]
    nouns = [x for g in _NOUNS for x in g]

    def build(idx: I64) -> pa.Table:
        brand = _pick(brands, products.brand[idx])
        name = pc.binary_join_element_wise(
            brand, _pick(_ADJECTIVES, products.adjective[idx]), _pick(nouns, products.noun[idx]), " ")
        return _table("products", [
            _product_ids(idx), name, _pick(CATEGORIES, products.category[idx]), brand,
            _decimal(products.list_cents[idx], 2),
        ])
    return build


def _fx_builder(fx: _Fx) -> Builder:
    def build(idx: I64) -> pa.Table:
        cur, day = 1 + idx // fx.days, idx % fx.days
        return _table("fx_rates", [
            _pick(CURRENCIES, cur), pa.array((fx.first_day + day).astype(np.int32), pa.date32()),
            _decimal(fx.units[cur, day], 8),
        ])
    return build


def _orders_builder(o: _Orders, people: _People) -> Builder:
    def build(idx: I64) -> pa.Table:
        who = np.maximum(o.person[idx], 0)
        customer, store, coupon = o.customer[idx], o.store[idx], o.coupon[idx]
        return _table("orders", [
            _order_ids(idx), _pick(CHANNELS, o.channel[idx]), people.customer_ids(customer, customer < 0),
            _variants(people.emails(who), o.email_form[idx], _EMAIL_FORMS),
            people.phones(who, o.phone_format[idx]), _ids("S", store + 1, 3, store < 0), _ts(o.ts[idx]),
            _pick(STATUSES, o.status[idx]), _pick(CURRENCIES, o.currency[idx]), _decimal(o.gross[idx], 2),
            _decimal(o.discount[idx], 2), _decimal(o.shipping[idx], 2), _decimal(o.refunded[idx], 2),
            _pick(COUPONS, coupon, coupon < 0), _ts(o.updated[idx]),
        ])
    return build


def _items_builder(lines: _Lines, emitted: I64) -> Builder:
    def build(idx: I64) -> pa.Table:
        li = emitted[idx]
        return _table("order_items", [
            _order_ids(lines.order[li].astype(np.int64)), pa.array(lines.number[li].astype(np.int64)),
            _product_ids(lines.product[li]), pa.array(lines.quantity[li].astype(np.int64)),
            _decimal(lines.unit[li], 2), _decimal(lines.cost[li], 2, lines.cost_null[li]),
        ])
    return build


def _events_builder(e: _Events, people: _People) -> Builder:
    def build(idx: I64) -> pa.Table:
        customer, product, category, term = e.customer[idx], e.product[idx], e.category[idx], e.term[idx]
        return _table("events", [
            _ids("E", idx + 1, 11), _ts(e.occurred[idx]), people.customer_ids(customer, customer < 0),
            _ids("A", e.anonymous[idx] + 1, 10), _pick(EVENT_TYPES, e.event_type[idx]),
            _product_ids(product, product < 0), _pick(CATEGORIES, category, category < 0),
            _pick(_SEARCH_TERMS, term, term < 0),
        ])
    return build


def _tickets_builder(t: _Tickets, o: _OrderRefs, people: _People) -> Builder:
    def build(idx: I64) -> pa.Table:
        order = t.order[idx]
        person = o.person[order]
        customer = o.customer[order]
        email = people.emails(np.maximum(person, 0))
        no_email = pa.array((person < 0) | ~t.email_shown[idx])
        return _table("support_tickets", [
            _ids("T", idx + 1, 9), people.customer_ids(customer, customer < 0),
            pc.if_else(no_email, pa.scalar(None, pa.string()), email), _ts(t.opened[idx]),
            _ts(t.closed[idx], t.closed_null[idx]), _pick(TICKET_CHANNELS, t.channel[idx]),
            _pick(TICKET_TOPICS, t.topic[idx]), pa.array(t.csat[idx], pa.int64(), mask=t.csat_null[idx]),
        ])
    return build


# ---------------------------------------------------------------------------------
# Dirt: disjoint rows per kind, recorded as patches on the clean rows
# ---------------------------------------------------------------------------------
Patches = dict[str, tuple[I64, pa.Array]]


class _Dirt:
    """Claims disjoint rows of one table for each dirt kind and records how to spoil them.

    `rows()` hands out rows in the order of one random permutation, skipping rows
    already claimed, so every row carries at most one kind. In-place changes are
    patches (row -> new value per column); duplicates are extra rows copied from clean
    rows, with patches of their own, written after the base rows.
    """

    def __init__(self, table: str, n_rows: int, rate: float, rng: np.random.Generator, fmt: Format) -> None:
        self.table, self.fmt, self.rng = table, fmt, rng
        self.per_kind = max(1, round(rate * n_rows)) if rate > 0 and n_rows > 0 else 0
        kinds = REJECT_REASONS[table] + DUPLICATE_KINDS[table] + NOISE_KINDS.get(table, ())
        self.injected = dict.fromkeys(kinds, 0)
        self.claimed: dict[str, I64] = {}
        self._order = rng.permutation(n_rows) if self.per_kind else np.empty(0, np.int64)
        self._used = np.zeros(n_rows if self.per_kind else 0, bool)
        self._patches: dict[str, list[tuple[I64, pa.Array]]] = {}
        self._extra_src: list[I64] = []
        self._extra_patches: dict[str, list[tuple[I64, pa.Array]]] = {}
        self._n_extra = 0

    def rows(self, kind: str, eligible: Bool | None = None) -> I64:
        """Claim up to `per_kind` free rows for `kind` (none for csv-only kinds in parquet)."""
        if not self.per_kind or (kind in CSV_ONLY_KINDS and self.fmt != "csv"):
            return np.empty(0, np.int64)
        free = self._order[~self._used[self._order]]
        if eligible is not None:
            free = free[eligible[free]]
        rows = np.sort(free[: self.per_kind])
        self._used[rows] = True
        self.injected[kind] = len(rows)
        self.claimed[kind] = rows
        return rows

    def patch(self, rows: I64, **columns: pa.Array) -> None:
        if not len(rows):
            return
        for col, values in columns.items():
            self._patches.setdefault(col, []).append((rows, values))

    def append(self, src: I64, **columns: pa.Array) -> None:
        """Re-deliver rows `src` at the end of the table, with some columns changed."""
        if not len(src):
            return
        at = self._n_extra + np.arange(len(src))
        self._extra_src.append(src)
        self._n_extra += len(src)
        for col, values in columns.items():
            self._extra_patches.setdefault(col, []).append((at, values))

    def claimed_rows(self, kinds: Sequence[str]) -> I64:
        parts = [self.claimed[k] for k in kinds if k in self.claimed]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    @property
    def extra_src(self) -> I64:
        return np.concatenate(self._extra_src) if self._extra_src else np.empty(0, np.int64)

    def patches(self) -> Patches:
        return self._merge(self._patches)

    def extra_patches(self) -> Patches:
        return self._merge(self._extra_patches)

    def _merge(self, patches: dict[str, list[tuple[I64, pa.Array]]]) -> Patches:
        out: Patches = {}
        for col, parts in patches.items():
            rows = np.concatenate([r for r, _ in parts])
            values = pa.concat_arrays([_csv_strings(v) if self.fmt == "csv" else v for _, v in parts])
            order = np.argsort(rows, kind="stable")
            out[col] = (rows[order], values.take(pa.array(order)))
        return out

    def report(self, rows: int, facts: dict[str, int], extra_rejects: dict[str, int] | None = None,
               items_of_rejected_orders: int | None = None) -> TableReport:
        rejected = {r: self.injected[r] + (extra_rejects or {}).get(r, 0) for r in REJECT_REASONS[self.table]}
        return TableReport(
            rows=rows, injected=dict(self.injected),
            duplicates_dropped=sum(self.injected[k] for k in DUPLICATE_KINDS[self.table]),
            rejected=rejected, facts=facts, items_of_rejected_orders=items_of_rejected_orders,
        )


def _csv_strings(values: pa.Array) -> pa.Array:
    """Text as written to csv: timestamps to the second, decimals and dates in ISO form."""
    if pa.types.is_string(values.type):
        return values
    if pa.types.is_timestamp(values.type):
        values = pc.cast(values, pa.timestamp("s"))
    return pc.cast(values, pa.string())


def _surround(s: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(" ", s, " ", "")


def _noisy_codes(values: pa.Array, lower: bool) -> pa.Array:
    """Case and space noise that trimming and case folding undo."""
    case = pc.utf8_lower if lower else pc.utf8_upper
    forms = (case, _surround if lower else pc.utf8_capitalize, lambda s: _surround(case(s)))
    return _variants(values, (np.arange(len(values)) % 3).astype(np.int8), forms)


def _unknown_ids(prefix: str, base: int, n: int, width: int) -> pa.Array:
    return _ids(prefix, base - np.arange(n), width)


def _dirty_customers(d: _Dirt, build: Builder, people: _People) -> None:
    """Spoil members; an older superseded version is a valid row, so only the newer one is used."""
    rng, nm = d.rng, people.n_members
    r = d.rows("duplicate_superseded", people.has_email[:nm] & (people.updated_s > people.signup_s + 1))
    # an older version: earlier updated_at, another email domain and another city
    domain = (people.domain[r] + 1 + rng.integers(0, len(_DOMAINS) - 1, len(r))) % len(_DOMAINS)
    intl = people.intl[r]
    n_intl = len(_CITIES) - _N_CN_CITIES
    city = np.where(
        intl, _N_CN_CITIES + (people.city[r] - _N_CN_CITIES + 1 + rng.integers(0, n_intl - 1, len(r))) % n_intl,
        (people.city[r] + 1 + rng.integers(0, _N_CN_CITIES - 1, len(r))) % _N_CN_CITIES)
    older = people.signup_s[r] + np.floor((people.updated_s[r] - people.signup_s[r]) * rng.uniform(0.1, 0.9, len(r)))
    d.append(r, email=pc.binary_join_element_wise(pc.take(people.local, pa.array(r)), "@", _pick(_DOMAINS, domain), ""),
             city=_pick(_CITY, city), province=_pick(_PROVINCE, city), country_code=_pick(_COUNTRY, city),
             updated_at=_ts(older.astype(np.int64)))
    d.append(d.rows("duplicate_identical"))
    r = d.rows("noisy_email", people.has_email[:nm])
    d.patch(r, email=_variants(people.emails(r), (1 + np.arange(len(r)) % 6).astype(np.int8), _EMAIL_FORMS))
    r = d.rows("noisy_phone", people.has_phone[:nm])
    phones = pc.replace_substring(build(r).column("phone").combine_chunks(), "-", ".")
    d.patch(r, phone=pc.binary_join_element_wise(" ", phones, "  ", ""))
    r = d.rows("invalid_email")
    d.patch(r, email=pa.array(_cycle(INVALID_EMAILS, len(r)), pa.string()))
    r = d.rows("invalid_phone")
    d.patch(r, phone=pa.array(_cycle(INVALID_PHONES, len(r)), pa.string()))
    r = d.rows("missing_customer_id")
    d.patch(r, customer_id=_blank(len(r)))
    for kind, col in (("unparseable_signup_at", "signup_at"), ("unparseable_updated_at", "updated_at")):
        r = d.rows(kind)
        d.patch(r, **{col: pa.array(_cycle(UNPARSEABLE_TIMESTAMPS, len(r)), pa.string())})


def _dirty_orders(d: _Dirt, build: Builder, o: _Orders, cal: _Calendar, fx: _Fx) -> Bool:
    """Spoil orders; return the mask of orders that the project must reject."""
    rng, n = d.rng, o.count
    ts_type, money = pa.timestamp("us"), pa.decimal128(18, 2)
    # scarce pools first: they must not run dry
    window = (_MIN_VALID_ORDER_S + _DAY, fx.first_day * _DAY)  # valid dates before the first rate
    if window[0] < window[1]:
        r = d.rows("missing_fx_rate", o.currency != 0)
        moved = rng.integers(window[0], window[1], len(r))
        d.patch(r, ordered_at=_ts(moved), updated_at=_ts(moved + o.updated[r] - o.ts[r]))
    r = d.rows("duplicate_superseded", (o.status != STATUSES.index("pending")) & (o.updated > o.ts + 1))
    d.append(r, status=pa.array(["pending"] * len(r), pa.string()),
             refunded_amount=_decimal(np.zeros(len(r), np.int64), 2), updated_at=_ts(o.ts[r]))
    r = d.rows("unknown_customer_id", o.customer >= 0)
    d.patch(r, customer_id=_unknown_ids("C", _UNKNOWN_CUSTOMER_BASE, len(r), 8))
    d.append(d.rows("duplicate_identical"))
    r = d.rows("noisy_codes")
    clean = build(r)
    d.patch(r, status=_noisy_codes(clean.column("status").combine_chunks(), lower=False),
            channel=_noisy_codes(clean.column("channel").combine_chunks(), lower=False),
            currency=_noisy_codes(clean.column("currency").combine_chunks(), lower=True))
    d.rows("order_without_items")

    r = d.rows("missing_order_id")
    d.patch(r, order_id=_blank(len(r)))
    r = d.rows("missing_ordered_at")
    d.patch(r, ordered_at=pa.nulls(len(r), ts_type))
    r = d.rows("unparseable_ordered_at")
    d.patch(r, ordered_at=pa.array(_cycle(UNPARSEABLE_TIMESTAMPS, len(r)), pa.string()))
    r = d.rows("ordered_at_in_future")
    future = cal.t_end + rng.integers(5 * 365, 9 * 365, len(r)) * _DAY + o.ts[r] % _DAY
    d.patch(r, ordered_at=_ts(future), updated_at=_ts(future))
    r = d.rows("ordered_at_before_min")  # the epoch of a zeroed field, or the eve of 2000
    d.patch(r, ordered_at=_ts(np.where(np.arange(len(r)) % 2 == 0, 0, _MIN_VALID_ORDER_S - _DAY + o.ts[r] % _DAY)))
    for kind, col, unknown in (("status", "status", UNKNOWN_STATUSES), ("channel", "channel", UNKNOWN_CHANNELS)):
        r = d.rows(f"missing_{kind}")
        d.patch(r, **{col: _blank(len(r))})
        r = d.rows(f"unknown_{kind}")
        d.patch(r, **{col: pa.array(_cycle(unknown, len(r)), pa.string())})
    r = d.rows("missing_currency")
    d.patch(r, currency=_blank(len(r)))
    r = d.rows("missing_amount")
    d.patch(r, gross_amount=pa.nulls(len(r), money))
    r = d.rows("unparseable_amount")
    text = _csv_strings(_decimal(o.gross[r], 2))
    d.patch(r, gross_amount=_variants(text, (np.arange(len(r)) % 3).astype(np.int8), (
        lambda s: pc.binary_join_element_wise("¥", s, ""),
        lambda s: pc.binary_join_element_wise(s, " RMB", ""),
        lambda s: pc.replace_substring(s, ".", ","))))
    r = d.rows("negative_amount")  # spread over the four amounts
    for k, (col, values) in enumerate((("gross_amount", o.gross), ("discount_amount", o.discount),
                                       ("shipping_amount", o.shipping), ("refunded_amount", o.refunded))):
        rk = r[np.arange(len(r)) % 4 == k]
        d.patch(rk, **{col: _decimal(-np.where(values[rk] > 0, values[rk], 500), 2)})
    r = d.rows("discount_exceeds_gross")
    d.patch(r, discount_amount=_decimal(o.gross[r] + rng.integers(100, 5000, len(r)), 2))
    r = d.rows("unparseable_updated_at")
    d.patch(r, updated_at=pa.array(_cycle(UNPARSEABLE_TIMESTAMPS, len(r)), pa.string()))
    r = d.rows("unknown_currency")
    d.patch(r, currency=pa.array(_cycle(UNKNOWN_CURRENCIES, len(r)), pa.string()))

    rejected = np.zeros(n, bool)
    rejected[d.claimed_rows(REJECT_REASONS["orders"])] = True
    return rejected


def _dirty_items(d: _Dirt, lines: _Lines, emitted: I64, usable_order: Bool) -> None:
    """Spoil items of usable orders only, so each spoiled item has exactly one reason."""
    eligible = usable_order[lines.order[emitted]]
    csv = d.fmt == "csv"
    d.append(d.rows("duplicate_identical", eligible))
    r = d.rows("missing_order_id", eligible)
    d.patch(r, order_id=_blank(len(r)))
    r = d.rows("missing_line_number", eligible)
    d.patch(r, line_number=pa.nulls(len(r), pa.int64()))
    r = d.rows("missing_product_id", eligible)
    d.patch(r, product_id=_blank(len(r)))
    r = d.rows("invalid_quantity", eligible)
    d.patch(r, quantity=pa.array(_cycle(["0", "-1", None, "two"], len(r)), pa.string()) if csv
            else pa.array(_cycle([0, -1, None], len(r)), pa.int64()))
    r = d.rows("invalid_unit_price", eligible)
    unit, k = lines.unit[emitted[r]], np.arange(len(r)) % 3
    bad = _decimal(-unit, 2, k == 1)  # negative or null
    if csv:  # or a currency sign: unparseable
        yen = pc.binary_join_element_wise("¥", _csv_strings(_decimal(unit, 2)), "")
        bad = pc.if_else(pa.array(k == 2), yen, _csv_strings(bad))
    d.patch(r, unit_price=bad)
    r = d.rows("unknown_order", eligible)
    d.patch(r, order_id=_unknown_ids("O", _UNKNOWN_ORDER_BASE, len(r), 10))


def _dirty_simple(d: _Dirt, build: Builder) -> None:
    """The few kinds of products, fx_rates, events and support_tickets."""
    t, csv = d.table, d.fmt == "csv"
    d.append(d.rows("duplicate_identical"))
    if t == "products":
        r = d.rows("missing_product_id")  # a blank-id copy, so the catalogue stays whole
        d.append(r, product_id=_blank(len(r)))
    elif t == "fx_rates":
        r = d.rows("missing_currency")
        d.patch(r, currency=_blank(len(r)))
        r = d.rows("missing_rate_date")
        d.patch(r, rate_date=pa.nulls(len(r), pa.date32()))
        r = d.rows("invalid_rate")
        rate, k = build(r).column("rate_to_cny").combine_chunks(), np.arange(len(r)) % 4
        bad = pc.if_else(pa.array(k == 0), pa.scalar(Decimal(0), rate.type), pc.negate(rate))  # zero or negative
        bad = pc.if_else(pa.array(k == 2), pa.scalar(None, rate.type), bad)  # or null
        if csv:  # or a decimal comma: unparseable
            bad = pc.if_else(pa.array(k == 3), pc.replace_substring(_csv_strings(rate), ".", ","), _csv_strings(bad))
        d.patch(r, rate_to_cny=bad)
    elif t == "events":
        r = d.rows("missing_event_id")
        d.patch(r, event_id=_blank(len(r)))
        r = d.rows("missing_occurred_at")
        d.patch(r, occurred_at=pa.nulls(len(r), pa.timestamp("us")))
        r = d.rows("unknown_event_type")
        d.patch(r, event_type=pa.array(_cycle(UNKNOWN_EVENT_TYPES, len(r)), pa.string()))
    elif t == "support_tickets":
        r = d.rows("missing_ticket_id")
        d.patch(r, ticket_id=_blank(len(r)))
        r = d.rows("missing_opened_at")
        d.patch(r, opened_at=pa.nulls(len(r), pa.timestamp("us")))


# ---------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------
def _apply(t: pa.Table, patches: Patches, lo: int, hi: int) -> pa.Table:
    for col, (rows, values) in patches.items():
        i0, i1 = np.searchsorted(rows, [lo, hi])
        if i1 > i0:
            mask = np.zeros(hi - lo, bool)
            mask[rows[i0:i1] - lo] = True
            j = t.schema.get_field_index(col)
            column = pc.replace_with_mask(t.column(j).combine_chunks(), pa.array(mask), values.slice(i0, i1 - i0))
            t = t.set_column(j, col, column)
    return t


def _write(out: Path, name: str, fmt: Format, build: Builder, n_base: int, dirt: _Dirt,
           progress: _Progress) -> int:
    """Write base rows (with patches), then the re-delivered rows; return rows written."""
    extra = dirt.extra_src
    total = n_base + len(extra)
    target = _SCHEMAS[name]
    text = pa.schema([(f.name, pa.string()) for f in target])
    task = progress.task(f"write {name}", total)
    writer: pq.ParquetWriter | pcsv.CSVWriter
    if fmt == "parquet":
        writer = pq.ParquetWriter(out / f"{name}.parquet", target, compression="zstd")
    else:
        writer = pcsv.CSVWriter(out / f"{name}.csv", text)
    # encoding a slice overlaps with formatting the next one (both release the GIL);
    # slices are still written one after the other, in order, one row group each
    with writer, ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[None] | None = None
        if total == 0:
            writer.write_table((target if fmt == "parquet" else text).empty_table())
        for src, patches in ((None, dirt.patches()), (extra, dirt.extra_patches())):
            n = n_base if src is None else len(src)
            for lo in range(0, n, _CHUNK):
                hi = min(n, lo + _CHUNK)
                t = build(np.arange(lo, hi) if src is None else src[lo:hi])
                if fmt == "csv":
                    t = pa.Table.from_arrays([_csv_strings(c.combine_chunks()) for c in t.columns], schema=text)
                t = _apply(t, patches, lo, hi)
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, t)
                progress.advance(task, hi - lo)
        if pending is not None:
            pending.result()
    return total


def _order_facts(o: _Orders) -> dict[str, int]:
    """Clean-data counts of who placed the orders."""
    return {
        "member_orders": int((o.kind == 0).sum()), "guest_orders": int((o.customer < 0).sum()),
        "guest_orders_of_members": int((o.kind == 1).sum()), "true_guest_orders": int((o.kind == 3).sum()),
        "anonymous_orders": int((o.kind == 4).sum()), "unknown_customer_orders": int((o.kind == 2).sum()),
        "orders_without_items": int((~o.has_items).sum()),
    }


def _write_items(out: Path, fmt: Format, o: _Orders, lines: _Lines, rejected: Bool, order_dirt: _Dirt,
                 dirt: Callable[[str, int], _Dirt], progress: _Progress) -> TableReport:
    """Write order_items after the orders' dirt is known: none for orders spoilt to have no
    items, and dirt only on items of usable orders (items of rejected orders are counted)."""
    o.has_items[order_dirt.claimed.get("order_without_items", np.empty(0, np.int64))] = False
    emitted = np.flatnonzero(o.has_items[lines.order])
    items_of_rejected = int(o.n_lines[rejected & o.has_items].astype(np.int64).sum())
    d = dirt("order_items", len(emitted))
    _dirty_items(d, lines, emitted, ~rejected)
    rows = _write(out, "order_items", fmt, _items_builder(lines, emitted), len(emitted), d, progress)
    return d.report(rows, {"lines": len(emitted)}, {"unknown_order": items_of_rejected},
                    items_of_rejected_orders=items_of_rejected)


class _Progress:
    """Rich progress on stderr, or nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self._console = None if quiet else Console(stderr=True)
        self._bar = None if self._console is None else Progress(
            SpinnerColumn(), TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=self._console)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def task(self, description: str, total: int) -> TaskID | None:
        return None if self._bar is None else self._bar.add_task(description, total=total)

    def advance(self, task: TaskID | None, n: int) -> None:
        if self._bar is not None and task is not None:
            self._bar.advance(task, n)

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        task = self.task(description, 1)
        yield
        self.advance(task, 1)

    def summary(self, manifest: Manifest) -> None:
        if self._console is None:
            return
        table = Table("table", "rows", "duplicates", "rejected", title="stratify generate")
        for name, report in manifest.tables.items():
            table.add_row(name, f"{report.rows:,}", f"{report.duplicates_dropped:,}",
                          f"{sum(report.rejected.values()):,}")
        self._console.print(table)


# ---------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------
def generate(
    config: GeneratorConfig | None = None,
    *,
    customers: int = 5000,
    orders: int = 40000,
    seed: int = 42,
    dirty: float = 0.0,
    start: date = date(2023, 1, 1),
    end: date = date(2025, 12, 31),
    out: Path | str,
    fmt: Format = "parquet",
    quiet: bool = True,
) -> Manifest:
    """Write the seven raw tables and manifest.json to `out`; return the manifest.

    Same arguments give byte-identical files. `dirty` is the share of a table's rows
    spoiled per dirt kind (at least one row each when > 0); `dirty=0` gives unique keys
    and no rejectable value anywhere. `end` must lie before the day the project is
    built, or clean orders would count as `ordered_at_in_future`.
    """
    cfg = config or GeneratorConfig()
    if customers < 1 or orders < 1:
        raise ValueError("--customers and --orders must be at least 1")
    if not 0.0 <= dirty <= 0.04:
        raise ValueError("--dirty is a share per dirt kind, between 0 and 0.04")
    if end < start:
        raise ValueError("--end is before --start")
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown format {fmt!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    reports: dict[str, TableReport] = {}

    with _Progress(quiet) as progress:
        cal = _calendar(cfg, start, end)
        mix = _order_mix(cfg, orders)
        with progress.step("people, catalogue, fx"):
            people = _people(_rng(seed, 1), cfg, cal, customers, mix.hidden_people, mix.guest_people)
            products = _products(_rng(seed, 2), cfg.product_count(orders))
            fx = _fx(_rng(seed, 3), cal)

        def dirt(table: str, n_rows: int) -> _Dirt:
            return _Dirt(table, n_rows, dirty, _rng(seed, 100 + TABLES.index(table)), fmt)

        d = dirt("customers", customers)
        build = _customers_builder(people)
        _dirty_customers(d, build, people)
        rows = _write(out, "customers", fmt, build, customers, d, progress)
        reports["customers"] = d.report(rows, {
            "shared_email": people.shared_email, "shared_phone": people.shared_phone,
            "referrals": int((people.source == SIGNUP_SOURCES.index("referral")).sum()),
        })
        for table, build, n in (("products", _products_builder(products), products.count),
                                ("fx_rates", _fx_builder(fx), fx.rows)):
            d = dirt(table, n)
            _dirty_simple(d, build)
            reports[table] = d.report(_write(out, table, fmt, build, n, d, progress), {})

        with progress.step("simulate orders"):
            o, lines, model = _orders(_rng(seed, 4), cfg, cal, people, products, fx, mix)
        order_dirt, build = dirt("orders", orders), _orders_builder(o, people)
        rejected = _dirty_orders(order_dirt, build, o, cal, fx)
        facts = _order_facts(o)
        reports["order_items"] = _write_items(out, fmt, o, lines, rejected, order_dirt, dirt, progress)
        del lines
        reports["orders"] = order_dirt.report(_write(out, "orders", fmt, build, orders, order_dirt, progress), facts)
        refs = o.refs()  # let the amounts go: events and tickets need little of the orders
        del o, build, order_dirt, rejected

        with progress.step("simulate events"):
            events = _events(_rng(seed, 5), cfg, cal, people, products, refs)
        n_events = len(events.occurred)
        d = dirt("events", n_events)
        build = _events_builder(events, people)
        _dirty_simple(d, build)
        reports["events"] = d.report(_write(out, "events", fmt, build, n_events, d, progress), {})
        del events

        tickets = _tickets(_rng(seed, 6), cfg, cal, refs)
        d = dirt("support_tickets", len(tickets.order))
        build = _tickets_builder(tickets, refs, people)
        _dirty_simple(d, build)
        reports["support_tickets"] = d.report(
            _write(out, "support_tickets", fmt, build, len(tickets.order), d, progress), {})

        manifest = Manifest(
            params={"customers": customers, "orders": orders, "seed": seed, "dirty": dirty,
                    "start": start.isoformat(), "end": end.isoformat(), "format": fmt},
            config=asdict(cfg), model=model, tables={t: reports[t] for t in TABLES},
        )
        (out / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n")
    progress.summary(manifest)
    return manifest
