"""Progress on a terminal: one bar a phase of indexing ("Reading briefings", "Embedding passages", …), with its
count, its rate and the time left, fed by the (what, done, total) steps `qa.index.sync` reports. The web page has
its own bar (`qa.index.maintenance`); nothing here decides anything."""

from __future__ import annotations

import sys
from typing import Any, TextIO


class TerminalBars:
    """A `Step` that draws a tqdm bar a phase: a new phase (or a new total) closes the last bar and opens one."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._phase: tuple[str, int] | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if self._phase != (what, total):
            self.close(finished=True)  # a phase begins when the last one is done
            self._phase = (what, total)
            unit = " " + (what.split()[-1] if what else "items")  # "Embedding passages" counts passages
            self._bar = tqdm(total=total, desc=what, unit=unit, file=self._stream, dynamic_ncols=True, leave=True)
        self._bar.update(max(0, min(done, total) - self._bar.n))
        if done >= total:
            self.close()

    def close(self, finished: bool = False) -> None:
        """Close the open bar; `finished`: its phase is done (a phase that counts no steps, such as writing the
        index, reports only its start), else it stays where the run stopped."""
        if self._bar is not None:
            if finished:
                self._bar.update(self._bar.total - self._bar.n)
            self._bar.close()
        self._bar, self._phase = None, None
