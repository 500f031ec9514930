"""Command line entry points of Stratify: one module per command, the options several
commands share in `options`; the work happens in the modules the commands call."""

from __future__ import annotations

import click

from stratify.cli import append_day, bench, export, generate, load, quality, report


@click.group(commands=[generate.generate_command, append_day.append_day_command, bench.bench_command,
                       load.load_command, quality.quality_command, export.export_command, report.report_command])
@click.version_option(package_name="stratify", prog_name="stratify")
def main() -> None:
    """Stratify: customer stratification tools beside the dbt project."""
