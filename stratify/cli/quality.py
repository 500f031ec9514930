"""`stratify quality`: the Great Expectations suite over the marts of a build
(stratify.warehouse.quality)."""

from __future__ import annotations

from pathlib import Path

import click

from stratify.cli import options
from stratify.warehouse import quality


@click.command("quality")
@options.database
@click.option("--project-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The dbt project: vars from its dbt_project.yml, labels from its mart contracts.")
@click.option("--vars", "vars_text", default=None,
              help="The --vars given to dbt build (YAML or JSON), e.g. '{rfm_score_buckets: 4}'.")
@options.target_path("Work folder (relative to --project-dir): the GX context goes to <target-path>/quality/gx.")
@click.option("--docs-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data Docs folder, emptied on every run  [default: <target-path>/quality/data_docs]")
def quality_command(database: Path, project_dir: Path, vars_text: str | None, target_path: Path,
                    docs_dir: Path | None) -> None:
    """Validate the marts BI reads with Great Expectations (after `dbt build`) and build
    Data Docs that open offline. Exit code 1 when an expectation fails."""
    target = target_path if target_path.is_absolute() else project_dir / target_path
    with options.usage_errors(quality.QualityInputError):
        report = quality.run_quality(database.resolve(), project_dir.resolve(),
                                     (docs_dir or target / "quality" / "data_docs").resolve(),
                                     (target / "quality").resolve(), vars_text)
    click.echo(quality.format_report(report))
    if not report.success:
        raise SystemExit(1)
