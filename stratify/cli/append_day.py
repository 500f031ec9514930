"""`stratify append-day`: one more day of raw data in a generated folder (stratify.devdata.append)."""

from __future__ import annotations

from pathlib import Path

import click

from stratify.cli import options
from stratify.devdata import append


@click.command("append-day")
@options.raw_dir("Generated data (parquet or csv, with manifest.json), changed in place.")
@options.seed("Same data and seed, same bytes.")
@click.option("--orders", type=click.IntRange(min=1), default=None,
              help="New orders on the day  [default: the average per day in the data]")
@click.option("--returns", type=click.IntRange(min=0), default=None,
              help="Completed orders 7 to 42 days old re-delivered as returned  [default: 1% of --orders, "
                   "at least 1]")
@options.quiet("No summary.")
def append_day_command(raw_dir: Path, seed: int, orders: int | None, returns: int | None, quiet: bool) -> None:
    """Append the day after the latest order date to RAW_DIR: new orders with their items,
    late returns of older orders, the day's fx rates; manifest.json counts stay exact."""
    with options.usage_errors(ValueError):
        day = append.append_day(raw_dir, seed=seed, orders=orders, returns=returns)
    if not quiet:
        click.echo(f"{raw_dir}: appended {day.date}: {day.orders:,} orders ({day.first_order_id} to "
                   f"{day.last_order_id}; {day.guest_orders_of_members:,} guest checkouts of members, "
                   f"{day.new_guest_orders:,} new guests) with {day.order_items:,} items, "
                   f"{day.returns:,} returns, {day.fx_rates:,} fx rates")
