"""`stratify report`: one self-contained HTML page of a build (stratify.warehouse.report)."""

from __future__ import annotations

from pathlib import Path

import click

from stratify.cli import options
from stratify.warehouse import report


@click.command("report")
@options.database
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("target/stratify_report.html"),
              show_default=True, help="The HTML file to write (replaced whole).")
@options.target_path("dbt's target folder: source freshness from its sources.json.")
@click.option("--title", default="Customer stratification", show_default=True, help="The page's title.")
def report_command(database: Path, out: Path, target_path: Path, title: str) -> None:
    """Write one self-contained HTML page (charts, data and styles inlined; opens offline) of
    tiers, R x F grid, segments, lifecycle, migration, trends, CLV and data quality (after
    `dbt build`)."""
    with options.usage_errors(report.ReportInputError):
        result = report.write_report(database.resolve(), out.resolve(), target_path.resolve(), title)
    click.echo(report.format_summary(result))
