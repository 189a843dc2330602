"""Progress on a terminal: one bar a phase of indexing ("Reading briefings", "Embedding passages", …), with its
count, its rate and the time left, fed by the (what, done, total) steps `qa.index.sync` reports. The web page has
its own bar (`qa.index.maintenance`); nothing here decides anything."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO


def time_left(plan: Sequence[tuple[str, float]], what: str, done: int, total: int, elapsed: float) -> float | None:
    """Seconds left in all the phases of `plan` ((what, its work) in order, the work in any unit: characters to
    embed), at `done` of `total` in phase `what` after `elapsed` seconds of the plan; None before any work is done
    or outside the plan. The rate so far is taken to hold for the phases to come."""
    names = [name for name, _ in plan]
    if what not in names or total <= 0:
        return None
    at = names.index(what)
    work = sum(w for _, w in plan)
    finished = sum(w for _, w in plan[:at]) + plan[at][1] * min(done, total) / total
    if finished <= 0 or work <= 0:
        return None
    return elapsed * (work - finished) / finished


class TerminalBars:
    """A `Step` that draws a tqdm bar a phase: a new phase (or a new total) closes the last bar and opens one. Told
    the `plan` of the phases to come (`plan`), each bar also shows the time left in all of them."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._phase: tuple[str, int] | None = None
        self._plan: list[tuple[str, float]] = []
        self._clock, self._planned_at = clock, 0.0

    def plan(self, phases: Sequence[tuple[str, float]]) -> None:
        """The phases about to run, in order, with their work (characters to embed): the time left in all of them
        is shown from now on."""
        self._plan, self._planned_at = list(phases), self._clock()

    def __call__(self, what: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if self._phase != (what, total):
            self.close(finished=True)  # a phase begins when the last one is done
            self._phase = (what, total)
            unit = " " + (what.split()[-1] if what else "items")  # "Embedding passages" counts passages
            self._bar = tqdm(total=total, desc=what, unit=unit, file=self._stream, dynamic_ncols=True, leave=True)
        self._bar.update(max(0, min(done, total) - self._bar.n))
        left = time_left(self._plan, what, done, total, self._clock() - self._planned_at) if self._plan else None
        if left is not None:  # nothing left in all once the last planned phase is done: the note goes
            self._bar.set_postfix_str(f"about {_duration(left)} left in all" if left >= 0.5 else "", refresh=True)
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


def _duration(seconds: float) -> str:
    """ "45 s", "3 min", "1 h 05 min"."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
