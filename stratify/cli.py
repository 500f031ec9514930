"""Command line entry points of Stratify; the work happens in the modules they call."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from stratify.devdata import append, bench
from stratify.devdata import generate as generator
from stratify.engines import load
from stratify.warehouse import export, quality, report


@click.group()
def main() -> None:
    """Stratify: customer stratification tools beside the dbt project."""


@main.command("generate")
@click.option("--customers", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Members in customers (rows before duplicates).")
@click.option("--orders", type=click.IntRange(min=1), default=40000, show_default=True,
              help="Distinct orders, exactly.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same bytes.")
@click.option("--dirty", type=click.FloatRange(0.0, 0.04), default=0.0, show_default=True,
              help="Share of each table's rows spoiled per dirt kind (0: clean).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default="2023-01-01", show_default=True,
              help="First day of signups and orders (fx rates start 30 days earlier).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default="2025-12-31", show_default=True,
              help="Last day of data; keep it before the build date, or orders count as in the future.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for <table>.<format> and manifest.json.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
def generate_command(customers: int, orders: int, seed: int, dirty: float, start: datetime, end: datetime,
                     out: Path, fmt: generator.Format, quiet: bool) -> None:
    """Write the seven raw tables of the data contract, and manifest.json, to OUT."""
    try:
        generator.generate(customers=customers, orders=orders, seed=seed, dirty=dirty, start=start.date(),
                           end=end.date(), out=out, fmt=fmt, quiet=quiet)
    except ValueError as error:
        raise click.UsageError(str(error)) from error


@main.command("append-day")
@click.option("--raw-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Generated data (parquet or csv, with manifest.json), changed in place.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same data and seed, same bytes.")
@click.option("--orders", type=click.IntRange(min=1), default=None,
              help="New orders on the day  [default: the average per day in the data]")
@click.option("--returns", type=click.IntRange(min=0), default=None,
              help="Completed orders 7 to 42 days old re-delivered as returned  [default: 1% of --orders, "
                   "at least 1]")
@click.option("--quiet", is_flag=True, help="No summary.")
def append_day_command(raw_dir: Path, seed: int, orders: int | None, returns: int | None, quiet: bool) -> None:
    """Append the day after the latest order date to RAW_DIR: new orders with their items,
    late returns of older orders, the day's fx rates; manifest.json counts stay exact."""
    try:
        day = append.append_day(raw_dir, seed=seed, orders=orders, returns=returns)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    if not quiet:
        click.echo(f"{raw_dir}: appended {day.date}: {day.orders:,} orders ({day.first_order_id} to "
                   f"{day.last_order_id}; {day.guest_orders_of_members:,} guest checkouts of members, "
                   f"{day.new_guest_orders:,} new guests) with {day.order_items:,} items, "
                   f"{day.returns:,} returns, {day.fx_rates:,} fx rates")


@main.command("bench")
@click.option("--orders", type=click.IntRange(min=1000), default=1_000_000, show_default=True,
              help="Orders to generate (cached per size and seed).")
@click.option("--customers", type=click.IntRange(min=1), default=None,
              help="Members; default orders / 10.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".bench"),
              show_default=True, help="Generated data and work files.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the figures; default <cache-dir>/bench_<orders>.json.")
@click.option("--engine", "engines", type=click.Choice(["duckdb", "spark"]), multiple=True, default=["duckdb"],
              show_default=True, help="Engines to build on (repeat for several); spark needs requirements-spark.txt.")
@click.option("--spark-driver-memory", default="8g", show_default=True,
              help="Spark's driver memory (local mode: all of Spark's heap).")
def bench_command(orders: int, customers: int | None, seed: int, cache_dir: Path, json_path: Path | None,
                  engines: tuple[str, ...], spark_driver_memory: str) -> None:
    """Time the full dbt build, the incremental build a day later and the customer_rfm path
    against a single DuckDB query and a pandas script, side by side on the same generated
    files; with --engine spark, also the same project on Spark."""
    result = bench.run_bench(orders, customers, seed, cache_dir.resolve(), engines, spark_driver_memory)
    click.echo(bench.format_table(result))
    json_path = json_path or cache_dir / f"bench_{orders}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2))
    click.echo(f"figures written to {json_path}")
    failed = [step["step"] for step in result["steps"] if not step["ok"]]  # type: ignore[index, union-attr]
    if failed:
        raise click.ClickException(f"steps failed: {', '.join(failed)}")


