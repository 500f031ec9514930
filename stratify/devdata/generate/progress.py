"""Progress of a run on stderr (rich), and the summary table at the end; nothing when quiet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from stratify.devdata.generate.manifest import Manifest


class Progress:
    """Rich progress on stderr, or nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self._console = None if quiet else Console(stderr=True)
        self._bar = None if self._console is None else RichProgress(
            SpinnerColumn(), TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=self._console)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def task(self, description: str, total: int) -> TaskID | None:
        return None if self._bar is None else self._bar.add_task(description, total=total)

    def advance(self, task: TaskID | None, n: int) -> None:
        if self._bar is not None and task is not None:
            self._bar.advance(task, n)

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        task = self.task(description, 1)
        yield
        self.advance(task, 1)

    def summary(self, manifest: Manifest) -> None:
        if self._console is None:
            return
        table = Table("table", "rows", "duplicates", "rejected", title="stratify generate")
        for name, report in manifest.tables.items():
            table.add_row(name, f"{report.rows:,}", f"{report.duplicates_dropped:,}",
                          f"{sum(report.rejected.values()):,}")
        self._console.print(table)
