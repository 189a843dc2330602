"""Comparison questions: read the two sides, join two answers (pure, no index)."""

import html
import re

import pytest

from qa.answering.comparison import Comparison, comparison_sides, join_answers
from qa.records import Answer, Citation


@pytest.mark.parametrize(
    ("question", "sides", "asked"),
    [
        (
            "Which has a larger population, Mexico or Russia?",
            ("Mexico", "Russia"),
            ("Which has a larger population, Mexico?", "Which has a larger population, Russia?"),
        ),
        (
            "Which is larger, the United Kingdom or New Zealand?",
            ("United Kingdom", "New Zealand"),
            ("Which is larger, United Kingdom?", "Which is larger, New Zealand?"),
        ),
        ("Is Mexico larger than Russia?", ("Mexico", "Russia"), ("Is Mexico larger?", "Is Russia larger?")),
        (
            "Does Peru have more people than Chile?",
            ("Peru", "Chile"),
            ("Does Peru have more people?", "Does Chile have more people?"),
        ),
        (
            "Is the GDP of Mexico higher than that of Russia?",
            ("Mexico", "Russia"),
            ("Is the GDP of Mexico higher?", "Is the GDP of Russia higher?"),
        ),
    ],
)
def test_a_comparison_is_read_as_the_same_question_of_two_sides(
    question: str, sides: tuple[str, str], asked: tuple[str, str]
) -> None:
    assert comparison_sides(question) == Comparison(sides, asked)


@pytest.mark.parametrize(
    "question",
    [
        "Which countries border Austria?",  # one name
        "Who did Lavrov meet?",
        "Which is larger, Mexico or Mexico?",  # one side twice
        "Which is larger?",
    ],
)
def test_a_question_naming_no_two_sides_has_none(question: str) -> None:
    assert comparison_sides(question) is None


def _citation(n: int, doc: str, quote: str) -> Citation:
    return Citation(
        n=n, doc_id=doc, title=doc, date=None, source=doc, quote=quote, start=10, end=10 + len(quote), score=0.9
    )


def _answer(confidence: float, *citations: Citation, short: str | None = None) -> Answer:
    return Answer(
        question="q",
        text="t",
        short_answer=short,
        abstained=not citations,
        confidence=confidence,
        citations=list(citations),
        nearest=[] if citations else [_citation(1, "near.md", "A nearby line.")],
    )


SIDES = Comparison(("Mexico", "Russia"), ("Which has a larger population, Mexico?", "… Russia?"))


def test_both_sides_answered_quotes_each_with_its_own_citation() -> None:
    mexico = _answer(
        0.9, _citation(1, "mx.md", "**total:** 130,739,927"), _citation(2, "mx.md", "other"), short="130,739,927"
    )
    russia = _answer(0.7, _citation(1, "rs.md", "**total:** 140,820,810"), short="140,820,810")
    joined = join_answers("Which has a larger population, Mexico or Russia?", SIDES, (mexico, russia))
    assert not joined.abstained
    assert [(c.n, c.doc_id, c.start) for c in joined.citations] == [(1, "mx.md", 10), (2, "rs.md", 10)]
    assert "Mexico: **130,739,927**" in joined.text and "[1]" in joined.text
    assert "Russia: **140,820,810**" in joined.text and "[2]" in joined.text
    assert joined.confidence == 0.7  # the weaker side
    assert joined.short_answer is None  # no winner is declared: the quotes show the figures


def test_a_side_the_briefings_do_not_answer_refuses_the_comparison_and_names_it() -> None:
    mexico = _answer(0.9, _citation(1, "mx.md", "**total:** 130,739,927"))
    nowhere = _answer(0.05)
    joined = join_answers("Which has a larger population, Mexico or Russia?", SIDES, (mexico, nowhere))
    assert joined.abstained and not joined.citations
    assert "for Mexico but not for Russia" in joined.text
    assert [c.n for c in joined.nearest] == [1, 2]
    neither = join_answers("q", SIDES, (nowhere, nowhere))
    assert neither.abstained and "neither Mexico nor Russia" in neither.text


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("**total:** 221,359,387 (2024 est.)", 221359387.0, ""),
        ("**total:** 8,515,770 sq km", 8515770.0, "sq km"),
        ("12.5% (2023 est.)", 12.5, "%"),
        ("$1.2 trillion (2023 est.)", 1.2e12, ""),
        ("slightly smaller than Montana", None, None),
        ("since 12 December 2019", None, None),  # a date
    ],
)
def test_a_figure_is_the_first_number_a_quote_gives_with_its_unit(
    text: str, value: float | None, unit: str | None
) -> None:
    from qa.answering.comparison import figure

    found = figure(text)
    assert (found.value, found.unit) == (value, unit) if found is not None else value is None


def test_figures_of_one_unit_say_which_side_is_larger_with_both_cited() -> None:
    brazil = _answer(0.9, _citation(1, "br.md", "**total:** 221,359,387 (2024 est.)"), short="221,359,387")
    mexico = _answer(0.8, _citation(1, "mx.md", "**total:** 130,739,927 (2024 est.)"), short="130,739,927")
    sides = Comparison(("Mexico", "Brazil"), ("Which has a larger population, Mexico?", "… Brazil?"))
    joined = join_answers("Which has a larger population, Mexico or Brazil?", sides, (mexico, brazil))
    assert joined.text.startswith("**Brazil** has the larger figure: Mexico 130,739,927 [1]; Brazil 221,359,387 [2].")
    assert joined.sides == ["Mexico", "Brazil"] and joined.short_answer is None


def test_figures_of_different_units_are_not_compared_nor_called_contradictory() -> None:
    france = _answer(0.9, _citation(1, "fr.md", "**total:** 643,801 sq km"))
    germany = _answer(0.8, _citation(1, "gm.md", "three times the size of Pennsylvania; slightly smaller than Montana"))
    germany = germany.model_copy(update={"checks": ["the question says “bigger”; the quote says “smaller”"]})
    sides = Comparison(("France", "Germany"), ("Which is bigger, France?", "… Germany?"))
    joined = join_answers("Which is bigger, France or Germany?", sides, (france, germany))
    assert joined.text.startswith("The two quotes give no figures of one unit to set side by side")
    assert "has the larger" not in joined.text and "smaller" not in " ".join(joined.checks)


def test_a_comparison_page_labels_each_side_and_states_the_larger() -> None:
    from qa.web.html import answer_html

    brazil = _answer(0.9, _citation(1, "br.md", "**total:** 221,359,387 (2024 est.)"))
    mexico = _answer(0.8, _citation(1, "mx.md", "**total:** 130,739,927 (2024 est.)"))
    sides = Comparison(("Mexico", "Brazil"), ("Which has a larger population, Mexico?", "… Brazil?"))
    page = answer_html(join_answers("Which has a larger population, Mexico or Brazil?", sides, (mexico, brazil)), "a0")
    shown = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "Brazil has the larger figure: Mexico 130,739,927 [1] ; Brazil 221,359,387 [2] ." in shown
    assert "<li><strong>Mexico</strong>: “" in page and "<li><strong>Brazil</strong>: “" in page
    assert "Also relevant" not in page and page.count("class='qa-card'") == 2