@main.command("load")
@click.option("--target", type=click.Choice(["postgres", "spark"]), required=True,
              help="Target of profiles/profiles.yml to load into.")
@click.option("--raw-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder with <table>.parquet or <table>.csv for every raw table.")
def load_command(target: str, raw_dir: Path) -> None:
    """Load the raw files into schema raw of a server engine (COPY on PostgreSQL, Spark's
    own reader on Spark)."""
    try:
        counts = load.load_raw(target, raw_dir)
    except load.RawInputError as error:
        raise click.UsageError(str(error)) from error
    for table, rows in counts.items():
        click.echo(f"raw.{table}: {rows:,} rows")


@main.command("quality")
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path), envvar="STRATIFY_DUCKDB_PATH",
              default=Path("stratify.duckdb"), show_default="$STRATIFY_DUCKDB_PATH or ./stratify.duckdb",
              help="DuckDB file built by `dbt build`; opened read-only.")
@click.option("--project-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The dbt project: vars from its dbt_project.yml, labels from its mart contracts.")
@click.option("--vars", "vars_text", default=None,
              help="The --vars given to dbt build (YAML or JSON), e.g. '{rfm_score_buckets: 4}'.")
@click.option("--target-path", type=click.Path(file_okay=False, path_type=Path), default=Path("target"),
              show_default=True, help="Work folder (relative to --project-dir): the GX context goes to "
                                      "<target-path>/quality/gx.")
@click.option("--docs-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data Docs folder, emptied on every run  [default: <target-path>/quality/data_docs]")
def quality_command(database: Path, project_dir: Path, vars_text: str | None, target_path: Path,
                    docs_dir: Path | None) -> None:
    """Validate the marts BI reads with Great Expectations (after `dbt build`) and build
    Data Docs that open offline. Exit code 1 when an expectation fails."""
    target = target_path if target_path.is_absolute() else project_dir / target_path
    try:
        report = quality.run_quality(database.resolve(), project_dir.resolve(),
                                     (docs_dir or target / "quality" / "data_docs").resolve(),
                                     (target / "quality").resolve(), vars_text)
    except quality.QualityInputError as error:
        raise click.UsageError(str(error)) from error
    click.echo(quality.format_report(report))
    if not report.success:
        raise SystemExit(1)


@main.command("export")
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path), envvar="STRATIFY_DUCKDB_PATH",
              default=Path("stratify.duckdb"), show_default="$STRATIFY_DUCKDB_PATH or ./stratify.duckdb",
              help="DuckDB file built by `dbt build`; opened read-only.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the files (created; files of the same marts are replaced).")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="parquet", show_default=True)
@click.option("--mart", "marts", multiple=True, help="A mart to write (repeatable)  [default: every mart]")
def export_command(database: Path, out_dir: Path, fmt: str, marts: tuple[str, ...]) -> None:
    """Write the marts BI reads to Parquet or CSV files, one per mart, for tools that
    cannot read DuckDB (after `dbt build`)."""
    try:
        exported = export.export_marts(database.resolve(), out_dir.resolve(), fmt, marts)
    except export.ExportInputError as error:
        raise click.UsageError(str(error)) from error
    click.echo(export.format_summary(exported, out_dir))


@main.command("report")
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path), envvar="STRATIFY_DUCKDB_PATH",
              default=Path("stratify.duckdb"), show_default="$STRATIFY_DUCKDB_PATH or ./stratify.duckdb",
              help="DuckDB file built by `dbt build`; opened read-only.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("target/stratify_report.html"),
              show_default=True, help="The HTML file to write (replaced whole).")
@click.option("--target-path", type=click.Path(file_okay=False, path_type=Path), default=Path("target"),
              show_default=True, help="dbt's target folder: source freshness from its sources.json.")
@click.option("--title", default="Customer stratification", show_default=True, help="The page's title.")
def report_command(database: Path, out: Path, target_path: Path, title: str) -> None:
    """Write one self-contained HTML page (charts, data and styles inlined; opens offline) of
    tiers, R x F grid, segments, lifecycle, migration, trends, CLV and data quality (after
    `dbt build`)."""
    try:
        result = report.write_report(database.resolve(), out.resolve(), target_path.resolve(), title)
    except report.ReportInputError as error:
        raise click.UsageError(str(error)) from error
    click.echo(report.format_summary(result))


if __name__ == "__main__":
    main()
