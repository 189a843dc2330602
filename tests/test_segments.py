"""The index of segments: a re-index writes only what changed, and the index it leaves answers exactly as a
fresh build of the same files does (oracle: the one-segment build)."""

import os
from pathlib import Path

import numpy as np
import pytest

from qa import Assistant
from qa.index.lexical import Lexical
from qa.index.store import load_generation
from qa.index.sync import MERGE_REMOVED, MERGE_SMALL, choose_merge, sync_index
from qa.settings import Settings
from qa.text.tokens import tokenize

COUNTRIES = ["Avalon", "Borduria", "Carpania", "Drusselstein", "Elbonia", "Freedonia", "Genovia", "Hyrkania",
             "Illyria", "Jotunheim", "Krakozhia", "Latveria"]  # fmt: skip
QUESTIONS = [
    "What does Borduria export?",
    "Who leads Genovia?",
    "Which port does Latveria use?",
    "What did Elbonia sign?",
    "What grows in Carpania?",
    "Who visited Krakozhia?",
]


def briefing(i: int, name: str, version: int = 0) -> str:
    crops = ["wheat", "rice", "barley", "maize", "coffee", "tea"]
    return (
        f"# {name} Briefing, 2025-0{1 + i % 9}\n\n"
        f"## Economy\n\n{name} exports {crops[(i + version) % 6]} and copper to its neighbours. "
        f"The port of {name}ia Bay handles most trade.\n\n"
        f"## Politics\n\nPresident {name[:3]}ovic leads {name} since 20{10 + i}. "
        f"{name} signed a water treaty with {COUNTRIES[(i + 1) % 12]} in version {version}.\n\n"
        f"## Visits\n\nThe foreign minister of {COUNTRIES[(i + 5) % 12]} visited {name} in spring.\n"
    )


def write(corpus: Path, versions: dict[str, int]) -> None:
    corpus.mkdir(exist_ok=True)
    for path in corpus.iterdir():
        if path.stem not in versions:
            path.unlink()
    for i, name in enumerate(COUNTRIES):
        if name in versions:
            (corpus / f"{name}.md").write_text(briefing(i, name, versions[name]), encoding="utf-8")


