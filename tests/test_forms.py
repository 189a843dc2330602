"""The answer-form models: a question whose grammar leaves its kind open takes the form a fitted model reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.answering.readings import CUES, READINGS_FILE, FormReader, ReadingModel, ReadingsFile, forms_from
from qa.assistant import Assistant
from qa.errors import WeightsError
from qa.index.sync import sync_index


def cue_model(cue: str, dimension: int) -> ReadingModel:
    """A model that fires on one grammar cue alone (the embedding ignored)."""
    weights = np.zeros(dimension + len(CUES), dtype=np.float32)
    weights[dimension + CUES.index(cue)] = 10.0
    return ReadingModel(weights, -5.0, 0.5)


def test_a_form_is_read_when_its_probability_reaches_its_threshold() -> None:
    reader = FormReader({"quantity": cue_model("first_what", 4), "list": cue_model("first_which", 4)})
    vector = np.zeros(4, dtype=np.float32)
    assert reader.forms("What is the population of Peru?", vector) == {"quantity"}
    assert reader.forms("Which goods does Peru sell?", vector) == {"list"}
    assert reader.forms("Who leads Peru?", vector) == frozenset()


def test_a_readings_file_without_the_forms_is_refused_by_name() -> None:
    data = ReadingsFile.model_validate(json.loads(READINGS_FILE.read_text(encoding="utf-8")))
    assert set(forms_from(data)) == {"quantity", "list"}  # the shipped file has them
    with pytest.raises(WeightsError, match="answer forms"):
        forms_from(data.model_copy(update={"forms": {}}))


class Quantities:
    """A fake of the fitted form models: every question asks for a quantity."""

    def forms(self, text: str, vector: np.ndarray) -> frozenset[str]:
        return frozenset({"quantity"})


def test_the_assistant_reads_a_questions_kind_with_its_form_models(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "peru.md").write_text("# Peru\n\nPeru has 34 million people. Its capital is Lima.\n", encoding="utf-8")
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake)
    assert assistant.forms is None  # the hashing embedder: no model was fitted on its vectors
    assert assistant.search("What is the population of Peru?").question.kind == "what"
    assistant.forms = Quantities()
    assert assistant.search("What is the population of Peru?").question.kind == "how_many"
    assert assistant.search("Who leads Peru?").question.kind == "who"  # the grammar's kind stands
    assert assistant.context().forms is assistant.forms
    assert assistant.ask("What is the population of Peru?").question_type == "how_many"


@pytest.mark.parametrize(
    ("question", "said", "scope"),
    [
        ("What did the updates say in 2025 about wheat?", 1.0, 0.0),
        ("As reported in March 2024, who led the talks?", 1.0, 0.0),
        ("What did Russia export in 2024?", 0.0, 0.0),
        ("What did the briefing say about wheat?", 0.0, 0.0),
        ("As of 2025, who is the foreign minister?", 0.0, 1.0),
    ],
)
def test_a_date_with_a_verb_of_saying_and_a_date_scope_are_cues(question: str, said: float, scope: float) -> None:
    from qa.answering.readings import cue_features

    cues = dict(zip(CUES, cue_features(question, has_history=False).tolist(), strict=True))
    assert (cues["date_said"], cues["date_scope"]) == (said, scope)
