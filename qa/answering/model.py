"""The sentence score and the confidence model: weigh the named features with the fitted weights.

Pure. `rank_sentences` scores the candidate sentences of the re-ranked passages (a linear score
over `SELECTION_FEATURES` plus the hand-set bonuses); `confidence` is a logistic model over the
best sentence's `CONFIDENCE_FEATURES`, less the hand-set penalties. It does not pick quotes or
write text: see `evidence` and `compose`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from qa.answering.features import Scored
from qa.answering.weights import CONFIDENCE_FEATURES, SELECTION_FEATURES, Weights
from qa.records import Hit


def rank_sentences(features: Sequence[Scored], hits: Sequence[Hit], top: int, weights: Weights) -> list[Scored]:
    """Score the sentences of the best `top` (re-ranked) hits, with the passage's score as a prior; best first."""
    chosen = {h.pid: h for h in hits[:top]}
    if not chosen:
        return []
    best = hits[0].score or 1.0
    selection = weights.selection()
    scored = []
    for item in features:
        hit = chosen.get(item.hit.pid)
        if hit is None:
            continue
        item = replace(item, hit=hit, passage_score=hit.score / best)
        values = item.selection_features()
        score = sum(selection[name] * values[name] for name in SELECTION_FEATURES)
        added = (
            weights.field_first * item.field_first
            + weights.list_field * item.list_field
            + weights.label_match * item.label
        )
        score += added - weights.off_subject_penalty * item.off_subject
        scored.append(replace(item, score=score, bonus=added + weights.heading * item.heading))
    scored.sort(key=lambda s: (-s.score, s.sid))
    return scored


def confidence_features(scored: Sequence[Scored]) -> dict[str, float]:
    """The `CONFIDENCE_FEATURES` of the best sentence, by name (its passage's score is the re-ranker's share)."""
    best = scored[0]
    score = best.score - best.bonus
    margin = score - (scored[1].score - scored[1].bonus) if len(scored) > 1 else score
    return {
        "score": score,
        "margin": margin,
        "cosine": best.cosine,
        "overlap": best.overlap,
        "paragraph_overlap": best.paragraph_overlap,
        "names": best.names_found,
        "passage_dense": best.hit.dense,
        "answer_type": 1.0 if best.phrase else 0.0,
        "missing_term": best.missing_term,
        "passage_share": best.hit.score,
        "negation_mismatch": float(best.negation_mismatch),
        "number_mismatch": float(best.number_mismatch),
        "opposite_mismatch": float(best.opposite is not None),
    }


def confidence(scored: Sequence[Scored], weights: Weights) -> float:
    """A logistic model of "the first quote answers the question", in 0..1."""
    features = confidence_features(scored)
    z = weights.confidence_bias + sum(weights.confidence_weights[name] * features[name] for name in CONFIDENCE_FEATURES)
    z -= weights.missing_name_penalty * (1.0 - scored[0].names_found)
    z -= weights.field_mismatch_penalty * scored[0].field_mismatch
    z -= weights.partner_penalty * bool(scored[0].partner_only)
    z += weights.label_confidence * scored[0].label
    z = max(-30.0, min(30.0, z))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def sentence_confidence(scored: Sequence[Scored], index: int, weights: Weights) -> float:
    """The confidence as if sentence `index` were the answer: what a citation's score shows (0..1)."""
    others = [s for i, s in enumerate(scored) if i != index]
    return confidence([scored[index], *others[:1]], weights)
