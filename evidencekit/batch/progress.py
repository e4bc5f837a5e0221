"""Progress for people: a bar with counts, rate and ETA on a terminal; plain periodic lines
otherwise (logs, CI), so nothing scrolls thousands of lines."""

from __future__ import annotations

import sys
import time
from typing import IO, Any


class Progress:
    def __init__(self, total: int, *, enabled: bool | None = None,
                 stream: IO[str] | None = None, every_seconds: float = 10.0) -> None:
        """``enabled``: None shows a bar on a terminal and plain lines otherwise; False is
        silent."""
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.silent = enabled is False
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.every = every_seconds
        self.start = time.monotonic()
        self._last_line = 0.0
        self._last_decile = -1
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("scoring"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}/s"), TextColumn("{task.fields[failed]} failed"),
                TimeRemainingColumn(), console=Console(file=self.stream), transient=False)
            self._bar.__enter__()
            self._task = self._bar.add_task("scoring", total=self.total, rate="0",
                                            failed=0)
        return self

    def advance(self, n: int = 1, failed: int = 0) -> None:
        self.done += n
        self.failed += failed
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, rate=f"{rate:.0f}",
                             failed=self.failed)
            return
        if self.silent:
            return
        decile = 10 * self.done // max(self.total, 1)
        now = time.monotonic()
        if decile != self._last_decile or now - self._last_line >= self.every:
            self._last_decile = decile
            self._last_line = now
            remaining = (self.total - self.done) / rate if rate > 0 else 0.0
            print(f"scored {self.done}/{self.total} ({self.failed} failed), {rate:.0f}/s, "
                  f"about {remaining:.0f} s left", file=self.stream, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
