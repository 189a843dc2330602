"""How often the served app's request queue looks for work while it has none.

Gradio's queue looks for new requests every millisecond when idle (and for progress to send every 10 ms),
which keeps an idle app at about 6% of a core. A request waits at most `IDLE_POLL_S` longer before it starts,
next to an answer's 30 ms or so; progress is sent every `PROGRESS_POLL_S`, as often as a person reads it.
"""

from __future__ import annotations

from typing import Any

IDLE_POLL_S = 0.02
PROGRESS_POLL_S = 0.1


def quiet_when_idle(demo: Any, idle_s: float = IDLE_POLL_S, progress_s: float = PROGRESS_POLL_S) -> bool:
    """Set the idle polling of `demo`'s queue (a Gradio Blocks); False where that queue has no such settings
    (another Gradio version: left as it is)."""
    queue = getattr(demo, "_queue", None)
    if queue is None or not hasattr(queue, "sleep_when_free") or not hasattr(queue, "progress_update_sleep_when_free"):
        return False
    queue.sleep_when_free = idle_s
    queue.progress_update_sleep_when_free = progress_s
    return True
