"""Routes answer through one contract: the filters, the conversation and the scope reach every one of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from qa.answering.readings import Reading
from qa.assistant import Assistant
from qa.assistant.routes import Asked, ComparisonRoute, Context
from qa.index.sync import sync_index
from qa.records import Answer, Citation, Filters, Scope
from qa.settings import Settings

HEAD = "# Russia, Mexico, Bilateral Relations: {} Update\n\n"


def three_updates(corpus: Path) -> None:
    corpus.mkdir()
    for name, month, value in (
        ("a.md", "July 2025", "2.1"),
        ("b.md", "January 2026", "2.4"),
        ("c.md", "May 2026", "2.9"),
    ):
        (corpus / name).write_text(
            HEAD.format(month) + f"Trade reached {value} billion dollars.\n\nWheat exports fell.\n", encoding="utf-8"
        )


@pytest.fixture
def updates(tmp_path: Path, fake) -> Assistant:  # type: ignore[no-untyped-def]
    """An Assistant over three dated updates of one series."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    three_updates(corpus)
    sync_index(corpus, index, fake)
    return Assistant.open(index, embedder=fake)


def test_a_change_question_compares_only_the_updates_the_filters_keep(updates: Assistant) -> None:
    assistant = updates
    question = "What changed since the last update?"
    unfiltered = assistant.ask(question)
    assert unfiltered.changes is not None and (unfiltered.changes.old.doc_id, unfiltered.changes.new.doc_id) == (
        "b.md",
        "c.md",
    )
    until_january = assistant.ask(question, filters=Filters(date_to="2026-01"))
    assert until_january.changes is not None
    assert (until_january.changes.old.doc_id, until_january.changes.new.doc_id) == ("a.md", "b.md")
    assert until_january.scope is not None and until_january.scope.searched == 2
    one = assistant.ask(question, filters=Filters(doc_ids=("c.md",)))
    assert one.abstained and one.changes is None and "filters leave no series" in one.text
    assert one.scope is not None and one.scope.searched == 1 and one.scope.doc_ids == ("c.md",)


@dataclass
class Recorder:
    """A context that records what each side of a comparison was asked with, and answers with one quote."""

    asked: list[tuple[str, tuple[str, ...], Filters]] = field(default_factory=list)

    @property
    def reader(self) -> Recorder:
        return self

    def scope(self, filters: Filters) -> Scope:
        return Scope(searched=1, total=2, doc_ids=filters.doc_ids)

    def answer(self, question: str, history: Sequence[str], filters: Filters) -> Answer:
        self.asked.append((question, tuple(history), filters))
        quote = Citation(
            n=1,
            doc_id="d.md",
            source="d.md",
            title="D",
            date=None,
            start=0,
            end=5,
            quote="12 km",
            sha256="0" * 64,
            score=0.9,
        )
        return Answer(question=question, text="x", abstained=False, confidence=0.9, citations=[quote])


def test_each_side_of_a_comparison_is_asked_with_the_conversation_and_the_filters() -> None:
    recorder = Recorder()
    filters = Filters(doc_ids=("d.md",))
    question = "Which is larger, Mexico or Brazil?"
    asked = Asked(question, question, ("What about area?",), filters, Reading("comparison", 0.9, {"comparison": 0.9}))
    answer = ComparisonRoute().answer(asked, recorder)  # type: ignore[arg-type]
    assert answer is not None and answer.question_type == "comparison"
    assert [(h, f) for _, h, f in recorder.asked] == [(("What about area?",), filters)] * 2
    assert answer.scope is not None and answer.scope.doc_ids == ("d.md",)
    assert (answer.reading, answer.reading_confidence) == ("comparison", 0.9)
    plain = replace(asked, reading=Reading("plain", 0.8, {}))
    assert ComparisonRoute().answer(plain, recorder) is None  # type: ignore[arg-type]  # read as plain: not this route


