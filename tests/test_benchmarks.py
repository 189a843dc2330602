"""The benchmark's own arithmetic, on hand-computed cases: gold lines by offsets, calibration, AUROC."""

import pytest

from benchmarks.calibration import auroc, expected_calibration_error, reliability_rows
from benchmarks.factbook import gold_line, shares_no_word
from benchmarks.factbook_questions import FIELDS, Field
from qa.text.documents import build_document
from qa.text.loaders import extract

PROFILE = (
    "# Alpha — CIA World Factbook country profile\n\n## People and Society\n\n### Population\n"
    "**total:** 1,234,567 (2024 est.)\n**male:** 600,000\n\n### Capital\n**name:** Alphaville\n"
    "note: named after itself\n\n### Climate\nnote: see below\ntemperate; wet winters\n"
    "\n## Environment\n\n### Climate\ntemperate; wet winters\n\n## Later\n\n### Capital\n**name:** Betaville\n"
)


def profile():  # type: ignore[no-untyped-def]
    from pathlib import Path

    data = PROFILE.encode()
    return build_document("al-alpha.md", data, extract(Path("al-alpha.md"), data), "md")


def test_the_gold_line_is_found_by_heading_and_label_with_exact_offsets() -> None:
    doc = profile()
    gold = gold_line(doc, "Population", "male")
    assert gold is not None and doc.text[gold.start : gold.end] == "**male:** 600,000" and gold.value == "600,000"
    total = gold_line(doc, "Population", "total")
    assert total is not None and total.value == "1,234,567"  # the closing "(2024 est.)" is no part of the value
    first = gold_line(doc, "Climate", None)  # the field's first line, notes skipped
    assert first is not None and doc.text[first.start : first.end] == "temperate; wet winters"
    assert gold_line(doc, "Population", "female") is None and gold_line(doc, "Area", None) is None
    # a field repeated word for word under another heading of its name is right there too; a different one is not
    (again,) = first.repeats
    assert again > (first.start, first.end) and doc.text[again[0] : again[1]] == "temperate; wet winters"
    assert first.overlaps(*again) and not first.overlaps(0, 5)
    capital = gold_line(doc, "Capital", "name")
    assert capital is not None and capital.value == "Alphaville" and capital.repeats == ()


def test_everyday_wordings_are_told_from_those_naming_the_field() -> None:
    field = Field("Population", "total", "number", ())
    assert shares_no_word("How many people live in {c}?", field)
    assert not shares_no_word("What is the population of {c}?", field)
    assert all("{c}" in w for f in FIELDS for w in f.wordings)


def test_calibration_error_by_hand() -> None:
    # bin [0.8, 0.9): two answers at 0.8, one right: |0.8 - 0.5| = 0.3, weight 2/4; bin [0.2, 0.3): two at 0.2,
    # both wrong: |0.2 - 0| = 0.2, weight 2/4 → 0.25
    points = [(0.8, True), (0.8, False), (0.2, False), (0.2, False)]
    assert expected_calibration_error(points) == pytest.approx(0.25)
    assert expected_calibration_error([(1.0, True), (0.0, False)]) == 0.0
    assert reliability_rows(points) == [(0.2, 0.2, 0.0, 2), (0.8, 0.8, 0.5, 2)]


def test_auroc_by_hand() -> None:
    assert auroc([(0.9, True), (0.1, False)]) == 1.0
    assert auroc([(0.1, True), (0.9, False)]) == 0.0
    assert auroc([(0.5, True), (0.5, False)]) == 0.5  # a tie counts half
    # right at 0.9 and 0.4, wrong at 0.6 and 0.1: 3 of the 4 pairs ordered right
    assert auroc([(0.9, True), (0.4, True), (0.6, False), (0.1, False)]) == 0.75
    assert auroc([(0.3, True)]) is None


def test_the_calibration_map_rises_through_the_middle_of_each_pooled_block() -> None:
    import numpy as np

    from benchmarks.tune import fit_calibration

    raw = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9])
    right = np.array([0, 0, 1, 0, 1, 1, 0, 1], dtype=float)
    xs, ys = fit_calibration(raw, right)
    assert xs == sorted(xs) and len(set(xs)) == len(xs) and ys == sorted(ys)
    # the lowest pair was never right and the highest always, yet no confidence is shown as hopeless or certain
    assert 0.0 < ys[0] < 0.5 < ys[-1] < 1.0


def test_the_threshold_refuses_all_it_can_while_answering_the_target_shares() -> None:
    import numpy as np

    from benchmarks.tune import fit_threshold

    # ten answerable SQuAD rows at 0.1 … 1.0: answering 90% allows a threshold of 0.2, not 0.3
    kept = [{"source": "squad", "answerable": True}] * 10 + [{"source": "squad", "answerable": False}]
    calibrated = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.25])
    assert fit_threshold(calibrated, kept, min_questions=10) == 0.2
    # a source with fewer answerable questions than that sets nothing: every threshold answers "enough"
    assert fit_threshold(calibrated, kept, min_questions=11) == 1.0


def test_a_short_answer_with_another_number_is_wrong_though_it_shares_the_unit() -> None:
    from benchmarks.factbook import Asked, Gold, Scored
    from qa.records import Answer

    gold = Gold("x.md", 0, 10, "29.4 years")
    asked = Asked("tune", "X", FIELDS[0], 0, "q", gold)

    def scored(short: str) -> Scored:
        return Scored(asked, Answer(question="q", text="", abstained=False, confidence=0.5, short_answer=short))

    assert not scored("29.3 years").short_right  # F1 0.5 on "years" alone
    assert scored("29.4 years").short_right and scored("29.4").short_right
