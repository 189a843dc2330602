"""The answering weights: read from the versioned `weights.json` beside this module.

`benchmarks/tune.py` fits every group (the sentence score, the passage re-ranker, the confidence
model, its calibration and the abstention threshold) on the tune splits (SQuAD's and the Factbook's);
a hand-set weight, where no data could teach one, sits in the same file with a note of what it
was set on and the command that shows its ablation.
The same file lists every named constant of answering (`hand_set_constants`: thresholds, word counts,
costs) with its value and why it is set by hand. The file is checked on load: every feature named once, no
unknown name, every constant listed with the code's value, the format version this code reads. This module does not score anything: see `model` and `rerank`.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import WeightsError

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
FORMAT_VERSION = 2

SELECTION_FEATURES = (
    "cosine", "overlap", "passage", "answer_type", "heading", "passage_dense", "names", "passage_lexical",
    "context_overlap", "word_match", "field_first", "list_field", "label", "about", "field_match", "field_margin",
    "field_best",
)  # fmt: skip
PASSAGE_FEATURES = (
    "fused", "inverse_rank", "dense", "lexical", "best_cosine", "best_overlap", "best_paragraph_overlap",
    "names", "answer_type", "sentences", "document_share", "document_mass", "second_overlap", "word_match",
    "heading", "about", "field_match",
)  # fmt: skip
CONFIDENCE_FEATURES = (
    "score", "margin", "cosine", "overlap", "paragraph_overlap", "names", "passage_dense", "answer_type",
    "missing_term", "passage_share", "negation_mismatch", "number_mismatch", "opposite_mismatch",
    "field_mismatch", "partner_only", "label", "field_match", "about", "kind_missing", "profile", "profile_about",
    "field_margin", "field_best", "corpus_coverage", "doc_coverage",
)  # fmt: skip
# Sentence-score weights no data here can teach, set by hand and listed in the file with a note each: none now.
HAND_SET: tuple[str, ...] = ()
ANSWERING = Path(__file__).parent  # the modules whose named constants the file must list (`hand_set_constants`)


def hand_set_constants(folder: Path = ANSWERING) -> dict[str, float]:
    """Every named numeric constant of answering ("phrases.TITLE_DISTANCE": 30): each module-level upper-case
    name bound to a number, in the modules beside this one. `weights.json` lists each under `hand_set` with why
    it is set by hand, or `benchmarks/tune.py` fits it; a constant in neither fails the check on load."""
    found: dict[str, float] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            elif isinstance(node, ast.Assign):
                targets = node.targets
            target = targets[0] if len(targets) == 1 else None
            value = getattr(node, "value", None)
            if not isinstance(target, ast.Name) or not target.id.lstrip("_").isupper() or value is None:
                continue
            if target.id == "FORMAT_VERSION":  # a file format's version decides nothing
                continue
            try:
                number = ast.literal_eval(value)
            except ValueError:
                continue
            if isinstance(number, int | float) and not isinstance(number, bool):
                found[f"{path.stem}.{target.id}"] = number
    return found


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic confidence (by `CONFIDENCE_FEATURES` name) and its calibration map, for one kind of document."""

    weights: Mapping[str, float]
    bias: float
    calibration: tuple[tuple[float, float], ...] = ()
    abstain_below: float | None = None  # its own threshold (calibrated); None: the weights' `abstain_below`


@dataclass(frozen=True)
class Weights:
    """The sentence score, the passage re-ranker and the logistic confidence (mappings by feature name),
    the confidence's calibration map and the abstention threshold (in calibrated confidence)."""

    selection_weights: Mapping[str, float]  # by `SELECTION_FEATURES` name
    rerank_weights: Mapping[str, float]  # by `PASSAGE_FEATURES` name; empty: keep the fused order (its ablation)
    confidence_weights: Mapping[str, float]  # by `CONFIDENCE_FEATURES` name
    confidence_bias: float
    abstain_below: float
    # the logistic output → the share of such answers that were right on the tune splits (isotonic, as knots
    # for linear interpolation); empty: the logistic output as it is
    calibration: tuple[tuple[float, float], ...] = ()
    # the confidence when the first quote is a line of a field profile (fitted on those alone); None: as above
    profile_confidence: ConfidenceModel | None = None

    @property
    def reads_words(self) -> bool:
        """Whether the word match counts anywhere: in the sentence score or in the re-ranker."""
        return bool(self.selection_weights.get("word_match") or self.rerank_weights.get("word_match"))

    @property
    def reads_fields(self) -> bool:
        """Whether the field match counts anywhere (it takes the model to embed field paths)."""
        groups = [self.selection_weights, self.rerank_weights, self.confidence_weights]
        if self.profile_confidence is not None:
            groups.append(self.profile_confidence.weights)
        return any(group.get("field_match") or group.get("field_margin") or group.get("field_best") for group in groups)

    def without(self, *names: str, groups: tuple[str, ...] = ("selection", "rerank", "confidence")) -> Weights:
        """These weights with the named features switched off in the given groups (their ablation)."""
        known = set(SELECTION_FEATURES) | set(PASSAGE_FEATURES) | set(CONFIDENCE_FEATURES)
        unknown = set(names) - known
        if unknown:
            raise ValueError(f"No feature named {sorted(unknown)}.")

        def off(weights: Mapping[str, float], group: str) -> dict[str, float]:
            return {n: 0.0 if group in groups and n in names else w for n, w in weights.items()}

        profile = self.profile_confidence
        return replace(
            self,
            selection_weights=off(self.selection_weights, "selection"),
            rerank_weights=off(self.rerank_weights, "rerank"),
            confidence_weights=off(self.confidence_weights, "confidence"),
            profile_confidence=None
            if profile is None
            else replace(profile, weights=off(profile.weights, "confidence")),
        )

    def without_word_match(self) -> Weights:
        """These weights with the word match out of the sentence score and the re-ranker (its ablation)."""
        return self.without("word_match", groups=("selection", "rerank"))

    def without_confidence(self, *names: str) -> Weights:
        """These weights with some confidence features switched off (their ablation)."""
        return self.without(*names, groups=("confidence",))


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


