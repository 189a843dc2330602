"""Whether a cited source file still holds the bytes that were indexed.

`FileHashes` remembers the content hash of source files by path, modification time and size (bounded,
behind a lock); `flag_changed` marks each citation whose file was edited or removed since it was indexed,
so an analyst sees that a quote may no longer be in the file. It reads files; it does not index them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from qa.records import Answer, Citation
from qa.text.documents import content_hash

HASHES_KEPT = 4096  # source-file hashes cached (by path, modification time and size)


class FileHashes:
    """The content hash of files, remembered by (path, mtime, size); at most `kept` of them."""

    def __init__(self, kept: int = HASHES_KEPT) -> None:
        self._kept = kept
        self._known: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._known)

    def of(self, path: Path) -> str | None:
        """The hash of `path`'s bytes now; None when it cannot be read."""
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            known = self._known.get(key)
        if known is not None:
            return known
        try:
            known = content_hash(path.read_bytes())
        except OSError:
            return None
        with self._lock:
            if len(self._known) >= self._kept:  # bounded: forget the oldest half
                for old in list(self._known)[: self._kept // 2]:
                    self._known.pop(old, None)
            self._known[key] = known
        return known


def flag_changed(answer: Answer, corpus: str | None, hashes: FileHashes) -> Answer:
    """Mark each citation whose source file in `corpus` no longer has the indexed bytes (edited or removed)."""
    if not corpus or not (answer.citations or answer.nearest):
        return answer

    def check(citation: Citation) -> Citation:
        current = hashes.of(Path(corpus) / citation.source)
        return citation.model_copy(update={"changed_since_indexed": current != citation.sha256})

    return answer.model_copy(
        update={"citations": [check(c) for c in answer.citations], "nearest": [check(c) for c in answer.nearest]}
    )
