"""What `manifest.json` says: per raw table the rows written, the dirt injected and what
the project's deduplication and quarantine must make of it, exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any


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
