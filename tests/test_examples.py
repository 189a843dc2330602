"""The first screen's example questions: drawn from the newest briefings, kept only when answered, stored per index
version (`qa.assistant.examples`)."""

from __future__ import annotations

import json
from pathlib import Path

from qa import Assistant
from qa.assistant.examples import (
    EXAMPLES_FILE,
    KEPT_FROM,
    answered_examples,
    candidate_questions,
    read_examples,
    write_examples,
)
from qa.index.sync import sync_index
from qa.records import Answer, Document


def doc(text: str, date: str = "2025-01-01", title: str = "A") -> Document:
    return Document(doc_id="a.md", source="a.md", title=title, date=date, text=text, sha256="0", format="md")


def test_candidates_never_join_names_across_lines() -> None:
    text = "Relations Update\n\nMexico The Russian Foreign Minister met. Sergey Lavrov met. Sergey Lavrov spoke."
    questions = candidate_questions([doc(text)], count=5)
    assert "What do the briefings say about Sergey Lavrov?" in questions
    assert not any("Update" in q and "Mexico" in q for q in questions)


def test_candidates_leave_out_the_titles_words_and_rank_by_use() -> None:
    text = "Brazil met BRICS. BRICS grew. Japan Steel spoke. Japan Steel agreed. Japan Steel signed."
    assert candidate_questions([doc(text, title="Brazil")], count=2) == [
        "What do the briefings say about Japan Steel?",
        "What do the briefings say about BRICS?",
    ]


def test_a_name_the_briefings_write_after_the_is_asked_about_with_it() -> None:
    text = "The European Union met. It spoke to the European Union. In Latin America, Latin America grew."
    assert candidate_questions([doc(text)], count=2) == [
        "What do the briefings say about the European Union?",
        "What do the briefings say about Latin America?",
    ]


def answer(question: str, confidence: float, abstained: bool = False) -> Answer:
    return Answer(question=question, text="t", abstained=abstained, confidence=confidence, citations=[])


def test_only_questions_answered_with_enough_confidence_are_kept() -> None:
    outcomes = {"a?": (0.9, False), "b?": (0.9, True), "c?": (KEPT_FROM - 0.01, False), "d?": (KEPT_FROM, False)}
    asked: list[str] = []

    def ask(question: str) -> Answer:
        asked.append(question)
        confidence, abstained = outcomes[question]
        return answer(question, confidence, abstained)

    assert answered_examples(ask, ["a?", "b?", "c?", "d?"], count=5) == ["a?", "d?"]
    assert answered_examples(ask, ["a?", "d?", "b?"], count=1) == ["a?"]
    assert asked[-1] == "a?"  # it stops asking once it has enough


def test_examples_answered_by_a_sentence_already_shown_are_passed_over() -> None:
    from qa.records import Citation

    def ask(question: str) -> Answer:
        start = {"a?": 0, "b?": 0, "c?": 40}[question]  # a? and b? quote the same sentence
        quote = Citation(n=1, doc_id="x.md", title="X", date=None, source="x.md", quote="q", start=start,
                         end=start + 1, score=0.9)  # fmt: skip
        return Answer(question=question, text="t", abstained=False, confidence=0.9, citations=[quote])

    assert answered_examples(ask, ["a?", "b?", "c?"], count=3) == ["a?", "c?"]


def test_stored_examples_are_read_back_only_for_their_generation(tmp_path: Path) -> None:
    assert read_examples(tmp_path, "g1") is None  # none stored
    assert write_examples(tmp_path, "g1", ["a?", "b?"])
    assert read_examples(tmp_path, "g1") == ["a?", "b?"]
    assert read_examples(tmp_path, "g2") is None  # stale: asked of another version of the index
    (tmp_path / EXAMPLES_FILE).write_text("{not json", encoding="utf-8")
    assert read_examples(tmp_path, "g1") is None
    assert write_examples(tmp_path / "missing", "g1", []) is False  # an unwritable place: no error


def test_the_assistant_asks_once_per_index_version_and_stores_what_it_answers(tiny_corpus: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tiny_corpus.parent / "index"
    sync_index(tiny_corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake)
    candidates = candidate_questions(assistant.newest_documents(5), 9)
    assert "What do the briefings say about Maria Lopez?" in candidates
    expected = [q for q in candidates if not assistant.ask(q).abstained and assistant.ask(q).confidence >= KEPT_FROM]
    shown = assistant.examples()
    assert shown == expected[:3]  # the oracle: those of the candidates answered well enough, in their order
    stored = json.loads((index / EXAMPLES_FILE).read_text(encoding="utf-8"))
    assert stored == {"generation": assistant.context().reader.name, "questions": shown}
    (index / EXAMPLES_FILE).write_text(json.dumps({**stored, "questions": ["Stored?"]}), encoding="utf-8")
    assert assistant.examples() == ["Stored?"]  # read back, not asked again
    (tiny_corpus / "gamma.md").write_text("# Gamma\n\nGamma City has a port.\n", encoding="utf-8")
    sync_index(tiny_corpus, index, fake)
    assert Assistant.open(index, embedder=fake).examples() != ["Stored?"]  # a new version of the index: asked again
