"""Options several commands share, written once: the same name, type and default wherever
they appear, so that `--database` or `--seed` cannot drift apart between commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

database: Decorator = click.option(
    "--database", type=click.Path(dir_okay=False, path_type=Path), envvar="STRATIFY_DUCKDB_PATH",
    default=Path("stratify.duckdb"), show_default="$STRATIFY_DUCKDB_PATH or ./stratify.duckdb",
    help="DuckDB file built by `dbt build`; opened read-only.")


def seed(text: str | None = None) -> Decorator:
    """--seed: the seed of every random stream."""
    return click.option("--seed", type=int, default=42, show_default=True, help=text)


def raw_dir(text: str) -> Decorator:
    """--raw-dir: an existing folder of raw files."""
    return click.option("--raw-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
                        help=text)


def file_format(choices: Sequence[str]) -> Decorator:
    """--format (parameter `fmt`): parquet by default."""
    return click.option("--format", "fmt", type=click.Choice(choices), default="parquet", show_default=True)


def target_path(text: str) -> Decorator:
    """--target-path: dbt's target folder."""
    return click.option("--target-path", type=click.Path(file_okay=False, path_type=Path), default=Path("target"),
                        show_default=True, help=text)


def quiet(text: str) -> Decorator:
    """--quiet: a flag that silences the command's own output."""
    return click.option("--quiet", is_flag=True, help=text)


@contextmanager
def usage_errors(*errors: type[Exception]) -> Iterator[None]:
    """The tools' input errors as usage errors: exit code 2 and the message, no traceback."""
    try:
        yield
    except errors as error:
        raise click.UsageError(str(error)) from error
