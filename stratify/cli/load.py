"""`stratify load`: the raw files into schema raw of PostgreSQL or Spark (stratify.engines.load)."""

from __future__ import annotations

from pathlib import Path

import click

from stratify.cli import options
from stratify.engines import load


@click.command("load")
@click.option("--target", type=click.Choice(["postgres", "spark"]), required=True,
              help="Target of profiles/profiles.yml to load into.")
@options.raw_dir("Folder with <table>.parquet or <table>.csv for every raw table.")
def load_command(target: str, raw_dir: Path) -> None:
    """Load the raw files into schema raw of a server engine (COPY on PostgreSQL, Spark's
    own reader on Spark)."""
    with options.usage_errors(load.RawInputError):
        counts = load.load_raw(target, raw_dir)
    for table, rows in counts.items():
        click.echo(f"raw.{table}: {rows:,} rows")
