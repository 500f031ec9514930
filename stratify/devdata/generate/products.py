"""The product catalogue: categories, brands, names and shop price points, sorted by price
so that order lines can be picked near a spend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stratify.devdata.generate.arrays import F64, I64
from stratify.devdata.generate.contract import CATEGORIES
from stratify.devdata.generate.reference import ADJECTIVES, BRANDS, CATEGORY_COST, CATEGORY_PRICE, CATEGORY_SHARE, NOUNS


@dataclass(frozen=True)
class Products:
    """The catalogue, as numbers; `by_price` and `sorted_log_price` find the product nearest a price."""

    category: I64
    brand: I64  # index into the flattened BRANDS
    noun: I64  # index into the flattened NOUNS
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


def simulate_products(rng: np.random.Generator, n: int) -> Products:
    """Draw n products: a category, a price point near the category's median, a name and a cost."""
    category = rng.choice(len(CATEGORIES), n, p=CATEGORY_SHARE)
    median, sd = (np.array([c[i] for c in CATEGORY_PRICE]) for i in (0, 1))
    price = median[category] * np.exp(sd[category] * rng.standard_normal(n))
    # shop price points: 199.00 above 20 yuan, 12.90 below
    list_cents = np.where(price >= 20, (np.round(price / 10) * 10 - 1) * 100, np.round(price) * 100 - 10)
    list_cents = np.maximum(list_cents, 190).astype(np.int64)
    brand, noun = _flat(BRANDS, category, rng), _flat(NOUNS, category, rng)
    rank = rng.permutation(n)
    popularity = 1.0 / (rank + 1.0) ** 0.9
    by_price = np.argsort(list_cents, kind="stable")
    return Products(
        category=category, brand=brand, noun=noun, adjective=rng.integers(0, len(ADJECTIVES), n),
        list_cents=list_cents, cost_ratio=np.asarray(CATEGORY_COST)[category] * rng.uniform(0.85, 1.15, n),
        popularity=popularity / popularity.sum(), by_price=by_price,
        sorted_log_price=np.log(list_cents[by_price].astype(np.float64)),
    )
