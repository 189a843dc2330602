"""Okapi BM25 over passages, built once when a generation is written and memory-mapped when it is opened.

`bm25s` builds the table (its "lucene" variant: idf = ln(1 + (N − df + 0.5) / (df + 0.5)), each
term's weight idf · tf / (tf + k1 · (1 − b + b · len / avg len))), from the words of
`qa.text.tokens.tokenize` — the same the sentence scorer reads. The table is stored as three NumPy
arrays (a compressed sparse column matrix: a term's passages and weights) and a JSON vocabulary, so
opening an index maps them instead of rebuilding postings. Scores are scaled by (k1 + 1), the
classic Okapi form, so they equal what the fitted answering weights were measured on.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from qa.text.tokens import tokenize

K1 = 1.2
B = 0.75
FILES = ("bm25-data.npy", "bm25-indices.npy", "bm25-indptr.npy", "bm25-vocab.json")


class Lexical:
    """BM25 scores of every passage for weighted query terms, over a built or memory-mapped table."""

    def __init__(
        self, size: int, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: Mapping[str, int]
    ) -> None:
        self.size = size
        # plain views of the (possibly mapped) arrays: the same pages, without the memmap wrapper's cost per read
        self._data, self._indices = data.view(np.ndarray), indices.view(np.ndarray)
        self._indptr, self._vocab = indptr.view(np.ndarray), vocab
        self._idf: dict[str, float] = {}
        self.default_idf = math.log(1.0 + (size + 0.5) / 0.5) if size else 1.0

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        if not texts:
            empty = np.zeros(0, dtype=np.float32)
            return cls(0, empty, np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64), {})
        import bm25s

        table = bm25s.BM25(k1=K1, b=B, method="lucene")
        table.index([tokenize(text) for text in texts], show_progress=False)
        scores = table.scores
        data = np.asarray(scores["data"], dtype=np.float32) * np.float32(K1 + 1.0)
        return cls(
            len(texts),
            data,
            np.asarray(scores["indices"], dtype=np.int32),
            np.asarray(scores["indptr"], dtype=np.int64),
            {str(term): int(i) for term, i in table.vocab_dict.items() if term},
        )

    def _posting(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self._vocab.get(term)
        if i is None or i + 1 >= len(self._indptr):
            return None
        lo, hi = int(self._indptr[i]), int(self._indptr[i + 1])
        return self._indices[lo:hi], self._data[lo:hi]

    def term_idf(self, term: str) -> float:
        idf = self._idf.get(term)
        if idf is None:
            posting = self._posting(term)
            df = 0 if posting is None else len(posting[0])
            idf = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5)) if df else self.default_idf
            if len(self._idf) > 100_000:
                self._idf.clear()
            self._idf[term] = idf
        return idf

    def scores(self, weighted_terms: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """BM25 score of every passage; `weighted_terms` maps a token to its query weight."""
        terms = weighted_terms if isinstance(weighted_terms, Mapping) else Counter(weighted_terms)
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            posting = self._posting(term)
            if posting is not None:
                ids, weights = posting
                out[ids] += np.float32(weight) * weights  # a term lists each passage once
        return out

    def payloads(self) -> dict[str, bytes]:
        """The files a generation stores this table in."""
        return {
            "bm25-data.npy": _npy(self._data),
            "bm25-indices.npy": _npy(self._indices),
            "bm25-indptr.npy": _npy(self._indptr),
            "bm25-vocab.json": json.dumps({"size": self.size, "terms": self._vocab}, ensure_ascii=False).encode(),
        }

    @classmethod
    def open(cls, folder: Path) -> Lexical:
        """Map a stored table (the arrays stay on disk; pages are read as terms are scored)."""
        vocab = json.loads((folder / "bm25-vocab.json").read_bytes())
        data, indices, indptr = (_load(folder / f"bm25-{name}.npy") for name in ("data", "indices", "indptr"))
        return cls(int(vocab["size"]), data, indices, indptr, vocab["terms"])


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _load(path: Path) -> np.ndarray:
    """A stored array, memory-mapped (an empty one read: there is nothing to map)."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:
        return np.load(path, allow_pickle=False)
