"""How a question is read: a plain question, or one asking what changed, what the briefings said as of a
date, a comparison of two sides, or a follow-up of the one before. Decided by fitted models, not word lists.

Each reading but "plain" is a logistic model over general signals of the question: its embedding by the
bundled model (the vector retrieval searches with), and a few grammar cues (its question word, a date, a
choice "A or B", a comparative, a pronoun, its length, whether a conversation came before). The weights and
each reading's threshold are fitted by `python -m benchmarks.tune --readings` on tune data only and shipped
in `readings.json` beside this module. A reading is taken when its probability reaches its threshold (the
likeliest one when several do); otherwise the question is plain.

Pure: it reads the text and the vector it is given; nothing is embedded or searched here. It does not find
which series, date or sides a question names: the routes parse those once a reading is taken.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from qa.answering.model import LOGIT_BOUND
from qa.errors import WeightsError

READINGS_FILE = Path(__file__).with_name("readings.json")
FORMAT_VERSION = 1
KINDS = ("change", "as_of", "comparison", "followup")  # "plain" is what none of them is
# the forms of answer a question may ask for beyond what its question word says ("What is the population of
# Peru?" asks for a quantity, "What does Mongolia export?" for a list): `qa.answering.questions.question_kind`
FORMS = ("quantity", "list")

_FIRST_WORDS = ("what", "which", "who", "when", "where", "how", "is", "are", "does", "do", "did", "has", "have")
_DATE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b", re.I
)
_CHOICE = re.compile(r"\b[A-ZÀ-Þ][\w'’.-]*(?:\s+[A-ZÀ-Þ][\w'’.-]*)*\s*,?\s+or\s+[A-ZÀ-Þ]")  # "Peru or Norway"
_COMPARATIVE = re.compile(
    r"\b(?:\w+er|more|less|fewer)\b\s+(?:than\b|[a-z]+\s+than\b)|\b(?:\w{3,}er|more|less|fewer)\b", re.I
)
# a date the question sets as its scope: "as of 2025", "as at March 2024", "at the end of 2025" (a grammar cue; the
# models weigh it)
_DATE_SCOPE = re.compile(
    rf"\b(?:as\s+(?:of|at)|at\s+the\s+(?:end|start)\s+of)"
    rf"\s+(?:(?:early|mid|late|the)[\s-]+)?(?:{_DATE.pattern})",
    re.I,
)
# a date with a verb of saying: "what did the updates say in 2025", "as reported in March 2024" (what was said by
# then, which the as-of reading answers; a grammar cue the models weigh)
_SAYING = re.compile(
    r"\b(?:say|says|said|state|states|stated|report|reports|reported|write|wrote|written|mention|mentions|mentioned"
    r"|describe|describes|described|note|notes|noted|claim|claims|claimed)\b",
    re.I,
)
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|there|that|this|those|these|he|she|his|her)\b", re.I)
_LEAD = re.compile(r"^\s*(?:and|what about|how about|and what about|and for|and in)\b", re.I)

SHORT_WORDS = 4  # the "short" cue: a question of at most this many words ("And Peru?")
WORDS_SCALE = 30  # the "words" cue: the word count over this (capped at 1)
CUES = (
    *(f"first_{w}" for w in _FIRST_WORDS),
    "first_other",
    "date",
    "date_scope",
    "date_said",
    "choice",
    "comparative",
    "pronoun",
    "lead",
    "short",
    "words",
    "history",
)


def cue_features(text: str, has_history: bool) -> np.ndarray:
    """The grammar cues of a question, in `CUES` order (0/1 flags, and the word count scaled)."""
    words = text.split()
    first = words[0].lower().strip("¿?¡!.,'’") if words else ""
    flags = [float(first == w) for w in _FIRST_WORDS]
    flags.append(float(first not in _FIRST_WORDS))
    flags += [
        float(bool(_DATE.search(text))),
        float(bool(_DATE_SCOPE.search(text))),
        float(bool(_DATE.search(text)) and bool(_SAYING.search(text))),
        float(bool(_CHOICE.search(text))),
        float(bool(_COMPARATIVE.search(text))),
        float(bool(_PRONOUN.search(text))),
        float(bool(_LEAD.search(text))),
        float(len(words) <= SHORT_WORDS),
        min(len(words), WORDS_SCALE) / WORDS_SCALE,
        float(has_history),
    ]
    return np.asarray(flags, dtype=np.float32)


def features(vector: np.ndarray, text: str, has_history: bool) -> np.ndarray:
    """What a reading model weighs: the question's embedding, then its cues."""
    return np.concatenate([np.asarray(vector, dtype=np.float32), cue_features(text, has_history)])


