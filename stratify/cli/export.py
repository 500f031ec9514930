"""`stratify export`: the marts BI reads as Parquet or CSV files (stratify.warehouse.export)."""

from __future__ import annotations

from pathlib import Path

import click

from stratify.cli import options
from stratify.warehouse import export


@click.command("export")
@options.database
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the files (created; files of the same marts are replaced).")
@options.file_format(export.FORMATS)
@click.option("--mart", "marts", multiple=True, help="A mart to write (repeatable)  [default: every mart]")
def export_command(database: Path, out_dir: Path, fmt: str, marts: tuple[str, ...]) -> None:
    """Write the marts BI reads to Parquet or CSV files, one per mart, for tools that
    cannot read DuckDB (after `dbt build`)."""
    with options.usage_errors(export.ExportInputError):
        exported = export.export_marts(database.resolve(), out_dir.resolve(), fmt, marts)
    click.echo(export.format_summary(exported, out_dir))
