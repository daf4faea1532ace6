"""Build progress for people: a bar on a terminal, plain lines in logs and schedulers."""

from __future__ import annotations

import sys


class Reporter:
    """Receives each paper's outcome as it finishes (`update`), and shows it."""

    def __init__(self, enabled: bool = True, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interactive = enabled and self.stream.isatty()
        self._progress = None
        self._task = None

    def __enter__(self) -> Reporter:
        if self.interactive:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("Building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=Console(file=self.stream), transient=True,
            )
            self._progress.start()
        return self

    def update(self, outcome, done: int, total: int) -> None:
        if not self.enabled:
            return
        label = f"{outcome.council}/{outcome.paper}"
        if self._progress is not None:
            if self._task is None:
                self._task = self._progress.add_task(label, total=total)
            self._progress.update(self._task, completed=done, total=total, description=label)
        elif outcome.status != "unchanged":
            print(f"[{done}/{total}] {label}: {outcome.status}", file=self.stream, flush=True)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
