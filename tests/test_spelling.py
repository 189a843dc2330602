"""Names no briefing holds, and the closest one it does: pure, on hand-written texts."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.search.spelling import build_vocabulary, edit_distance, known, suggest, unknown_name_notes

TEXTS = [
    "Sergey Lavrov met Juan Ramon de la Fuente in Rio de Janeiro.",
    "LAVROV spoke; Lavrov later met the press. Mexico supplies coffee to Russia's ports.",
    "Kazakhstan and Côte d’Ivoire signed; the Saudi-Iranian talks stalled. Lavrova was not there.",
    "Chief of state: President Emmanuel MACRON; MACRON's office declined. Macron flew home.",
]
VOCABULARY = build_vocabulary(TEXTS)


def slow_distance(a: str, b: str) -> int:
    """The definition: fewest single-letter insertions, deletions, substitutions and adjacent swaps
    turning a into b (found by breadth-first search over every edit)."""
    letters = set(a + b)
    seen, frontier = {a}, {a}
    for distance in itertools.count():
        if b in frontier:
            return distance
        following = set()
        for word in frontier:
            for i in range(len(word) + 1):
                following.update(word[:i] + c + word[i:] for c in letters)
                if i < len(word):
                    following.add(word[:i] + word[i + 1 :])
                    following.update(word[:i] + c + word[i + 1 :] for c in letters)
                if i + 1 < len(word):
                    following.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        frontier = following - seen
        seen |= following
    raise AssertionError


@given(st.text("abc", max_size=5), st.text("abc", max_size=5))
def test_edit_distance_agrees_with_a_search_over_single_edits(a: str, b: str) -> None:
    assert edit_distance(a, b) == slow_distance(a, b)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Lavorv", "Lavrov"),  # two letters swapped
        ("Kazakstan", "Kazakhstan"),  # one dropped
        ("Kazahkstan", "Kazakhstan"),  # swapped, in a longer word
        ("Mexcio", "Mexico"),
        ("Macorn", "Macron"),  # the title-case form, not the headings' "MACRON"
        ("Lavrv", "Lavrov"),  # "Lavrova" is two edits away, "Lavrov" one
    ],
)
def test_a_close_typo_gets_the_corpus_name(typed: str, meant: str) -> None:
    assert suggest(typed, VOCABULARY) == meant


@pytest.mark.parametrize("word", ["Lavrov", "Russia's", "Cote", "Saudi-Iranian", "lavrov", "Fuente"])
def test_known_words_get_no_suggestion(word: str) -> None:
    assert known(word, VOCABULARY) and suggest(word, VOCABULARY) is None


@pytest.mark.parametrize("word", ["Lvrvx", "Belgium", "Mxc"])
def test_far_or_short_words_get_none(word: str) -> None:
    assert suggest(word, VOCABULARY) is None


def test_a_short_word_allows_one_edit_a_long_one_two() -> None:
    assert suggest("Mexoci", VOCABULARY) is None  # two edits from "Mexico", six letters
    assert suggest("Kazaksthan", VOCABULARY) == "Kazakhstan"  # two edits, ten letters


def test_notes_name_each_unknown_name_once() -> None:
    notes = unknown_name_notes(["Lavorv", "Mexico", "Belgium", "Lavorv", "EU"], VOCABULARY)
    assert notes == [
        "no briefing mentions “Lavorv”; the closest name is “Lavrov”",
        "no briefing mentions “Belgium”",
    ]  # "EU": too short to second-guess


def test_the_deletion_table_is_built_only_when_a_suggestion_is_sought() -> None:
    vocabulary = build_vocabulary(TEXTS)
    assert known("Lavrov", vocabulary) and "deletions" not in vars(vocabulary)
    assert unknown_name_notes(["Mexico", "Russia"], vocabulary) == [] and "deletions" not in vars(vocabulary)
    assert suggest("Lavorv", vocabulary) == "Lavrov" and "lavrov" in vars(vocabulary)["deletions"]["lavov"]
