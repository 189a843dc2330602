from pathlib import Path

import numpy as np
import pytest

from qa.errors import CorpusError
from qa.index.store import current_name, load_generation
from qa.index.sync import sync_index
from qa.settings import Settings


def test_first_build_reports_added_and_skips_bad_files(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    (tiny_corpus / "notes.xlsx").write_bytes(b"x")
    (tiny_corpus / "blank.txt").write_text("   \n", encoding="utf-8")
    (tiny_corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tiny_corpus / ".hidden.txt").write_text("Hidden\n\nNever indexed.\n", encoding="utf-8")
    report = sync_index(tiny_corpus, tmp_path / "index", fake)
    assert report.added == ["alpha.md", "beta.txt"]
    assert dict(report.skipped) == {
        "binary.txt": "looks binary: no text encoding fits",
        "blank.txt": "empty file",
        "notes.xlsx": "unsupported file type '.xlsx'",
    }
    summary = report.summary()
    assert "added" in summary and "binary.txt: looks binary" in summary
    assert report.generation == current_name(tmp_path / "index")


def test_only_new_or_changed_files_are_embedded(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    first = load_generation(index)
    calls = fake.calls

    report = sync_index(tiny_corpus, index, fake)
    assert not report.changed and report.generation is None and fake.calls == calls
    assert current_name(index) == first.name

    (tiny_corpus / "beta.txt").write_text(
        "Beta Briefing, July 2023\n\nPolitics\n\nBeta elected a new council.\n", encoding="utf-8"
    )
    (tiny_corpus / "sub").mkdir()
    (tiny_corpus / "sub" / "gamma.md").write_text("# Gamma\n\nGamma grows rice. Gamma sells rice.\n", encoding="utf-8")
    (tiny_corpus / "alpha.md").unlink()
    report = sync_index(tiny_corpus, index, fake)
    assert (report.added, report.updated, report.removed, report.unchanged) == (
        ["sub/gamma.md"],
        ["beta.txt"],
        ["alpha.md"],
        [],
    )
    generation = load_generation(index)
    assert [d.doc_id for d in generation.documents] == ["beta.txt", "sub/gamma.md"]
    assert report.embedded == len(generation.passages)
    assert report.embedded_sentences == len(generation.sentences)
    assert fake.calls - calls == report.embedded + report.embedded_sentences + report.embedded_fields


def test_unchanged_documents_keep_vectors_and_ids_stay_consistent(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    before = load_generation(index)
    (tiny_corpus / "aaa.txt").write_text("First Note\n\nA new note arrives first in order.\n", encoding="utf-8")
    sync_index(tiny_corpus, index, fake)
    after = load_generation(index)
    assert [d.doc_id for d in after.documents] == ["aaa.txt", "alpha.md", "beta.txt"]
    for generation in (before, after):
        for p in generation.passages:
            assert generation.sentences[p.first_sentence].passage == p.pid
            assert generation.sentences[p.last_sentence].doc == p.doc
        for s in generation.sentences:
            assert generation.passages[s.passage].doc == s.doc
    old = {(before.documents[p.doc].doc_id, p.start): i for i, p in enumerate(before.passages)}
    old_vectors, new_vectors = before.vectors(), after.vectors()
    for i, p in enumerate(after.passages):
        key = (after.documents[p.doc].doc_id, p.start)
        if key in old:
            assert (old_vectors[old[key]] == new_vectors[i]).all()
    old_sentences = {(before.documents[s.doc].doc_id, s.start): s.sid for s in before.sentences}
    reused = 0
    for s in after.sentences:
        key = (after.documents[s.doc].doc_id, s.start)
        if key in old_sentences:
            reused += 1
            assert (before.sentence_vectors[old_sentences[key]] == after.sentence_vectors[s.sid]).all()
        else:
            assert s.doc == 0  # only the new first document's sentences are new
    assert reused == len(before.sentences)


def test_changed_settings_rebuild_everything(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    report = sync_index(tiny_corpus, index, fake, Settings(passage_max_words=20))
    assert report.updated == ["alpha.md", "beta.txt"] and "rebuilding everything" in report.notes[0]


def test_empty_or_missing_corpus_is_a_clear_error(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CorpusError, match="does not exist"):
        sync_index(tmp_path / "missing", tmp_path / "index", fake)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="folder is empty"):
        sync_index(tmp_path / "empty", tmp_path / "index", fake)
    assert current_name(tmp_path / "index") is None


def test_removing_every_file_empties_the_index(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    for path in tiny_corpus.iterdir():
        path.unlink()
    report = sync_index(tiny_corpus, index, fake)
    assert sorted(report.removed) == ["alpha.md", "beta.txt"]
    assert len(load_generation(index).documents) == 0


def test_a_one_line_briefing_is_indexed_and_quotable(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Mexico supplies Russia with coffee, pepper and food products.\n", encoding="utf-8")
    report = sync_index(corpus, tmp_path / "index", fake)
    assert report.added == ["one.txt"] and report.skipped == []
    answer = Assistant.open(tmp_path / "index", embedder=fake, settings=Settings(abstain_below=0.0)).ask(
        "What does Mexico supply to Russia?"
    )
    assert answer.citations[0].quote == "Mexico supplies Russia with coffee, pepper and food products."


def test_an_up_to_date_run_clears_what_a_killed_run_left(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    left = index / ".tmp-gen-000002-99999"  # a run killed mid-write leaves its temporary folder
    left.mkdir()
    (left / "passages.jsonl").write_text("partial", encoding="utf-8")
    report = sync_index(tiny_corpus, index, fake)
    assert not report.changed and not left.exists()


def test_pooled_sentence_vectors_come_from_the_passage_pass(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    """With `sentence_vectors="pooled"` each passage is embedded once with its sentences' spans (the fake hashes
    each span's words, so a pooled vector equals the sentence's searchable text embedded): no second pass."""
    from qa.settings import Settings
    from qa.text.chunking import searchable

    settings = Settings(sentence_vectors="pooled")
    report = sync_index(tiny_corpus, tmp_path / "index", fake, settings)
    generation = load_generation(tmp_path / "index")
    assert report.embedded_sentences == len(generation.sentences)
    assert fake.calls == len(generation.passages) + report.embedded_fields  # one call a passage, none a sentence
    for s in generation.sentences:
        text = searchable(generation.documents[s.doc].text[s.start : s.end])
        assert np.allclose(generation.sentence_vectors[s.sid], fake.embed([text])[0])
    assert generation.manifest["settings"]["sentence_vectors"] == "pooled"
    again = sync_index(tiny_corpus, tmp_path / "index", fake)  # the other way: everything embedded again
    assert "settings changed" in " ".join(again.notes)
