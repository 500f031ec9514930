"""Synthetic raw data for Stratify: the seven raw tables of the data contract.

Why a generator: the project has to be exercised on data whose truth is known.
Every random process takes its parameters from `GeneratorConfig`, so a test can
simulate from known parameters and check that the marts recover them; every dirty
row is injected on purpose and counted in `manifest.json`, so a test can compare the
project's quarantine with what was injected, exactly.

How it stays fast and small: all random processes run on numpy arrays (no Python
loop over rows); strings (ids, emails, phones, names) are only formatted per written
slice of `CHUNK` rows with pyarrow.compute, so 10M orders fit in a few GiB.

Row-level rules worth knowing (they are what the manifest counts):
- `--orders` is the number of distinct orders; duplicates are extra raw rows.
- Every dirt kind lands on its own rows (a row carries at most one kind), chosen by a
  stream of its own, so a dirty build is the clean build plus the injected changes.
- Reject kinds change a row in place, except `products.missing_product_id`, which
  appends a blank-id copy (every product sold stays in the catalogue). Duplicates
  (identical copies, older superseded versions) are appended at the end of a table.

One module per stage: contract (tables, codes, schemas), config, reference data,
calendar, people, products, fx, purchases and orders, events, tickets; then tables
(formatting), dirt, write and manifest; run holds `generate`, which calls them in order.
Exported here: what the CLI, append-day and the tests use.
"""

from stratify.devdata.generate.arrays import I64, Bool, csv_strings, decimals, timestamps
from stratify.devdata.generate.calendar import DAY, seconds_of_day
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import CHANNELS, CURRENCIES, REJECT_REASONS, STATUSES, TABLES, Format, schema
from stratify.devdata.generate.manifest import Manifest, TableReport
from stratify.devdata.generate.reference import DOMAINS
from stratify.devdata.generate.run import generate
from stratify.devdata.generate.tables import order_ids

__all__ = [
    "CHANNELS", "CURRENCIES", "DAY", "DOMAINS", "I64", "REJECT_REASONS", "STATUSES", "TABLES", "Bool", "Format",
    "GeneratorConfig", "Manifest", "TableReport", "csv_strings", "decimals", "generate", "order_ids", "schema",
    "seconds_of_day", "timestamps",
]
