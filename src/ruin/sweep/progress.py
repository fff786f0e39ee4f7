"""The sweep's progress bar (rich, on stderr)."""

from __future__ import annotations

import time


class _Progress:
    """rich progress bar on stderr: cells done / total, cells per second, time left."""

    def __init__(self, enabled: bool, total: int, done: int, label: str) -> None:
        self.bar = None
        self.t0 = time.perf_counter()
        self.start_done = done
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("cells"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task(label, total=total, completed=done, rate="")
        self.bar.start()

    def advance(self, n: int, done: int) -> None:
        if self.bar is None:
            return
        dt = max(time.perf_counter() - self.t0, 1e-9)
        rate = (done - self.start_done) / dt
        self.bar.update(self.task, advance=n, rate=f"{rate:,.1f}/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
