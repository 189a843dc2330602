"""Okapi BM25 over the passages of an index made of segments, with the statistics of the whole index.

Each segment stores its term counts once, when it is written (`TermTable`): for each term, the passages
holding it and how often (a compressed sparse column table of three NumPy arrays, memory-mapped when
the index is opened) and each passage's length in words, from `qa.text.tokens.tokenize` — the words the
sentence scorer reads too. `Lexical` scores the passages of all segments together: a term's document
frequency and the average length are those of the live passages of every segment (a removed document's
passages count for nothing), so the scores are exactly those of one table built over the live passages —
Lucene's formula (idf = ln(1 + (N − df + 0.5) / (df + 0.5)); weight idf · tf · (k1 + 1) / (tf + k1 ·
(1 − b + b · len / avg len))), scaled by (k1 + 1) as the fitted answering weights were measured on.

The counts are ours rather than a library's precomputed weights: weights fixed at write time would carry
the statistics of one segment, and a segment is never rewritten when another is added.
"""

from __future__ import annotations

import bisect
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
FILES = ("terms-passages.npy", "terms-counts.npy", "terms-indptr.npy", "terms-lengths.npy", "terms.json")


class TermTable:
    """One segment's term counts: term → (passages, counts), and each passage's length in words."""

    def __init__(
        self,
        passages: np.ndarray,
        counts: np.ndarray,
        indptr: np.ndarray,
        lengths: np.ndarray,
        terms: Mapping[str, int],
    ) -> None:
        # plain views of the (possibly mapped) arrays: the same pages, without the memmap wrapper's cost per read
        self.passages, self.counts = passages.view(np.ndarray), counts.view(np.ndarray)
        self.indptr, self.lengths, self.terms = indptr.view(np.ndarray), lengths.view(np.ndarray), terms

    @property
    def size(self) -> int:
        return len(self.lengths)

    @classmethod
    def build(cls, tokenized: Iterable[Sequence[str]]) -> TermTable:
        terms: dict[str, int] = {}
        term_ids: list[int] = []
        passage_ids: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for pid, tokens in enumerate(tokenized):
            lengths.append(len(tokens))
            for term, count in Counter(tokens).items():
                term_ids.append(terms.setdefault(term, len(terms)))
                passage_ids.append(pid)
                counts.append(count)
        rows = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(rows, kind="stable")  # by term, passages ascending within each
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(terms)), out=indptr[1:])
        return cls(
            np.asarray(passage_ids, dtype=np.int32)[order],
            np.asarray(counts, dtype=np.float32)[order],
            indptr,
            np.asarray(lengths, dtype=np.float32),
            terms,
        )

    def posting(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self.terms.get(term)
        if i is None:
            return None
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.passages[lo:hi], self.counts[lo:hi]

    def payloads(self) -> dict[str, bytes]:
        """The files a segment stores this table in."""
        return {
            "terms-passages.npy": _npy(self.passages),
            "terms-counts.npy": _npy(self.counts),
            "terms-indptr.npy": _npy(self.indptr),
            "terms-lengths.npy": _npy(self.lengths),
            "terms.json": json.dumps(self.terms, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        }

    @classmethod
    def open(cls, folder: Path) -> TermTable:
        """Map a stored table (the arrays stay on disk; pages are read as terms are scored)."""
        passages, counts, indptr, lengths = (
            _load(folder / f"terms-{name}.npy") for name in ("passages", "counts", "indptr", "lengths")
        )
        return cls(passages, counts, indptr, lengths, json.loads((folder / "terms.json").read_bytes()))


class Lexical:
    """BM25 scores of every passage (numbered across segments) for weighted query terms.

    `parts` are (first passage number, table) in passage order; `live` marks the passages still in the
    index (None: all of them). A passage that is not live scores 0 and counts in no statistic."""

    def __init__(self, parts: Sequence[tuple[int, TermTable]], size: int, live: np.ndarray | None = None) -> None:
        self.size, self._parts = size, list(parts)
        self._live = [None if live is None else live[offset : offset + table.size] for offset, table in self._parts]
        self._live_all = live
        self.documents = size if live is None else int(np.count_nonzero(live))
        total = sum(
            float(table.lengths.sum() if alive is None else table.lengths[alive].sum())
            for (_, table), alive in zip(self._parts, self._live, strict=True)
        )
        average = total / self.documents if self.documents else 1.0
        # the length part of each passage's denominator, k1 · (1 − b + b · len / avg len), with the whole index's average
        self._norms = [K1 * (1.0 - B + B * table.lengths / np.float32(average or 1.0)) for _, table in self._parts]
        self._idf: dict[str, float] = {}
        self._starts = [offset for offset, _ in self._parts]
        self.default_idf = math.log(1.0 + (self.documents + 0.5) / 0.5) if self.documents else 1.0

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        """One table over `texts` (tests and small tools)."""
        table = TermTable.build(tokenize(text) for text in texts)
        return cls([(0, table)], table.size)

    def _df(self, term: str) -> int:
        df = 0
        for (_, table), alive in zip(self._parts, self._live, strict=True):
            posting = table.posting(term)
            if posting is not None:
                df += len(posting[0]) if alive is None else int(np.count_nonzero(alive[posting[0]]))
        return df

    def holds(self, term: str) -> bool:
        """Whether a live passage holds `term` (its idf, worked out once, is the default only for none)."""
        return self.term_idf(term) != self.default_idf

    def held_within(self, term: str, lo: int, hi: int) -> bool:
        """Whether a passage numbered in [lo, hi) holds `term` (the range inside one segment, as a document's
        passages are): a binary search in that segment's posting, whatever its length."""
        starts = self._starts
        s = bisect.bisect_right(starts, lo) - 1
        if s < 0 or hi <= lo:
            return False
        offset, table = self._parts[s]
        posting = table.posting(term)
        if posting is None:
            return False
        ids = posting[0]
        i = int(np.searchsorted(ids, lo - offset))
        return i < len(ids) and int(ids[i]) < hi - offset

    def term_idf(self, term: str) -> float:
        idf = self._idf.get(term)
        if idf is None:
            df = self._df(term)
            idf = math.log(1.0 + (self.documents - df + 0.5) / (df + 0.5)) if df else self.default_idf
            if len(self._idf) > 100_000:
                self._idf.clear()
            self._idf[term] = idf
        return idf

    def passages_with(self, term: str) -> np.ndarray:
        """The numbers of the live passages holding `term` (empty: the index never uses it)."""
        found = []
        for (offset, table), alive in zip(self._parts, self._live, strict=True):
            posting = table.posting(term)
            if posting is not None:
                ids = posting[0] if alive is None else posting[0][alive[posting[0]]]
                found.append(offset + ids.astype(np.int64))
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def scores(self, weighted_terms: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """BM25 score of every passage; `weighted_terms` maps a token to its query weight."""
        terms = weighted_terms if isinstance(weighted_terms, Mapping) else Counter(weighted_terms)
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            factor = None
            for (offset, table), norms in zip(self._parts, self._norms, strict=True):
                posting = table.posting(term)
                if posting is None:
                    continue
                if factor is None:
                    factor = np.float32(weight * self.term_idf(term) * (K1 + 1.0))
                ids, counts = posting
                out[offset + ids] += factor * counts / (counts + norms[ids])  # a term lists each passage once
        if self._live_all is not None:
            out[~self._live_all] = 0.0
        return out


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
