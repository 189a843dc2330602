"""The query encoder: the embedding model of the questions and its caches, behind one lock.

It owns the embedder (whose tokenizer is not safe to share between threads) and two bounded caches: the
vectors of question texts and of field paths ("Population: total", most of them read from the vectors
stored with the index). Every method takes the one lock for all it does, so two questions at once never
see a cache half cleared or embed with the model at the same time.

It does not search or answer; it knows no index generation but the one a caller hands it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from qa.answering.field_map import mapped
from qa.index.embedding import Embedder
from qa.index.store import Generation

QUERIES_KEPT = 4096  # question vectors cached
FIELDS_KEPT = 65536  # field-path vectors kept (most are views of the index's stored ones)
_BATCH = 256  # texts a forward pass when priming


class QueryEncoder:
    """Embeds questions and field paths through bounded caches; safe to share between threads."""

    def __init__(
        self,
        embedder: Embedder,
        queries_kept: int = QUERIES_KEPT,
        fields_kept: int = FIELDS_KEPT,
        field_map: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.field_map = field_map  # the fitted field map (`qa.answering.field_map`), or None
        self._lock = threading.RLock()
        self._queries: dict[str, np.ndarray] = {}
        self._fields: dict[str, np.ndarray] = {}
        self._queries_kept, self._fields_kept = queries_kept, fields_kept
        self._primed = 0  # what a benchmark primed stays cached, however many

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @property
    def cached(self) -> int:
        """How many question texts are cached now."""
        with self._lock:
            return len(self._queries)

    def is_cached(self, text: str) -> bool:
        with self._lock:
            return text in self._queries

    def field_focus(self, text: str) -> np.ndarray:
        """The vector a question less its names (`field_query`) is compared with field paths by: the model's,
        through the fitted field map when there is one."""
        return mapped(self.field_map, self.vectors([text])[0])

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The model's vectors of question texts (one forward pass for those not cached)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
            fresh = dict(zip(missing, self.embedder.embed(missing), strict=True)) if missing else {}
            found = {t: self._queries[t] for t in texts if t in self._queries} | fresh
            if fresh:
                if len(self._queries) > max(self._queries_kept, self._primed):
                    self._queries.clear()
                self._queries.update(fresh)
            return [found[t] for t in texts]

    def query(self, text: str, focus: str | None, also: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
        """The search vector, and the vector sentences are scored against.

        For a follow-up the search uses the earlier question too, while sentences are scored mostly against
        the new question (`focus`), so "What about agriculture?" is about agriculture. `also` are embedded in
        the same forward pass (the field-path query answering compares with)."""
        vectors = self.vectors([text, *also] if focus is None else [text, focus, *also])
        if focus is None:
            return vectors[0], vectors[0]
        mixed = 0.25 * vectors[0] + 0.75 * vectors[1]
        return vectors[0], mixed / max(float(np.linalg.norm(mixed)), 1e-9)

    def fields(self, generation: Generation, paths: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of field paths: stored with the generation's segments, else embedded here."""
        with self._lock:
            missing = [p for p in dict.fromkeys(paths) if p and p not in self._fields]
            if missing:
                if len(self._fields) > self._fields_kept:
                    self._fields.clear()
                self._fields.update(generation.field_vectors(missing))
            self._embed_into(self._fields, [p for p in paths if p])
            return {p: self._fields[p] for p in paths if p}

    def piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The unit vectors of each text's word pieces (`qa.answering.word_match`)."""
        with self._lock:
            return self.embedder.piece_vectors(texts)

    def piece_rows(self, ids: Mapping[int, np.ndarray]) -> dict[int, np.ndarray]:
        """The unit vectors of stored word-piece numbers (`Generation.sentence_pieces`), by the same keys."""
        if not ids:
            return {}
        with self._lock:
            rows = self.embedder.piece_rows(np.concatenate(list(ids.values())))  # one gather, then split
        bounds = np.cumsum([len(found) for found in ids.values()])[:-1]
        return dict(zip(ids, np.split(rows, bounds), strict=True))

    def prime(self, texts: Sequence[str]) -> None:
        """Embed many question texts in batches ahead of time; they stay cached. Answers are unchanged."""
        with self._lock:
            self._primed = max(self._primed, len(self._queries) + len(texts))
            self._embed_into(self._queries, texts)

    def prime_fields(self, paths: Sequence[str]) -> None:
        """Embed field paths ahead of time (a benchmark's warm-up)."""
        with self._lock:
            self._embed_into(self._fields, paths)

    def forget(self) -> None:
        """Drop every cached question vector (a benchmark timing a new question's encode)."""
        with self._lock:
            self._queries.clear()

    def _embed_into(self, cache: dict[str, np.ndarray], texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        for i in range(0, len(missing), _BATCH):
            batch = missing[i : i + _BATCH]
            cache.update(zip(batch, self.embedder.embed(batch), strict=True))