@dataclass(frozen=True)
class ReadingModel:
    weights: np.ndarray  # the embedding's dimension, then `CUES`
    bias: float
    threshold: float

    def probability(self, x: np.ndarray) -> float:
        z = float(np.dot(self.weights, x)) + self.bias
        z = max(-LOGIT_BOUND, min(LOGIT_BOUND, z))
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Reading:
    """How a question was read, the model's probability for it, and every reading's probability."""

    kind: str  # "plain" or one of `KINDS`
    confidence: float
    probabilities: dict[str, float]


def read(models: dict[str, ReadingModel], vector: np.ndarray, text: str, has_history: bool) -> Reading:
    """The reading of a question: the likeliest of those whose probability reaches their threshold, else plain
    (a follow-up only when a conversation came before). Its confidence is that probability; for plain, one less
    the highest probability of the others."""
    x = features(vector, text, has_history)
    probabilities = {kind: model.probability(x) for kind, model in models.items()}
    if not has_history:
        probabilities.pop("followup", None)
    taken = [(p, k) for k, p in probabilities.items() if p >= models[k].threshold]
    if taken:
        p, kind = max(taken)
        return Reading(kind, round(p, 4), probabilities)
    return Reading("plain", round(1.0 - max(probabilities.values(), default=0.0), 4), probabilities)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bias: float
    threshold: float
    cues: dict[str, float]
    embedding: list[float]


class ReadingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int
    fitted_on: str
    command: str
    model: str  # the embedding model whose vectors the weights read
    scores: dict[str, dict[str, float]] = {}  # the tune set's cross-validated precision and recall, for the record
    # a question is taken for another language than English when py3langid is at least this sure of it
    # (`qa.text.language`): the lowest value at which no English tune question is
    language_threshold: float = 0.95
    # … and English's own probability is under this: the lowest any English tune question has
    english_below: float = 0.0
    readings: dict[str, _Model]
    forms: dict[str, _Model] = {}  # the answer-form models (`FORMS`), over the same features


def models_from(data: ReadingsFile, path: Path = READINGS_FILE) -> dict[str, ReadingModel]:
    """Check a parsed readings file against the code's readings and cues, and build the models."""
    if data.format_version != FORMAT_VERSION:
        raise WeightsError(f"'{path}' is format version {data.format_version}; this code reads {FORMAT_VERSION}.")
    if set(data.readings) != set(KINDS):
        raise WeightsError(f"'{path}' has readings {sorted(data.readings)}; the code reads {sorted(KINDS)}.")
    return _built(data.readings, path)


def forms_from(data: ReadingsFile, path: Path = READINGS_FILE) -> dict[str, ReadingModel]:
    """Check a parsed readings file's answer-form models against the code's forms and cues, and build them."""
    if set(data.forms) != set(FORMS):
        raise WeightsError(
            f"'{path}' has answer forms {sorted(data.forms)}; the code reads {sorted(FORMS)}. "
            "Re-fit them with `python -m benchmarks.tune --readings`."
        )
    return _built(data.forms, path)


def _built(models: dict[str, _Model], path: Path) -> dict[str, ReadingModel]:
    built = {}
    for kind, model in models.items():
        if set(model.cues) != set(CUES):
            missing, unknown = sorted(set(CUES) - set(model.cues)), sorted(set(model.cues) - set(CUES))
            raise WeightsError(
                f"'{path}': the {kind} reading's cues do not match the code's (missing {missing}, unknown {unknown}). "
                "Re-fit them with `python -m benchmarks.tune --readings`."
            )
        weights = np.asarray([*model.embedding, *(model.cues[c] for c in CUES)], dtype=np.float32)
        built[kind] = ReadingModel(weights, model.bias, model.threshold)
    return built


@dataclass(frozen=True)
class FormReader:
    """The answer-form models: which forms a question asks for (each whose probability reaches its threshold)."""

    models: dict[str, ReadingModel]

    def forms(self, text: str, vector: np.ndarray) -> frozenset[str]:
        x = features(vector, text, False)
        return frozenset(form for form, model in self.models.items() if model.probability(x) >= model.threshold)


@dataclass(frozen=True)
class Fitted:
    """What `readings.json` holds: the models, the answer-form models, the embedding model they read, the
    language threshold."""

    models: dict[str, ReadingModel]
    model: str
    language_threshold: float
    english_below: float
    forms: FormReader = FormReader({})


def load_readings(path: Path = READINGS_FILE) -> Fitted:
    """The reading models and what they were fitted on; a clear error if the file is bad."""
    try:
        data = ReadingsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise WeightsError(f"Cannot read the reading models '{path}': {exc}. Restore it from git.") from exc
    return Fitted(
        models_from(data, path),
        data.model,
        data.language_threshold,
        data.english_below,
        FormReader(forms_from(data, path)),
    )


@lru_cache(maxsize=1)
def default_readings() -> Fitted:
    return load_readings()
