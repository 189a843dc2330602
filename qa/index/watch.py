"""A corpus folder that indexes itself: `qa index --watch`.

After a first sync, `watch_corpus` waits for briefings to appear, change or vanish under the folder
(`watchfiles`: the operating system's file events, polling where there are none), lets a burst of
events settle (`debounce_ms`: saving a file is often several writes), then syncs again — the same
`sync_index` as a manual run, so only the changed files are embedded and the new commit replaces the
old atomically; a running app picks it up as it always does. Hidden files (an upload being written,
an editor's swap file) and unsupported types are ignored. It stops on Ctrl-C or when `stop` is set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.text.loaders import SUPPORTED_SUFFIXES

DEBOUNCE_MS = 800


def is_briefing_event(_change: Any, path: str) -> bool:
    """Whether a file event can change the index: a supported file, no part of its path hidden. Pure."""
    parts = Path(path).parts
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES and not any(p.startswith(".") for p in parts[-8:])


def watch_corpus(
    corpus: Path,
    sync: Callable[[], Any],
    on_sync: Callable[[Any, int], None] = lambda _report, _events: None,
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    force_polling: bool | None = None,
) -> None:
    """Call `sync()` each time briefings under `corpus` change (events settled for `debounce_ms`), then
    `on_sync(its result, how many events)`; a sync that fails with a `QAError` or `OSError` hands `on_sync`
    the error instead, and the watch goes on. Returns when `stop` is set."""
    from watchfiles import watch

    for changes in watch(
        corpus,
        watch_filter=is_briefing_event,
        debounce=debounce_ms,
        stop_event=stop,
        force_polling=force_polling,
        poll_delay_ms=200,
        raise_interrupt=False,
    ):
        try:
            result = sync()
        except (QAError, OSError) as exc:  # a full disk, a folder gone for a moment: said, and watched again
            result = exc
        on_sync(result, len(changes))
