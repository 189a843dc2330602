"""Answer composition with the deterministic fake embedder on a tiny corpus."""

import re
from pathlib import Path

import pytest

from qa.answering.phrases import answer_phrase
from qa.assistant import Assistant
from qa.index.sync import sync_index
from qa.records import Answer
from qa.settings import Settings
from qa.text.tokens import tokenize


@pytest.fixture
def assistant(tiny_corpus: Path, tmp_path: Path, fake) -> Assistant:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    # The fake embedder's cosines are not the real model's: a low threshold keeps these tests about composition.
    return Assistant.open(
        tmp_path / "index", embedder=fake, settings=Settings(abstain_below=0.0)
    )  # the fake's confidences are no test


def check_citations(assistant: Assistant, answer: Answer) -> None:
    """Every [n] names a citation; every quote is cut exactly from its document by its offsets."""
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations + answer.nearest:
        document = assistant.document(c.doc_id)
        assert document.text[c.start : c.end] == c.quote
        assert c.sha256 == document.sha256 and c.title == document.title and c.date == document.date


def test_answer_quotes_verbatim_with_exact_offsets(assistant: Assistant) -> None:
    answer = assistant.ask("What does Beta sell to Alpha?")
    assert not answer.abstained
    assert answer.citations[0].quote == "Beta sells wheat to Alpha."
    assert answer.citations[0].section == "Trade"
    check_citations(assistant, answer)


def test_short_answer_for_a_number_question(assistant: Assistant) -> None:
    answer = assistant.ask("What is the population total of Alpha?")
    assert answer.citations[0].quote == "**total:** 1,234,567 (2024 est.)"
    assert answer.short_answer == "1,234,567"
    assert answer.text.startswith("**1,234,567** [1]")
    check_citations(assistant, answer)


def test_short_answer_for_who(assistant: Assistant) -> None:
    answer = assistant.ask("Who is the President of Beta?")
    assert answer.short_answer == "Maria Lopez"
    assert answer.citations[0].date == "2023-06"
    check_citations(assistant, answer)


def test_abstains_when_nothing_matches_and_shows_nearest(assistant: Assistant) -> None:
    strict = Assistant.open(
        assistant.index_dir, embedder=assistant.encoder.embedder, settings=Settings(abstain_below=1.0)
    )
    answer = strict.ask("Quantum chromodynamics lattice simulations?")
    assert answer.abstained and answer.citations == [] and answer.nearest
    assert answer.text.startswith("**Not in the briefings.**")
    assert 0.0 <= answer.confidence < 1.0
    check_citations(assistant, answer)


def test_followup_uses_the_conversation(assistant: Assistant) -> None:
    first = assistant.ask("Who is the President of Beta?")
    follow = assistant.ask("What did she discuss?", [first.question])
    assert follow.resolved_question.startswith("Who is the President of Beta?")
    assert follow.citations[0].quote == "She discussed water rights with officials."


def test_web_leftovers_are_never_cited(assistant: Assistant) -> None:
    answer = assistant.ask("Scroll to top")
    assert all("Scroll" not in c.quote for c in answer.citations + answer.nearest)


@pytest.mark.parametrize(
    ("kind", "sentence", "terms", "expected"),
    [
        (
            "who",
            "The Russian Foreign Minister, Sergey Lavrov has met with Foreign Minister Mexico, Juan Ramon de la Fuente Ramirez.",
            ["minister", "represent", "russia"],
            "Sergey Lavrov",
        ),
        ("when", "The treaty was signed on 4 May 1990 in Riga.", ["treaty", "sign"], "4 May 1990"),
        ("how_many", "**total:** 130,739,927 (2024 est.)", ["population", "mexico"], "130,739,927"),
        (
            "where",
            "Lavrov met Fuente on the sidelines of the BRICS summit in Rio de Janeiro.",
            ["lavrov", "meet"],
            "Rio de Janeiro",
        ),
        ("when", "No date is given here.", ["date"], None),
        # dates without a year, before the common era, by century in words, or by the month alone
        ("when", "By December 25, Japan was considered a friend.", ["japan"], "December 25"),
        (
            "when",
            "Bacteria evolved, probably about 3.5 billion years ago.",
            ["bacteria"],
            "about 3.5 billion years ago",
        ),
        ("when", "It stretches back as far as the first century AD.", ["stretch"], "the first century AD"),
        ("when", "The service would launch in March as a subscription.", ["servic"], "March"),
        ("when", "The duchy began in 911 as a fiefdom.", ["duchi"], "911"),
        ("when", "May I add that nothing is dated.", ["date"], None),
        # in a field line the value leads with the answer; a value that only repeats the question is still the value
        (
            "where",
            "**name:** Rangoon (aka Yangon, recognized as the primary Burmese capital by the US Government)",
            ["citi", "capit", "burma"],
            "Rangoon",
        ),
        ("where", "**name:** Guatemala City", ["citi", "capit", "guatemala"], "Guatemala City"),
        ("how", "**total:** 47,735,685 (2025 est.)", ["popul", "algeria"], "47,735,685"),
        ("where", "**number of seats:** 225 (196 directly elected)", ["seat", "govern"], None),
        # quantities in words
        ("how_many", "The plague reduced the population by half.", ["plagu"], "half"),
        # a month is no person, and a title no part of a name
        (
            "who",
            "**chief of state:** President Emmanuel MACRON (since 14 May 2017)",
            ["presid", "franc"],
            "Emmanuel MACRON",
        ),
        ("who", "**chief of state:** King CHARLES III (since 8 September 2022)", ["head", "state"], "CHARLES III"),
        # a year is a date, not a count; with no count in the quote there is no short answer
        ("how_many", "The census of 2023 was the first in a decade.", ["peopl", "live"], None),
        ("how_many", "In 2023, 1,200 soldiers crossed.", ["soldier"], "1,200"),
        # a field's value, without its closing qualifier and never with its label's markup
        ("what", '**title:** "Kongesangen" (Song of the King)', ["anthem"], '"Kongesangen"'),
        ("what", "**Currency:** euros (EUR) per US dollar -", ["currenc"], "euros (EUR) per US dollar"),
        ("how_many", "**total:** 2 (2024 est.)", ["total"], "2"),
    ],
)
def test_answer_phrases(kind: str, sentence: str, terms: list[str], expected: str | None) -> None:
    span = answer_phrase(kind, sentence, tokenize(" ".join(terms)))
    assert (sentence[span[0] : span[1]] if span else None) == expected


@pytest.mark.parametrize(
    ("line", "value"),
    [
        (
            "copper ore, gold, refined copper, crude petroleum (2023)",
            "copper ore, gold, refined copper, crude petroleum",
        ),
        # a closing parenthesis is taken for a qualifier, like "(2024 est.)": the quote still shows it
        ("**Languages:** Arabic (official), French (lingua franca)", "Arabic (official), French"),
        ("semi-presidential republic", "semi-presidential republic"),
        ("**total:** (2024 est.)", "(2024 est.)"),  # nothing but a qualifier: that is the value
        (" ".join(["word"] * 30), None),  # too long for a short answer
    ],
)
def test_a_profile_lines_value(line: str, value: str | None) -> None:
    from qa.answering.phrases import line_value

    span = line_value(line, 25)
    assert (line[span[0] : span[1]] if span else None) == value
