"""The sentence score and the confidence model: weigh the named features with the fitted weights.

Pure. `rank_sentences` scores the candidate sentences of the re-ranked passages (a linear score
over `SELECTION_FEATURES`); `confidence` is a logistic model over the best sentence's
`CONFIDENCE_FEATURES`, calibrated on the tune splits. It does not pick quotes or write text: see
`evidence` and `compose`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa.answering.features import Scored
from qa.answering.weights import CONFIDENCE_FEATURES, SELECTION_FEATURES, ConfidenceModel, Weights
from qa.records import Hit

# the logistic's input is kept within ±LOGIT_BOUND (a numerical guard: exp() never overflows)
LOGIT_BOUND = 30.0


def rank_sentences(features: Sequence[Scored], hits: Sequence[Hit], top: int, weights: Weights) -> list[Scored]:
    """Score the sentences of the best `top` (re-ranked) hits, with the passage's score as a prior; best first."""
    chosen = {h.pid: h for h in hits[:top]}
    if not chosen:
        return []
    best = hits[0].score or 1.0
    selection = weights.selection_weights
    scored = []
    for item in features:
        hit = chosen.get(item.hit.pid)
        if hit is None:
            continue
        values = item.selection_features()
        values["passage"], values["passage_dense"] = hit.score / best, hit.dense  # as read against the re-ranked hit
        score = sum(selection[name] * values[name] for name in SELECTION_FEATURES)
        scored.append(replace(item, hit=hit, passage_score=values["passage"], score=score))
    scored.sort(key=lambda s: (-s.score, s.sid))
    return scored


def confidence_features(scored: Sequence[Scored]) -> dict[str, float]:
    """The `CONFIDENCE_FEATURES` of the best sentence, by name (its passage's score is the re-ranker's share)."""
    best = scored[0]
    score = best.score
    margin = score - scored[1].score if len(scored) > 1 else score
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
        "field_mismatch": float(best.field_mismatch),
        "partner_only": float(bool(best.partner_only)),
        "label": best.label,
        "field_match": best.field_match,
        "about": best.about,
        "kind_missing": float(bool(best.kind_missing)),
        "profile": float(best.profile),  # a line of a field profile: its own baseline
        "profile_about": float(best.profile) * best.about,  # … whose title names what is asked
        "field_margin": best.field_margin,
        "field_best": float(best.field_best),
        "corpus_coverage": best.corpus_coverage,
        "doc_coverage": best.doc_coverage,
    }


def confidence_model(scored: Sequence[Scored], weights: Weights) -> ConfidenceModel:
    """The confidence model for the first quote's kind of document: a field profile's line, or prose."""
    if scored[0].profile and weights.profile_confidence is not None:
        return weights.profile_confidence
    return ConfidenceModel(weights.confidence_weights, weights.confidence_bias, weights.calibration)


def threshold(scored: Sequence[Scored], weights: Weights) -> float:
    """The confidence under which an answer is refused: the fitted threshold of the first quote's kind of document
    (a profile's line or prose), each chosen on the tune splits for the share of answerable questions it answers."""
    own = confidence_model(scored, weights).abstain_below
    return weights.abstain_below if own is None else own


def raw_confidence(scored: Sequence[Scored], weights: Weights) -> float:
    """The logistic model of "the first quote answers the question", before calibration."""
    model = confidence_model(scored, weights)
    features = confidence_features(scored)
    z = model.bias + sum(model.weights[name] * features[name] for name in CONFIDENCE_FEATURES)
    z = max(-LOGIT_BOUND, min(LOGIT_BOUND, z))
    return 1.0 / (1.0 + math.exp(-z))


def calibrate(raw: float, knots: Sequence[tuple[float, float]]) -> float:
    """The share of answers at this raw confidence that were right on the tune splits (linear between knots)."""
    if not knots:
        return raw
    xs = [x for x, _ in knots]
    ys = [y for _, y in knots]
    return float(np.interp(raw, xs, ys))


def confidence(scored: Sequence[Scored], weights: Weights) -> float:
    """How likely the first quote answers the question, in 0..1: calibrated, so that answers shown at
    0.8 were right about 80% of the time on the tune splits. A quote with no date cannot say when, nor one
    with no quantity how many: its confidence is 0, so it is refused at any threshold."""
    if scored[0].kind_missing:
        return 0.0
    return round(calibrate(raw_confidence(scored, weights), confidence_model(scored, weights).calibration), 4)


def sentence_confidence(scored: Sequence[Scored], index: int, weights: Weights) -> float:
    """The confidence as if sentence `index` were the answer: what a citation's score shows (0..1)."""
    others = [s for i, s in enumerate(scored) if i != index]
    return confidence([scored[index], *others[:1]], weights)
