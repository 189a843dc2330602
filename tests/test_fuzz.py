"""Fuzzing, bounded in time: arbitrary bytes as briefings of every type, arbitrary text as questions. Nothing
escapes but the named errors."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.answering.questions import analyse, clean_question
from qa.assistant import Assistant
from qa.errors import QAError, QuestionError
from qa.index.sync import sync_index
from qa.text.loaders import SUPPORTED_SUFFIXES, UnreadableFileError, extract

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# bytes that look like each format's start, so the fuzzer reaches past the first check
PREFIXES = {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".html": b"<html><body>", ".htm": b"<p>", ".md": b"# T\n"}


@FUZZ
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES), data=st.binary(max_size=2048), prefixed=st.booleans())
def test_any_bytes_read_as_a_briefing_or_refused_by_name(suffix: str, data: bytes, prefixed: bool) -> None:
    if prefixed:
        data = PREFIXES.get(suffix, b"") + data
    try:
        extracted = extract(Path(f"fuzz{suffix}"), data)
    except UnreadableFileError:
        return
    assert isinstance(extracted.text, str)


@FUZZ
@given(text=st.text(max_size=300) | st.text(alphabet=st.characters(blacklist_categories=()), max_size=50))
def test_any_text_is_a_question_or_refused_by_name(text: str) -> None:
    try:
        question = analyse(clean_question(text))
    except QuestionError:
        return
    assert question.text and question.kind


@pytest.fixture(scope="module")
def fuzz_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from conftest import TINY
    from qa.index.embedding import HashingEmbedder

    corpus = tmp_path_factory.mktemp("fuzz") / "corpus"
    corpus.mkdir()
    for name, text in TINY.items():
        (corpus / name).write_text(text, encoding="utf-8")
    fake = HashingEmbedder(64)
    sync_index(corpus, corpus.parent / "index", fake)
    return Assistant.open(corpus.parent / "index", embedder=fake)


@FUZZ
@given(
    text=st.text(max_size=200) | st.sampled_from(["\ud800", "a\x00b", "?" * 5, "Who\u202e met Lavrov?", " \t\n "]),
    history=st.lists(st.text(max_size=40), max_size=3),
)
def test_asking_anything_answers_or_refuses_by_name(fuzz_assistant: Assistant, text: str, history: list[str]) -> None:
    try:
        answer = fuzz_assistant.ask(text, history)
    except QAError:
        return
    assert answer.text and 0.0 <= answer.confidence <= 1.0
