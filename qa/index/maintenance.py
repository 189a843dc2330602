"""The maintainer's work from the web page: add uploaded briefings to the corpus folder, re-index, and have
answers switch to the new index.

It writes files into the corpus folder (`qa.index.corpus.add_to_corpus`: safe names, size limit) and runs
`sync_index` with an embedder of its own (the answering one stays with the questions). Switching answers
to the new index is the caller's `swap` (the Assistant's forced refresh). It renders nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from qa.index.corpus import UPLOAD_MAX_BYTES, add_to_corpus, safe_name
from qa.index.embedding import Embedder, make_embedder
from qa.index.sync import Step, sync_index
from qa.settings import Settings


class Maintenance:
    """Adds briefings to a corpus folder and re-indexes it into an index folder, one re-index at a time."""

    def __init__(
        self,
        corpus_dir: Path,
        index_dir: Path,
        settings: Settings,
        swap: Callable[[], bool],
        embedder: Embedder | None = None,
    ) -> None:
        self.corpus_dir, self.index_dir, self.settings, self.swap = Path(corpus_dir), Path(index_dir), settings, swap
        self._embedder = embedder  # made on the first re-index when not given
        self._lock = threading.Lock()

    def add(self, paths: Sequence[str | Path]) -> str:
        """Copy each file into the corpus folder; a line a file says what became of it."""
        lines = []
        for path in map(Path, paths):
            try:
                size = path.stat().st_size
                if size > UPLOAD_MAX_BYTES:
                    raise ValueError(f"'{safe_name(path.name)}' is {size:,} bytes; the limit is {UPLOAD_MAX_BYTES:,}.")
                written, replaced = add_to_corpus(self.corpus_dir, path.name, path.read_bytes())
                lines.append(f"{'replaced' if replaced else 'added'}: {written}")
            except (ValueError, OSError) as exc:
                lines.append(f"refused: {exc}")
        lines.append("Re-index to make the new briefings answerable.")
        return "\n".join(lines)

    def reindex(self, step: Step | None = None) -> str:
        """Sync the corpus into the index and swap answers to it; the report, or why it did not run."""
        if not self._lock.acquire(blocking=False):
            return "A re-index started from this page is still running: wait for its report."
        try:
            if self._embedder is None:
                self._embedder = make_embedder(
                    self.settings.model, self.settings.batch_size, backend=self.settings.backend
                )
            report = sync_index(self.corpus_dir, self.index_dir, self._embedder, self.settings, step=step)
            tail = "Answers now come from the new index." if self.swap() else "Answers use the index as it was."
            return f"{report.summary()}\n{tail}"
        finally:
            self._lock.release()
