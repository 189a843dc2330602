"""The answering weights: read from the versioned `weights.json` beside this module.

`benchmarks/tune.py` writes the fitted groups (the sentence score, the passage re-ranker, the
confidence model and the abstention threshold) on the SQuAD tune split; the hand-set weights sit
in the same file, each with a note of what it was set on and the command that shows its ablation.
The file is checked on load: every feature named once, no unknown name, the format version this
code reads. This module does not score anything: see `model` and `rerank`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from qa.errors import WeightsError

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
FORMAT_VERSION = 1

SELECTION_FEATURES = (
    "cosine", "overlap", "passage", "answer_type", "heading", "passage_dense", "names", "passage_lexical",
    "context_overlap", "word_match",
)  # fmt: skip
PASSAGE_FEATURES = (
    "fused", "inverse_rank", "dense", "lexical", "best_cosine", "best_overlap", "best_paragraph_overlap",
    "names", "answer_type", "sentences", "document_share", "document_mass", "second_overlap", "word_match",
)  # fmt: skip
CONFIDENCE_FEATURES = (
    "score", "margin", "cosine", "overlap", "paragraph_overlap", "names", "passage_dense", "answer_type",
    "missing_term", "passage_share", "negation_mismatch", "number_mismatch", "opposite_mismatch",
)  # fmt: skip
# Weights no data here can teach (SQuAD has no headings, labels or profiles): set by hand, listed in the file.
HAND_SET = (
    "heading", "heading_passage", "field_first", "list_field", "label_match", "off_subject_penalty",
    "missing_name_penalty", "field_mismatch_penalty", "partner_penalty", "label_confidence",
)  # fmt: skip


@dataclass(frozen=True)
class Weights:
    """The sentence score (one weight per `SELECTION_FEATURES` name), the passage re-ranker and the
    logistic confidence (mappings by feature name), the abstention threshold and the hand-set weights."""

    # the sentence score
    cosine: float
    overlap: float
    passage: float
    answer_type: float
    heading: float
    passage_dense: float
    names: float
    passage_lexical: float
    context_overlap: float
    word_match: float
    # the passage re-ranker, by `PASSAGE_FEATURES` name; empty: keep the fused order (its ablation)
    rerank_weights: Mapping[str, float]
    # the confidence model, by `CONFIDENCE_FEATURES` name
    confidence_weights: Mapping[str, float]
    confidence_bias: float
    abstain_below: float
    # hand-set (see the notes in weights.json)
    heading_passage: float
    field_first: float
    list_field: float
    label_match: float
    off_subject_penalty: float
    missing_name_penalty: float
    field_mismatch_penalty: float
    partner_penalty: float
    label_confidence: float

    def selection(self) -> dict[str, float]:
        """The sentence score's weights, by `SELECTION_FEATURES` name."""
        return {name: getattr(self, name) for name in SELECTION_FEATURES}

    @property
    def reads_words(self) -> bool:
        """Whether the word match counts anywhere: in the sentence score or in the re-ranker."""
        return bool(self.word_match or self.rerank_weights.get("word_match", 0.0))

    def without_word_match(self) -> Weights:
        """These weights with the word match out of the sentence score and the re-ranker (its ablation)."""
        rerank = {name: 0.0 if name == "word_match" else c for name, c in self.rerank_weights.items()}
        return replace(self, word_match=0.0, rerank_weights=rerank)

    def without_confidence(self, *names: str) -> Weights:
        """These weights with some confidence features switched off (their ablation)."""
        unknown = set(names) - set(CONFIDENCE_FEATURES)
        if unknown:
            raise ValueError(f"No confidence feature named {sorted(unknown)}; the names are {CONFIDENCE_FEATURES}.")
        return replace(
            self, confidence_weights={n: 0.0 if n in names else c for n, c in self.confidence_weights.items()}
        )


class _HandSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    used_in: str
    comment: str
    ablation: str


class _Confidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bias: float
    weights: dict[str, float]


class WeightsFile(BaseModel):
    """The on-disk form of `weights.json`."""

    model_config = ConfigDict(extra="forbid")
    format_version: Literal[1]
    fitted_on: str
    command: str
    selection: dict[str, float]
    rerank: dict[str, float]
    confidence: _Confidence
    abstain_below: float
    hand_set: dict[str, _HandSet]


def _same_names(group: str, found: Mapping[str, float], expected: tuple[str, ...], path: Path) -> None:
    missing = [n for n in expected if n not in found]
    unknown = [n for n in found if n not in expected]
    if missing or unknown:
        raise WeightsError(
            f"'{path}': the {group} weights do not match the code's features"
            + (f"; missing {missing}" if missing else "")
            + (f"; unknown {unknown}" if unknown else "")
            + ". Re-fit them with `python benchmarks/tune.py`, or restore the file from git."
        )


def weights_from(data: WeightsFile, path: Path = WEIGHTS_FILE) -> Weights:
    """Check a parsed weights file against the code's feature names and build the `Weights`."""
    fitted_selection = tuple(n for n in SELECTION_FEATURES if n not in HAND_SET)
    _same_names("sentence-score", data.selection, fitted_selection, path)
    _same_names("re-ranker", data.rerank, PASSAGE_FEATURES, path)
    _same_names("confidence", data.confidence.weights, CONFIDENCE_FEATURES, path)
    _same_names("hand-set", {n: h.value for n, h in data.hand_set.items()}, HAND_SET, path)
    return Weights(
        **data.selection,
        **{name: item.value for name, item in data.hand_set.items()},
        rerank_weights={n: data.rerank[n] for n in PASSAGE_FEATURES},
        confidence_weights={n: data.confidence.weights[n] for n in CONFIDENCE_FEATURES},
        confidence_bias=data.confidence.bias,
        abstain_below=data.abstain_below,
    )


def read_weights_file(path: Path = WEIGHTS_FILE) -> WeightsFile:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WeightsError(f"Cannot read the answering weights '{path}': {exc}. Restore it from git.") from exc
    version = raw.get("format_version") if isinstance(raw, dict) else None
    if version != FORMAT_VERSION:
        raise WeightsError(
            f"'{path}' has weights format version {version!r}; this code reads version {FORMAT_VERSION}. "
            "Re-fit them with `python benchmarks/tune.py`, or use the file from the same commit as the code."
        )
    try:
        return WeightsFile.model_validate(raw)
    except ValidationError as exc:
        raise WeightsError(f"'{path}' is not a valid weights file: {exc}") from exc


def load_weights(path: Path | str = WEIGHTS_FILE) -> Weights:
    """The weights in `path` (default: the shipped `weights.json`), checked against the code."""
    return weights_from(read_weights_file(Path(path)), Path(path))


@lru_cache(maxsize=1)
def default_weights() -> Weights:
    """The shipped weights, read once per process."""
    return load_weights()