def answers(index: Path, fake) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The answers to the questions about countries the index holds (of the others, equally bad quotes tie: their
    order follows the numbering, which differs between layouts)."""
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    held = {info.doc_id[:-3] for info in assistant.documents()}
    out = []
    for question in (q for q in QUESTIONS if any(name in q for name in held)):
        answer = assistant.ask(question)
        out.append((answer.text, round(answer.confidence, 6), [(c.doc_id, c.start, c.end) for c in answer.citations]))
    return out


def bm25_by_place(index: Path, question: str) -> dict[tuple[str, int, int], float]:
    generation = load_generation(index)
    scores = generation.lexical.scores(tokenize(question))
    return {
        (generation.documents.info[p.doc].doc_id, p.start, p.end): round(float(scores[p.pid]), 4)
        for p in generation.passages
    }


def test_an_updated_index_of_many_segments_answers_as_a_fresh_build_does(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index, fresh = tmp_path / "corpus", tmp_path / "index", tmp_path / "fresh"
    versions = {name: 0 for name in COUNTRIES[:10]}
    write(corpus, versions)
    first = sync_index(corpus, index, fake, segment_passages=8)
    assert first.segments_written >= 3  # a bound of 8 passages: the build is cut into several segments
    segment_files = {p: p.stat().st_mtime_ns for p in (index / "segments").rglob("*") if p.is_file()}

    versions["Borduria"] = 1  # changed
    del versions["Elbonia"]  # removed
    versions["Latveria"] = 0  # added
    write(corpus, versions)
    calls = fake.calls
    report = sync_index(corpus, index, fake, segment_passages=8)
    assert (report.added, report.updated, report.removed) == (["Latveria.md"], ["Borduria.md"], ["Elbonia.md"])
    assert report.segments_written == 1 and report.segments_merged == 0
    generation = load_generation(index)
    new_docs = [generation.documents.info[generation.doc_by_id[d]] for d in ("Borduria.md", "Latveria.md")]
    # only the two files embedded: passages, sentences and field paths
    assert fake.calls - calls == sum(d.passages + d.sentences for d in new_docs) + report.embedded_fields
    # no byte of an earlier segment was rewritten: the changed and removed documents are tombstones
    assert {p: p.stat().st_mtime_ns for p in segment_files} == segment_files
    assert sum(len(r) for r in generation.removed.values()) == 2 and generation.live is not None
    assert sorted(generation.doc_by_id) == sorted(f"{name}.md" for name in versions)

    sync_index(corpus, fresh, fake)  # the oracle: one segment, nothing removed
    assert load_generation(fresh).live is None and len(load_generation(fresh).segments) == 1
    assert answers(index, fake) == answers(fresh, fake)
    for question in QUESTIONS:  # BM25 over segments, tombstones left out, equals one table over the live passages
        assert bm25_by_place(index, question) == bm25_by_place(fresh, question)
    assert load_generation(index).manifest["counts"] == load_generation(fresh).manifest["counts"]
    assert load_generation(index).vocabulary == load_generation(fresh).vocabulary


def test_a_removed_documents_words_leave_the_vocabulary(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus, {name: 0 for name in COUNTRIES[:4]})
    sync_index(corpus, index, fake, segment_passages=1000)
    assert (
        "druovic" in load_generation(index).vocabulary.names
    )  # President Druovic: only Drusselstein's briefing names him
    write(corpus, {name: 0 for name in COUNTRIES[:3]})
    sync_index(corpus, index, fake, segment_passages=1000)
    generation = load_generation(index)
    assert "druovic" not in generation.vocabulary.words and "druovic" not in generation.vocabulary.names
    assert "borduria" in generation.vocabulary.words


def test_small_segments_are_merged_without_embedding_again(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index, fresh = tmp_path / "corpus", tmp_path / "index", tmp_path / "fresh"
    versions = {name: 0 for name in COUNTRIES[:6]}
    write(corpus, versions)
    sync_index(corpus, index, fake, segment_passages=1000)
    counts = []
    for round_ in range(1, MERGE_SMALL + 1):
        versions[COUNTRIES[round_]] = round_
        write(corpus, versions)
        before = fake.calls
        report = sync_index(corpus, index, fake, segment_passages=1000)
        changed = load_generation(index).documents.info[load_generation(index).doc_by_id[f"{COUNTRIES[round_]}.md"]]
        embedded = changed.passages + changed.sentences + report.embedded_fields
        assert fake.calls - before == embedded  # a merge embeds nothing
        counts.append((report.segments_written, report.segments_merged, len(load_generation(index).segments)))
    assert max(merged for _, merged, _ in counts) >= MERGE_SMALL, counts  # the small segments were merged into one
    assert len(load_generation(index).segments) < MERGE_SMALL
    assert {p.name for p in (index / "segments").iterdir()} >= {s.name for s in load_generation(index).segments}
    sync_index(corpus, fresh, fake)
    assert answers(index, fake) == answers(fresh, fake)


def test_choose_merge_takes_small_segments_together_and_mostly_removed_ones() -> None:
    def seg(name: str, passages: int) -> dict:  # type: ignore[type-arg]
        return {"name": name, "passages": passages}

    big = [seg("a", 1000), seg("b", 1000)]
    small = [seg(f"s{i}", 5) for i in range(MERGE_SMALL)]
    assert choose_merge(big + small[:-1], {}, 1000) == []
    assert choose_merge(big + small, {}, 1000) == [s["name"] for s in small]
    assert choose_merge(big, {"a": int(MERGE_REMOVED * 1000) + 1}, 1000) == ["a"]
    assert choose_merge(big, {"a": int(MERGE_REMOVED * 1000)}, 1000) == []


def test_removing_every_file_of_a_segment_drops_the_segment(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus, {name: 0 for name in COUNTRIES[:6]})
    sync_index(corpus, index, fake, segment_passages=8)
    segments = load_generation(index).segments
    first = set(segments[0].infos[i].doc_id for i in range(len(segments[0].infos)))
    write(corpus, {name: 0 for name in COUNTRIES[:6] if f"{name}.md" not in first})
    sync_index(corpus, index, fake, segment_passages=8)
    assert segments[0].name not in {s.name for s in load_generation(index).segments}
    sync_index(corpus, index, fake, segment_passages=8)  # pruned once no kept commit names it
    write(corpus, {name: 0 for name in COUNTRIES[6:8]})
    sync_index(corpus, index, fake, segment_passages=8)
    assert not (index / "segments" / segments[0].name).exists()


def test_lexical_scores_over_segments_equal_one_table(tmp_path: Path) -> None:
    from qa.index.lexical import TermTable

    texts = [briefing(i, name) for i, name in enumerate(COUNTRIES)]
    whole = Lexical.build(texts)
    tables = [TermTable.build(tokenize(t) for t in texts[lo : lo + 5]) for lo in range(0, 12, 5)]
    split = Lexical([(0, tables[0]), (5, tables[1]), (10, tables[2])], 12)
    query = {"copper": 1.0, "genovia": 2.0, "treaty": 0.5}
    assert np.allclose(split.scores(query), whole.scores(query), atol=1e-5)
    # a passage marked removed scores nothing and counts in no statistic
    live = np.ones(12, dtype=bool)
    live[3] = False
    removed = Lexical([(0, tables[0]), (5, tables[1]), (10, tables[2])], 12, live)
    rest = Lexical.build(texts[:3] + texts[4:])
    got = removed.scores(query)
    assert got[3] == 0.0 and np.allclose(np.delete(got, 3), rest.scores(query), atol=1e-5)
    assert removed.term_idf("genovia") == pytest.approx(rest.term_idf("genovia"))


def test_segment_folders_are_never_written_twice(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus, {name: 0 for name in COUNTRIES[:3]})
    sync_index(corpus, index, fake)
    folder = next((index / "segments").iterdir())
    inode = os.stat(folder / "records.sqlite").st_ino
    write(corpus, {name: 0 for name in COUNTRIES[:4]})
    sync_index(corpus, index, fake)
    assert os.stat(folder / "records.sqlite").st_ino == inode and len(list((index / "segments").iterdir())) == 2


def test_field_paths_are_embedded_with_the_index_not_with_each_question(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.answering.features import field_path
    from qa.assistant.retrieve import field_matches

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "peru.md").write_text(
        "# Peru\n\n## People\n\n### Population\n**total:** 34,352,719\n**male:** 17,000,000\n\n"
        "### Median age\n**total:** 29.1 years\n",
        encoding="utf-8",
    )
    sync_index(corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    retrieval = assistant.search("How many people live in Peru?")
    before = fake.calls
    matches = field_matches(retrieval, assistant.encoder, assistant.settings.passages_read)
    assert matches and fake.calls == before  # the question less its names came with the search; paths are stored
    generation = assistant.generation
    focus = fake.embed(["How many people live in?"])[0]
    for sid, value in matches.items():
        path = field_path(generation, generation.sentences[sid])
        assert value == pytest.approx(float(np.dot(focus, fake.embed([path])[0])), abs=1e-5)


def test_a_worker_embeds_each_field_path_once_across_its_segments(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.index.reading import BoundedReader
    from qa.index.segment import open_segment
    from qa.index.store import SEGMENTS
    from qa.index.sync import field_paths, make_segment, read_part

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, total in (("peru", "34,352,719"), ("chile", "18,664,652")):
        (corpus / f"{name}.md").write_text(
            f"# {name.title()}\n\n## People\n\n### Population\n**total:** {total}\n\n### Capital\n**name:** {name}ville\n",
            encoding="utf-8",
        )
    (corpus / "chile.md").write_text(
        (corpus / "chile.md").read_text(encoding="utf-8") + "\n### Median age\n**total:** 35.3 years\n",
        encoding="utf-8",
    )
    settings = Settings()
    reader = BoundedReader(settings.read_seconds)
    parts = [read_part(reader, corpus, corpus / f"{name}.md", settings) for name in ("peru", "chile")]
    assert not any(isinstance(p, str) for p in parts)
    (tmp_path / "index" / SEGMENTS).mkdir(parents=True)
    known: dict = {}  # type: ignore[type-arg]
    first = make_segment(tmp_path / "index", "a", parts[:1], fake, known_fields=known)
    before = fake.calls
    second = make_segment(tmp_path / "index", "b", parts[1:], fake, known_fields=known)
    peru, chile = (field_paths([p]) for p in parts)  # type: ignore[list-item]
    assert first.fields == len(peru) and second.fields == len(chile - peru) == 1  # only "Median age: total" is new
    embedded = fake.calls - before - second.passages - second.sentences
    assert embedded == 1
    stored = open_segment(tmp_path / "index" / SEGMENTS / "b").fields()
    assert sorted(stored) == sorted(chile)  # the segment holds all its paths, the known ones among them
    for path, vector in stored.items():
        assert np.allclose(vector, fake.embed([path])[0], atol=1e-6)
