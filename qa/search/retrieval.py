"""Find the passages for a question: dense (FAISS inner product) and BM25, fused by reciprocal rank.

Filters (documents, date range) restrict both searches before ranking, so a filter that matches
nothing returns nothing. FAISS pads missing results with id -1; those are dropped, never used as
an index. This module does not pick sentences or compose answers: see `answering`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import faiss
import numpy as np

from qa.index.lexical import Lexical
from qa.records import Filters, Hit, Scope


@lru_cache(maxsize=4096)
def date_bounds(date: str) -> tuple[str, str]:
    """The first and last day an ISO date of any precision covers."""
    parts = date.split("-")
    year = parts[0]
    month_lo, month_hi = (parts[1], parts[1]) if len(parts) > 1 else ("01", "12")
    day_lo, day_hi = (parts[2], parts[2]) if len(parts) > 2 else ("01", "31")
    return f"{year}-{month_lo}-{day_lo}", f"{year}-{month_hi}-{day_hi}"


class Dated(Protocol):
    """What a filter reads of a document: its id and date (a `Document` or a `DocumentInfo`)."""

    @property
    def doc_id(self) -> str: ...
    @property
    def date(self) -> str | None: ...


def document_matches(document: Dated, filters: Filters) -> bool:
    if filters.doc_ids and document.doc_id not in filters.doc_ids:
        return False
    if filters.date_from is None and filters.date_to is None:
        return True
    if document.date is None:
        return False
    lo, hi = date_bounds(document.date)
    if filters.date_from is not None and hi < date_bounds(filters.date_from)[0]:
        return False
    return not (filters.date_to is not None and lo > date_bounds(filters.date_to)[1])


def describe_scope(documents: Sequence[Dated], filters: Filters) -> Scope:
    """How many of `documents` the filters let a question search, and the date span of those."""
    searched = [d for d in documents if document_matches(d, filters)]
    dates = sorted(d.date for d in searched if d.date)
    return Scope(
        searched=len(searched),
        total=len(documents),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        doc_ids=filters.doc_ids,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


def allowed_passages(documents: Sequence[Dated], passage_docs: np.ndarray, filters: Filters) -> np.ndarray:
    """The passages (by number) of the documents the filters keep; `passage_docs[i]` is passage i's document.
    One pass over the documents, none over the passages in Python."""
    keep = np.fromiter((document_matches(doc, filters) for doc in documents), dtype=bool, count=len(documents))
    if not len(passage_docs):
        return np.zeros(0, dtype=np.int64)
    keep = np.append(keep, False)  # a removed document's passages (document -1) are never kept
    return np.flatnonzero(keep[np.asarray(passage_docs, dtype=np.int64)]).astype(np.int64)


EXACT_WITHIN = 8_192  # a filter keeping at most this many passages of an inverted file: those are scored exactly
_BATCH_SELECTOR_UP_TO = 4_096  # a filter's passages as an id set up to this many; a bitmap over all above


def use_threads(count: int) -> None:
    """Threads FAISS searches with: one question's search is fastest on one (more only contend)."""
    faiss.omp_set_num_threads(count)


def dense_search(index: Any, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Top-k (passage id, cosine) from FAISS, restricted to `allowed` ids when given. A small allowed set is scored
    exactly (its vectors looked up by number); a large one is searched with a selector inside the index."""
    total = int(index.ntotal) if allowed is None else len(allowed)
    k = min(k, total)
    if k <= 0:
        return []
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    ivf = faiss.try_extract_index_ivf(index)
    if (
        allowed is not None
        and (ivf is not None or len(allowed) <= _BATCH_SELECTOR_UP_TO)
        and len(allowed) <= EXACT_WITHIN
    ):
        ids = np.asarray(allowed, dtype=np.int64)
        scores = index.reconstruct_batch(ids) @ query[0]
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(ids[i]), float(scores[i])) for i in top]
    params: Any = None
    keep: Any = None
    if allowed is not None:
        mask = np.zeros(int(index.ntotal), dtype=bool)
        mask[allowed] = True
        keep = np.packbits(mask, bitorder="little")  # referenced until the search is done
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(keep))
        if ivf is None:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        else:
            # the filter leaves a share of each list: probe more lists so as many allowed passages are seen
            probes = min(int(ivf.nlist), int(np.ceil(ivf.nprobe * len(mask) / max(len(allowed), 1))))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=probes)  # type: ignore[call-arg]
    scores, ids = index.search(query, k, params=params)
    del keep
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def segmented_search(
    parts: Sequence[tuple[int, Any]], query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """`dense_search` over an index of segments: `parts` are (first passage number, FAISS index) in order,
    `allowed` sorted passage numbers across them (None: all). Each segment's top k, merged by score."""
    found: list[tuple[int, float]] = []
    for offset, index in parts:
        size = int(index.ntotal)
        local = None
        if allowed is not None:
            lo, hi = np.searchsorted(allowed, [offset, offset + size])
            if hi == lo:
                continue
            if hi - lo < size:
                local = allowed[lo:hi] - offset
        found += [(offset + pid, score) for pid, score in dense_search(index, query, k, local)]
    found.sort(key=lambda hit: (-hit[1], hit[0]))
    return found[:k]


def lexical_search(
    bm25: Lexical, terms: Mapping[str, float], k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    scores = bm25.scores(terms)
    if allowed is not None:
        mask = np.full(len(scores), -np.inf, dtype=np.float32)
        mask[allowed] = scores[allowed]
        scores = mask
    found = np.flatnonzero(scores > 0)  # only passages holding a term can rank: the top k is chosen among them
    k = min(k, len(found))
    if k <= 0:
        return []
    top = found[np.argpartition(-scores[found], k - 1)[:k]] if k < len(found) else found
    top = top[np.lexsort((top, -scores[top]))]  # by score, ties by passage number
    return [(int(i), float(scores[i])) for i in top]


def fuse(
    dense: Sequence[tuple[int, float]],
    lexical: Sequence[tuple[int, float]],
    rrf_k: int = 60,
    dense_weight: float = 1.0,
    lexical_weight: float = 1.0,
) -> list[Hit]:
    """Weighted reciprocal-rank fusion; ties broken by dense score, then id."""
    fused: dict[int, float] = {}
    dense_score = dict(dense)
    lexical_score = dict(lexical)
    for weight, ranking in ((dense_weight, dense), (lexical_weight, lexical)):
        for rank, (pid, _) in enumerate(ranking):
            fused[pid] = fused.get(pid, 0.0) + weight / (rrf_k + rank + 1)
    order = sorted(fused, key=lambda pid: (-fused[pid], -dense_score.get(pid, -1.0), pid))
    return [
        Hit(
            pid=pid,
            score=fused[pid],
            dense=dense_score.get(pid, 0.0),
            lexical=lexical_score.get(pid, 0.0),
            rank=rank,
        )
        for rank, pid in enumerate(order)
    ]
