"""Progress of a run, per source: a rich progress bar at a terminal, nothing elsewhere (the
structured log says what happened)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["NullProgress", "ProgressHook", "TerminalProgress", "progress_for_terminal"]


class ProgressHook(Protocol):
    """What the pipeline reports as it goes."""

    def discovering(self, source: str) -> None: ...
    def discovered(self, source: str, pages: int) -> None: ...
    def page_done(self, source: str) -> None: ...
    def finished(self, source: str, failed: bool) -> None: ...


class NullProgress:
    """Reports nothing."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def discovering(self, source: str) -> None:
        pass

    def discovered(self, source: str, pages: int) -> None:
        pass

    def page_done(self, source: str) -> None:
        pass

    def finished(self, source: str, failed: bool) -> None:
        pass


class TerminalProgress:
    """One bar per source on stderr, removed when the run ends::

    with TerminalProgress() as progress:
        run(settings, progress=progress)
    """

    def __init__(self, console: Console | None = None) -> None:
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> TerminalProgress:
        self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def discovering(self, source: str) -> None:
        self._tasks[source] = self._bars.add_task(f"{source}: discovering", total=None)

    def discovered(self, source: str, pages: int) -> None:
        self._bars.update(self._tasks[source], description=source, total=pages)

    def page_done(self, source: str) -> None:
        self._bars.advance(self._tasks[source])

    def finished(self, source: str, failed: bool) -> None:
        task = self._tasks[source]
        label = f"{source}: failed" if failed else source
        total = self._bars.tasks[task].total or 0
        self._bars.update(task, description=label, total=total, completed=total)


def progress_for_terminal() -> TerminalProgress | NullProgress:
    """Bars when stderr is a terminal, else nothing."""
    return TerminalProgress() if sys.stderr.isatty() else NullProgress()
