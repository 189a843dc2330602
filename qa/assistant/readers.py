"""Who reads a question's kind: the fitted reading models (`qa.answering.readings`), or, for an embedding
model they were not fitted on, a reader that reads every question as plain (and says why, once).

A reader is a collaborator of the Assistant: tests pass a deterministic one; the served app uses the fitted
models. It reads the question's text and its vector; it embeds nothing itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.answering.readings import FormReader, Reading, ReadingModel, default_readings, read

log = logging.getLogger(__name__)


class QuestionReader(Protocol):
    def read(self, text: str, vector: np.ndarray, has_history: bool) -> Reading: ...


@dataclass(frozen=True)
class FittedReader:
    models: dict[str, ReadingModel]

    def read(self, text: str, vector: np.ndarray, has_history: bool) -> Reading:
        return read(self.models, vector, text, has_history)


class PlainReader:
    """Reads every question as a plain one (no change, as-of, comparison or follow-up mode)."""

    def read(self, text: str, vector: np.ndarray, has_history: bool) -> Reading:
        return Reading("plain", 1.0, {})


def default_reader(model_id: str) -> QuestionReader:
    """The fitted models when they were fitted on `model_id`'s vectors; else every question is read as plain."""
    fitted = default_readings()
    fitted_for = fitted.model
    if fitted_for == model_id:
        return FittedReader(fitted.models)
    log.warning(
        "The reading models were fitted on '%s', not on '%s': every question is read as a plain one. "
        "Fit them for this model with `python -m benchmarks.tune --readings`.",
        fitted_for,
        model_id,
    )
    return PlainReader()


def default_forms(model_id: str) -> FormReader | None:
    """The fitted answer-form models when they were fitted on `model_id`'s vectors (else None: a question's kind is
    read from its grammar alone)."""
    fitted = default_readings()
    return fitted.forms if fitted.model == model_id and fitted.forms.models else None
