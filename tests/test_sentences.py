from hypothesis import given
from hypothesis import strategies as st

from qa.text.sentences import split_sentences


def texts(spans: list[tuple[int, int]], text: str) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_splits_on_sentence_punctuation() -> None:
    text = "Trade grew. Exports fell! Why? Nobody knows."
    assert texts(split_sentences(text), text) == ["Trade grew.", "Exports fell!", "Why?", "Nobody knows."]


def test_keeps_abbreviations_initials_and_acronyms() -> None:
    text = "Mr. Smith met J. Doe in the U.S. on Monday. Costs rose (2024 est.) and fell. Dr. No left."
    assert texts(split_sentences(text), text) == [
        "Mr. Smith met J. Doe in the U.S. on Monday.",
        "Costs rose (2024 est.) and fell.",
        "Dr. No left.",
    ]


def test_does_not_split_before_lower_case_or_inside_numbers() -> None:
    text = "Growth was 2.5 percent in 2024. it then slowed."
    assert texts(split_sentences(text), text) == ["Growth was 2.5 percent in 2024. it then slowed."]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = 'He said "we agree." Then he left.'
    assert texts(split_sentences(text), text) == ['He said "we agree."', "Then he left."]


def test_respects_the_span_it_is_given() -> None:
    text = "IGNORED. First one. Second one. IGNORED."
    start, end = text.index("First"), text.index(" IGNORED.", 10)
    assert texts(split_sentences(text, start, end), text) == ["First one.", "Second one."]


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_spans_are_ordered_trimmed_and_cover_every_word(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(covered.split()) == "".join(text.split())


def test_a_trailing_parenthetical_stays_with_its_sentence() -> None:
    text = "The World Factbook, une source indispensable. (French) Next one here."
    assert texts(split_sentences(text), text) == [
        "The World Factbook, une source indispensable. (French)",
        "Next one here.",
    ]
