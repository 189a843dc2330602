"""One question reads one index generation, and the shared caches hold under many threads at once."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.assistant.encoder import QueryEncoder
from qa.index.embedding import HashingEmbedder
from qa.index.store import current_name
from qa.index.sync import sync_index
from qa.records import Answer, Filters
from qa.settings import Settings
from qa.text.documents import content_hash

HEAD = "# Russia, Mexico, Bilateral Relations: {} Update\n\n"
OLD = (
    HEAD.format("July 2025")
    + "Trade reached 2.1 billion dollars in the year.\n\nWheat exports fell after the drought.\n"
)
NEW = (
    HEAD.format("January 2026")
    + "Trade reached 2.4 billion dollars in the year.\n\nWheat exports fell after the drought.\n"
)
# the newer update as a later generation has it: a paragraph before, so every offset moves, and another value
EDITED = (
    HEAD.format("January 2026")
    + "A consulate opened in Kazan during the autumn season.\n\n"
    + "Trade reached 3.9 billion dollars in the year.\n\nWheat exports fell after the drought.\n"
)


class SwapOnEmbed:
    """The fake embedder, which forces the assistant to swap in the newest generation during the next question's
    first forward pass: after the question is pinned, before it is answered."""

    def __init__(self, inner: HashingEmbedder) -> None:
        self.inner, self.assistant, self.armed = inner, None, False

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if self.armed and self.assistant is not None:
            self.armed = False
            assert self.assistant.refresh(force=True)
        return self.inner.embed(texts, progress)

    def piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        return self.inner.piece_vectors(texts)


def every_citation_is_from(answer: Answer, files: dict[str, str]) -> None:
    """Each citation's quote is the given file's characters at its offsets, and its hash that file's."""
    assert answer.citations
    for c in answer.citations:
        assert files[c.doc_id][c.start : c.end] == c.quote, c
        assert c.sha256 == content_hash(files[c.doc_id].encode("utf-8")), c


def test_a_swap_between_retrieval_and_the_over_time_check_leaves_every_citation_in_one_generation(
    tmp_path: Path,
) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "rm-2025-07.md").write_text(OLD, encoding="utf-8")
    (corpus / "rm-2026-01.md").write_text(NEW, encoding="utf-8")
    fake = HashingEmbedder(256, model_id="hashing:256")
    sync_index(corpus, index, fake)
    swapping = SwapOnEmbed(fake)
    assistant = Assistant.open(index, embedder=swapping, settings=Settings(abstain_below=0.0))  # type: ignore[arg-type]
    swapping.assistant = assistant  # type: ignore[assignment]
    first = assistant.generation.name
    question = "How much did trade reach in the year?"
    # the same question answered with no swap: its quote and the other update's version, both from generation one
    calm = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0)).ask(question)
    assert len(calm.citations) == 2 and calm.other_versions

    (corpus / "rm-2026-01.md").write_text(EDITED, encoding="utf-8")
    sync_index(corpus, index, fake)
    swapping.armed = True
    answer = assistant.ask(question)
    assert not swapping.armed and assistant.generation.name != first  # the swap happened mid-question
    assert first in answer.index_version
    every_citation_is_from(answer, {"rm-2025-07.md": OLD, "rm-2026-01.md": NEW})
    assert [c.quote for c in answer.citations] == [c.quote for c in calm.citations]
    # the next question reads the new generation throughout
    after = assistant.ask(question)
    assert assistant.generation.name in after.index_version
    every_citation_is_from(after, {"rm-2025-07.md": OLD, "rm-2026-01.md": EDITED})


@pytest.fixture
def tiny_switches() -> Iterator[None]:
    """Threads switch every microsecond: check-then-act races show up at once."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


FIELDS = ["Population", "Capital", "Exports", "Imports", "Area", "Climate", "Languages", "Religions", "Currency"]
COUNTRIES = [f"Country{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]


def profiles(folder: Path) -> Path:
    """Small field profiles (`### Field` headings over `**label:** value` lines), each field named apart: many
    field paths, so a small field cache is cleared on nearly every question."""
    folder.mkdir()
    for i, country in enumerate(COUNTRIES):
        lines = [f"# {country}", "", "## Facts", ""]
        for j, name in enumerate(FIELDS):
            lines += [f"### {country} {name}", f"**total:** {i * 100 + j} units of {name.lower()} in {country}", ""]
        (folder / f"{country.lower()}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


def test_eight_threads_on_cold_caches_that_clear_all_the_time_raise_nothing(
    tmp_path: Path, fake, tiny_switches: None
) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(profiles(tmp_path / "corpus"), index, fake)
    questions = [
        f"What is the {FIELDS[i % len(FIELDS)].lower()} of {COUNTRIES[i % len(COUNTRIES)]} (case {i})?"
        for i in range(240)
    ]
    alone = Assistant.open(index, embedder=fake)
    expected = [alone.ask(q).model_dump_json() for q in questions]
    shared = Assistant.open(index, embedder=fake)
    shared.encoder = QueryEncoder(fake, queries_kept=2, fields_kept=2)  # cleared on nearly every question
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: shared.ask(q).model_dump_json(), questions))
    assert got == expected


def test_questions_during_swaps_each_read_one_generation(tmp_path: Path, fake, tiny_switches: None) -> None:  # type: ignore[no-untyped-def]
    """Four threads ask while the index is rewritten and swapped in again and again: every answer's citations are
    the characters of the generation the answer names."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "rm-2025-07.md").write_text(OLD, encoding="utf-8")
    (corpus / "rm-2026-01.md").write_text(NEW, encoding="utf-8")
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    texts = {assistant.generation.name: {"rm-2025-07.md": OLD, "rm-2026-01.md": NEW}}
    answers: list[Answer] = []

    def ask(i: int) -> None:
        answers.append(assistant.ask("How much did trade reach in the year?", filters=Filters()))

    with ThreadPoolExecutor(max_workers=4) as pool:
        for round_ in range(6):
            version = EDITED if round_ % 2 == 0 else NEW
            (corpus / "rm-2026-01.md").write_text(version, encoding="utf-8")
            sync_index(corpus, index, fake)
            texts[str(current_name(index))] = {"rm-2025-07.md": OLD, "rm-2026-01.md": version}
            list(pool.map(ask, range(8)))  # answered from the old generation or, once swapped in, the new
            assistant.refresh(force=True)
            list(pool.map(ask, range(8)))
    for answer in answers:
        name = answer.index_version.split(" ")[0]
        every_citation_is_from(answer, texts[name])
