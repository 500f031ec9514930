"""`stratify generate`: synthetic raw data of the data contract (stratify.devdata.generate)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from stratify.cli import options
from stratify.devdata import generate as generator


@click.command("generate")
@click.option("--customers", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Members in customers (rows before duplicates).")
@click.option("--orders", type=click.IntRange(min=1), default=40000, show_default=True,
              help="Distinct orders, exactly.")
@options.seed("Same seed, same bytes.")
@click.option("--dirty", type=click.FloatRange(0.0, 0.04), default=0.0, show_default=True,
              help="Share of each table's rows spoiled per dirt kind (0: clean).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default="2023-01-01", show_default=True,
              help="First day of signups and orders (fx rates start 30 days earlier).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default="2025-12-31", show_default=True,
              help="Last day of data; keep it before the build date, or orders count as in the future.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for <table>.<format> and manifest.json.")
@options.file_format(["parquet", "csv"])
@options.quiet("No progress on stderr.")
def generate_command(customers: int, orders: int, seed: int, dirty: float, start: datetime, end: datetime,
                     out: Path, fmt: generator.Format, quiet: bool) -> None:
    """Write the seven raw tables of the data contract, and manifest.json, to OUT."""
    with options.usage_errors(ValueError):
        generator.generate(customers=customers, orders=orders, seed=seed, dirty=dirty, start=start.date(),
                           end=end.date(), out=out, fmt=fmt, quiet=quiet)
