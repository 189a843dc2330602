"""Sentence alignment between two versions of a briefing (`qa.text.diffing`), against edits made by hand."""

from hypothesis import given
from hypothesis import strategies as st

from qa.text.diffing import align, changed_words, similarity

OLD = [
    "Trade reached 2.1 billion dollars in 2024.",
    "The foreign minister is Juan Ramon de la Fuente.",
    "Mexico attended the BRICS summit as an observer.",
    "Wheat exports fell after the drought.",
]
NEW = [
    "Trade reached 2.4 billion dollars in 2025.",  # a changed figure
    "The foreign minister is Alicia Barcena.",  # a new minister
    "Mexico attended the BRICS summit as an observer.",  # the same
    "A new consulate opened in Kazan.",  # added; the wheat sentence removed
]


def test_changed_added_and_removed_sentences_are_found() -> None:
    got = [(c.kind, c.old, c.new) for c in align(OLD, NEW)]
    assert ("changed", 0, 0) in got and ("same", 2, 2) in got
    assert ("removed", 3, None) in got and ("added", None, 3) in got
    assert ("changed", 1, 1) in got  # "The foreign minister is …": the same sentence, another name


def test_changed_words_mark_the_numbers_and_names() -> None:
    old_marks, new_marks = changed_words(OLD[0], NEW[0])
    assert [OLD[0][s:e] for s, e in old_marks] == ["2.1", "2024"]
    assert [NEW[0][s:e] for s, e in new_marks] == ["2.4", "2025"]
    _, minister = changed_words(OLD[1], NEW[1])
    assert " ".join(NEW[1][s:e] for s, e in minister) == "Alicia Barcena"


def test_unrelated_sentences_are_never_paired() -> None:
    got = align(["The harvest was late."], ["Parliament passed the budget."])
    assert [(c.kind, c.old, c.new) for c in got] == [("removed", 0, None), ("added", None, 0)]
    assert similarity("The harvest was late.", "the  HARVEST was late") == 1.0


sentences = st.lists(st.text(alphabet="abc 12", min_size=1, max_size=12), max_size=8)


@given(sentences, sentences)
def test_every_sentence_of_both_texts_appears_once_in_order(old: list[str], new: list[str]) -> None:
    got = align(old, new)
    assert [c.old for c in got if c.old is not None] == list(range(len(old)))
    assert [c.new for c in got if c.new is not None] == list(range(len(new)))
    assert all(similarity(old[c.old], new[c.new]) == 1.0 for c in got if c.kind == "same")  # type: ignore[index]


@given(sentences)
def test_a_text_aligned_with_itself_is_all_the_same(old: list[str]) -> None:
    assert all(c.kind == "same" for c in align(old, old))


def test_best_match_finds_the_same_sentence_or_its_changed_version() -> None:
    from qa.text.diffing import best_match

    assert best_match(OLD[2], NEW) == ("same", 2)
    assert best_match(OLD[0], NEW) == ("changed", 0)
    assert best_match(OLD[1], NEW) == ("changed", 1)  # the new minister
    assert best_match(OLD[3], NEW) is None  # the wheat sentence has no version in the new text