def test_a_comparison_through_the_assistant_carries_its_scope(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    """The real counterpart of the recorder: both sides answered from the index, the scope of the filters kept."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "alpha.md").write_text("# Alpha\n\nAlpha has an area of 120 square km.\n", encoding="utf-8")
    (corpus / "beta.md").write_text("# Beta\n\nBeta has an area of 90 square km.\n", encoding="utf-8")
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    answer = assistant.ask(
        "Which has a larger area, Alpha or Beta?", ["What is the area of Alpha?"], filters=Filters(date_to="2030")
    )
    assert answer.question_type == "comparison" and answer.scope is not None
    assert answer.scope.date_to == "2030" and answer.scope.searched == 0  # undated briefings: none in a date range
    unfiltered = assistant.ask("Which has a larger area, Alpha or Beta?", ["What is the area of Alpha?"])
    assert {c.doc_id for c in unfiltered.citations} == {"alpha.md", "beta.md"}


def test_context_answers_come_from_its_own_reader(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    three_updates(corpus)
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    context = assistant.context()
    assert isinstance(context, Context) and context.reader is assistant.reader
    answer = context.answer("How much did trade reach?", (), Filters(doc_ids=("a.md",)))
    assert answer.citations and {c.doc_id for c in answer.citations} == {"a.md"}
    assert context.reader.version == answer.index_version


def test_an_answer_says_how_it_was_read_and_can_be_asked_plainly(updates: Assistant) -> None:
    from qa.web.html import answer_html

    assistant = updates
    changed = assistant.ask("What changed since the last update?")
    assert changed.reading == "change" and changed.reading_confidence == 0.9 and changed.changes is not None
    page = answer_html(changed, "a0")
    assert "Read as a question about what changed between updates (0.90)" in page and "data-plain='1'" in page
    plainly = assistant.ask("What changed since the last update?", plain=True)
    assert plainly.reading == "plain" and plainly.changes is None and plainly.reading_confidence is None
    assert "Read as" not in answer_html(plainly, "a1")


def test_a_question_in_another_language_is_told_so_by_name(updates: Assistant) -> None:
    assistant = updates
    answer = assistant.ask("Quelle est la capitale du Pérou ?")
    assert answer.abstained and "The briefings are in English" in answer.text and "French" in answer.text
    assert answer.did_you_mean is None and answer.scope is not None
    for english in ("How much did trade reach?", "Quantum chromodynamics lattice simulations?", "And Algeria?"):
        assert not assistant.ask(english).text.startswith("**The briefings are in English")


@dataclass
class Spelled:
    """Routes that refuse any question naming "Egipt" (offering "Egypt") and answer any other."""

    asked: list[str] = field(default_factory=list)

    def answer(self, asked: Asked, context: object) -> Answer:
        self.asked.append(asked.text)
        if "Egipt" in asked.text:
            return Answer(
                question=asked.text,
                text="**Not in the briefings.**",
                abstained=True,
                confidence=0.0,
                did_you_mean=asked.text.replace("Egipt", "Egypt"),
            )
        return Answer(question=asked.text, text="**Cairo**", abstained=False, confidence=0.9)


def test_a_refused_question_with_a_misspelt_name_is_answered_as_corrected_and_says_so() -> None:
    from qa.assistant.routes import SpellingRoute
    from qa.web.html import reading_html

    spelled = Spelled()
    route = SpellingRoute((spelled,))
    question = "What is the capital of Egipt?"
    answer = route.answer(Asked(question, question), None)  # type: ignore[arg-type]
    assert answer is not None and not answer.abstained and answer.question == question
    assert answer.read_as == "What is the capital of Egypt?" and spelled.asked == [question, answer.read_as]
    assert "_Read as: “What is the capital of Egypt?” (no briefing mentions “Egipt”)._" in answer.text
    assert "Ask it as typed" in reading_html(answer) and "data-plain='1'" in reading_html(answer)
    typed = route.answer(Asked(question, question, as_typed=True), None)  # type: ignore[arg-type]
    assert typed is not None and typed.abstained and typed.read_as is None
    answered = route.answer(Asked("What is the capital?", "What is the capital?"), None)  # type: ignore[arg-type]
    assert answered is not None and answered.read_as is None  # nothing corrected behind a given answer


def test_the_assistant_corrects_a_misspelt_name_only_when_the_typed_question_is_refused(
    tmp_path: Path,
    fake,  # type: ignore[no-untyped-def]
) -> None:
    """The real counterpart: the index's own names give the correction."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "egypt.md").write_text("# Egypt\n\nThe capital of Egypt is Cairo.\n", encoding="utf-8")
    (corpus / "peru.md").write_text("# Peru\n\nThe capital of Peru is Lima.\n", encoding="utf-8")
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.3))
    typed = assistant.ask("What is the capital of Egipt?", plain=True)
    assert typed.abstained and typed.did_you_mean == "What is the capital of Egypt?"
    answer = assistant.ask("What is the capital of Egipt?")
    assert not answer.abstained and answer.read_as == "What is the capital of Egypt?"
    assert answer.citations[0].doc_id == "egypt.md"


def test_a_refusal_within_filters_says_what_was_searched_and_how_to_widen(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    three_updates(corpus)
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=1.0))  # refuses everything
    filtered = assistant.ask("How much did trade reach?", filters=Filters(doc_ids=("a.md",)))
    assert filtered.abstained
    assert filtered.text.endswith(
        "_Searched 1 of 3 briefings, 2025-07 (1 chosen): ask again without the filters to search all 3._"
    )
    unfiltered = assistant.ask("How much did trade reach?")
    assert unfiltered.abstained and "without the filters" not in unfiltered.text


def test_a_newer_update_answering_in_other_words_leads_and_the_older_quote_follows(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        HEAD.format("July 2025")
        + "A bilateral investment treaty could be in the process of being developed.\n\nWheat exports fell.\n",
        encoding="utf-8",
    )
    (corpus / "b.md").write_text(
        HEAD.format("January 2026") + "The investment treaty was signed in December 2025.\n\nCoffee sales rose.\n",
        encoding="utf-8",
    )
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    question = "Is a bilateral investment treaty being developed?"
    older = assistant.ask(question, filters=Filters(doc_ids=("a.md",)))
    assert older.citations[0].doc_id == "a.md"  # within July alone: July's sentence
    answer = assistant.ask(question)
    assert answer.citations[0].doc_id == "b.md" and "signed in December 2025" in answer.citations[0].quote
    before = [c for c in answer.citations if c.n in answer.other_versions]
    assert [c.doc_id for c in before] == ["a.md"] and "could be in the process" in before[0].quote
    assert "say otherwise" in answer.text and before[0].quote in answer.text
    july_only = assistant.ask(question, filters=Filters(date_to="2025-12"))
    assert july_only.citations[0].doc_id == "a.md" and not july_only.other_versions  # the filters keep July alone
