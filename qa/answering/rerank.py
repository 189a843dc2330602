"""The passage re-ranker: re-order the fused passages by what their sentences say.

Pure. Each of the top fused passages gets the named `PASSAGE_FEATURES` (its retrieval scores, its
best sentences, its document's support); a linear score over them goes through a softmax over the
candidates. It does not score sentences: see `model`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qa.answering.features import CorpusView, Scored
from qa.answering.matching import mean_best
from qa.answering.weights import PASSAGE_FEATURES, Weights
from qa.records import Hit


def passage_features(view: CorpusView, hits: Sequence[Hit], features: Sequence[Scored]) -> list[dict[str, float]]:
    """The `PASSAGE_FEATURES` of each hit, by name: its retrieval scores, its best sentences, its document's support."""
    if not hits:
        return []
    by_pid: dict[int, list[Scored]] = {}
    for item in features:
        by_pid.setdefault(item.hit.pid, []).append(item)
    best_fused = hits[0].score or 1.0
    best_lexical = max(h.lexical for h in hits) or 1.0
    doc_count: dict[int, int] = {}
    doc_mass: dict[int, float] = {}
    for hit in hits:
        doc = view.passages[hit.pid].doc
        doc_count[doc] = doc_count.get(doc, 0) + 1
        doc_mass[doc] = doc_mass.get(doc, 0.0) + hit.score / best_fused
    total_mass = sum(doc_mass.values()) or 1.0
    rows: list[dict[str, float]] = []
    for i, hit in enumerate(hits):
        items = by_pid.get(hit.pid, [])
        overlaps = sorted((s.overlap for s in items), reverse=True) or [0.0]
        doc = view.passages[hit.pid].doc
        rows.append(
            {
                "fused": hit.score / best_fused,
                "inverse_rank": 1.0 / (i + 1),
                "dense": hit.dense,
                "lexical": hit.lexical / best_lexical,
                "best_cosine": max((s.cosine for s in items), default=0.0),
                "best_overlap": overlaps[0],
                "best_paragraph_overlap": max((s.paragraph_overlap for s in items), default=0.0),
                "names": max((s.names_found for s in items), default=0.0),
                "answer_type": 1.0 if any(s.phrase for s in items) else 0.0,
                "sentences": float(len(items)),
                "document_share": doc_count[doc] / len(hits),
                "document_mass": doc_mass[doc] / total_mass,
                "second_overlap": overlaps[1] if len(overlaps) > 1 else 0.0,
                "word_match": mean_best([s.word_bests for s in items]),
                "heading": max((s.heading for s in items), default=0.0),
                "about": max((s.about for s in items), default=0.0),
                "field_match": max((s.field_match for s in items), default=0.0),
            }
        )
    return rows


def rerank(view: CorpusView, hits: Sequence[Hit], features: Sequence[Scored], weights: Weights) -> list[Hit]:
    """The hits re-ordered by the re-ranker; each one's new score is the share of the probability
    that it is the passage holding the answer (a softmax over the candidates)."""
    if not weights.rerank_weights or not hits:
        return list(hits)
    logits = [
        sum(weights.rerank_weights[name] * row[name] for name in PASSAGE_FEATURES)
        for row in passage_features(view, hits, features)
    ]
    top = max(logits)
    weights_exp = [math.exp(z - top) for z in logits]
    total = sum(weights_exp)
    scores = [w / total for w in weights_exp]
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
    return [hits[i].model_copy(update={"score": scores[i], "rank": rank}) for rank, i in enumerate(order)]
