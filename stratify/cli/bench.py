"""`stratify bench`: the dbt project timed against a single query and a pandas script
(stratify.devdata.bench)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from stratify.cli import options
from stratify.devdata import bench


@click.command("bench")
@click.option("--orders", type=click.IntRange(min=1000), default=1_000_000, show_default=True,
              help="Orders to generate (cached per size and seed).")
@click.option("--customers", type=click.IntRange(min=1), default=None,
              help="Members; default orders / 10.")
@options.seed()
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
