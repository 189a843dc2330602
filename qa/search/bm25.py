"""Okapi BM25 over passages.

Pure numpy; built in memory from the passages' searchable text when a generation is opened (a
few hundred milliseconds for thousands of passages), so nothing extra is stored on disk. Words are
`qa.text.tokens.tokenize`'s, the same the sentence scorer reads. It does not fuse or filter: see
`qa.search.retrieval`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from qa.text.tokens import tokenize


class BM25:
    """Okapi BM25 over a fixed list of texts."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(texts)
        docs = [Counter(tokenize(text)) for text in texts]
        lengths = np.array([sum(doc.values()) for doc in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1.0 - b + b * lengths / max(avg, 1e-9))
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in doc.items():
                ids, weights = postings.setdefault(term, ([], []))
                ids.append(i)
                weights.append(tf * (k1 + 1.0) / (tf + norm[i]))
        self.idf: dict[str, float] = {}
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, weights) in postings.items():
            df = len(ids)
            self.idf[term] = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
            self._postings[term] = (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32))
        self.default_idf = math.log(1.0 + (self.size + 0.5) / 0.5) if self.size else 1.0

    def term_idf(self, term: str) -> float:
        return self.idf.get(term, self.default_idf)

    def scores(self, weighted_terms: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """BM25 score of every text; `weighted_terms` maps a token to its query weight."""
        terms = weighted_terms if isinstance(weighted_terms, Mapping) else Counter(weighted_terms)
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            posting = self._postings.get(term)
            if posting is not None:
                ids, weights = posting
                out[ids] += weight * self.idf[term] * weights
        return out