class _Calibration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    raw: list[float]
    calibrated: list[float]


class _ProfileConfidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bias: float
    weights: dict[str, float]
    calibration: _Calibration
    abstain_below: float | None = Field(default=None, ge=0.0, le=1.0)


class WeightsFile(BaseModel):
    """The on-disk form of `weights.json`."""

    model_config = ConfigDict(extra="forbid")
    format_version: Literal[2]
    fitted_on: str
    command: str
    selection: dict[str, float]
    rerank: dict[str, float]
    confidence: _Confidence
    calibration: _Calibration
    profile_confidence: _ProfileConfidence | None = None
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
            + ". Re-fit them with `python -m benchmarks.tune`, or restore the file from git."
        )


def _check_constants(listed: Mapping[str, float], path: Path) -> None:
    """The file lists every named constant of answering, each with the value the code holds."""
    code = hand_set_constants()
    missing = [n for n in code if n not in listed]
    unknown = [n for n in listed if n not in code]
    differ = [
        f"{n} ({listed[n]} in the file, {code[n]} in the code)" for n in code if n in listed and listed[n] != code[n]
    ]
    if missing or unknown or differ:
        raise WeightsError(
            f"'{path}': the hand-set constants do not match the code"
            + (f"; not listed: {missing}" if missing else "")
            + (f"; listed but gone: {unknown}" if unknown else "")
            + (f"; values differ: {differ}" if differ else "")
            + ". List each under hand_set with its value and why it is set by hand, or fit it in benchmarks/tune.py."
        )


def weights_from(data: WeightsFile, path: Path = WEIGHTS_FILE) -> Weights:
    """Check a parsed weights file against the code's feature names and constants and build the `Weights`. A
    hand-set entry named "module.NAME" is a constant of answering; any other, a sentence-score weight."""
    _check_constants({n: h.value for n, h in data.hand_set.items() if "." in n}, path)
    hand_set = {n: h.value for n, h in data.hand_set.items() if "." not in n}
    _same_names("hand-set", hand_set, HAND_SET, path)
    _same_names("sentence-score", {**data.selection, **hand_set}, SELECTION_FEATURES, path)
    _same_names("re-ranker", data.rerank, PASSAGE_FEATURES, path)
    _same_names("confidence", data.confidence.weights, CONFIDENCE_FEATURES, path)
    for knots in (data.calibration, *([data.profile_confidence.calibration] if data.profile_confidence else [])):
        if (
            len(knots.raw) != len(knots.calibrated)
            or knots.raw != sorted(knots.raw)
            or knots.calibrated != sorted(knots.calibrated)
        ):
            raise WeightsError(
                f"'{path}': the calibration map must be two lists of equal length, both increasing. "
                "Re-fit it with `python -m benchmarks.tune`."
            )
    profile = data.profile_confidence
    if profile is not None:
        _same_names("profile confidence", profile.weights, CONFIDENCE_FEATURES, path)
    selection = {**data.selection, **hand_set}
    return Weights(
        selection_weights={n: selection[n] for n in SELECTION_FEATURES},
        rerank_weights={n: data.rerank[n] for n in PASSAGE_FEATURES},
        confidence_weights={n: data.confidence.weights[n] for n in CONFIDENCE_FEATURES},
        confidence_bias=data.confidence.bias,
        abstain_below=data.abstain_below,
        calibration=tuple(zip(data.calibration.raw, data.calibration.calibrated, strict=True)),
        profile_confidence=None
        if profile is None
        else ConfidenceModel(
            weights={n: profile.weights[n] for n in CONFIDENCE_FEATURES},
            bias=profile.bias,
            calibration=tuple(zip(profile.calibration.raw, profile.calibration.calibrated, strict=True)),
            abstain_below=profile.abstain_below,
        ),
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
            "Re-fit them with `python -m benchmarks.tune`, or use the file from the same commit as the code."
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
