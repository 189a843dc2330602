"""The bold short answer's model (`qa.answering.bold`): its derived signals, its file, its thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answering.bold import BASE_FEATURES, BOLD_FILE, FEATURES, BoldModel, load_bold, with_derived
from qa.errors import WeightsError


def base(kind: str, digit: bool = False, capitalised: bool = False, profile: bool = False) -> dict[str, float]:
    values = dict.fromkeys(BASE_FEATURES, 0.0)
    values.update(
        {f"kind_{kind}": 1.0, "digit": float(digit), "capitalised": float(capitalised), "profile": float(profile)}
    )
    values.update({"confidence": 0.7, "overlap": 0.4, "words": 0.3, "repeats_question": 0.5})
    return values


@pytest.mark.parametrize(
    ("kind", "digit", "capitalised", "match"),
    [
        ("how_many", True, False, 1.0),
        ("when", True, True, 1.0),
        ("how_many", False, True, 0.0),
        ("who", False, True, 1.0),
        ("where", False, True, 1.0),
        ("who", True, True, 0.0),  # a name asked, a number given
        ("who", False, False, 0.0),
        ("what", True, True, 0.0),  # an open kind: no type to match
    ],
)
def test_the_phrase_type_is_matched_against_the_kind_asked(
    kind: str, digit: bool, capitalised: bool, match: float
) -> None:
    assert with_derived(base(kind, digit, capitalised))["type_match"] == match


def test_prose_signals_are_their_namesakes_in_prose_and_zero_on_a_profiles_line() -> None:
    prose = with_derived(base("how_many", digit=True))
    line = with_derived(base("how_many", digit=True, profile=True))
    assert list(prose) == list(FEATURES)
    assert (prose["prose_confidence"], prose["prose_overlap"], prose["prose_type_match"]) == (0.7, 0.4, 1.0)
    assert all(line[name] == 0.0 for name in FEATURES if name.startswith("prose_"))
    assert line["type_match"] == 1.0


def test_each_kind_of_phrase_has_its_own_threshold() -> None:
    model = BoldModel(dict.fromkeys(FEATURES, 0.0) | {"confidence": 4.0}, -2.0, threshold=0.8, profile_threshold=0.6)
    prose, line = with_derived(base("who")), with_derived(base("who", profile=True))
    assert (model.threshold_for(prose), model.threshold_for(line)) == (0.8, 0.6)
    higher = with_derived({**base("who"), "confidence": 0.9})
    assert model.probability(higher) > model.probability(prose)


def test_the_shipped_model_reads_and_a_file_of_other_features_is_refused(tmp_path: Path) -> None:
    model, fitted_for = load_bold()
    assert set(model.weights) == set(FEATURES) and fitted_for
    data = json.loads(BOLD_FILE.read_text(encoding="utf-8"))
    del data["weights"]["type_match"]
    broken = tmp_path / "bold.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WeightsError, match=r"missing \['type_match'\].*tune --bold"):
        load_bold(broken)


def test_a_number_the_question_names_and_the_quote_lacks_is_a_signal_the_model_weighs_against_bold() -> None:
    from qa.answering.bold import bold_features, load_bold
    from qa.answering.features import Scored
    from qa.answering.questions import analyse
    from qa.records import Hit

    first = Scored(
        sid=0, score=1.0, cosine=0.8, overlap=0.5, passage_score=1.0, phrase=(0, 10), hit=Hit(pid=0, score=1.0)
    )
    question = analyse("What was the population of Australia in 2025?")
    assert bold_features(question, first, "27,812,400", 0.9)["numbers_missing"] == 0.0
    missing = first.__class__(**{**first.__dict__, "missing_numbers": ("2025",)})
    assert bold_features(question, missing, "27,812,400", 0.9)["numbers_missing"] == 1.0
    model, _ = load_bold()
    assert model.weights["numbers_missing"] < 0  # fitted on tune data: such a phrase is less often right
