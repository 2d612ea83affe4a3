"""A rich progress bar per seeded table, for the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class RichReporter:
    """The service's Reporter on a rich Progress: one bar per table, started when it begins."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), console=console,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def start(self, table: str, total: int) -> None:
        if total:
            self.tasks[table] = self.progress.add_task(table, total=total)

    def advance(self, table: str, count: int) -> None:
        self.progress.advance(self.tasks[table], count)
