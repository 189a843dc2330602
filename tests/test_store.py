import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import newest_segment
from qa.errors import IndexCorruptError, IndexLockedError, IndexNotFoundError
from qa.index import store
from qa.index.store import current_name, load_generation, writer_lock
from qa.index.sync import sync_index
from qa.settings import Settings
from qa.text.chunking import sentence_embed_text


def test_round_trip_and_manifest(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    generation = load_generation(index)
    manifest = generation.manifest
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["model"] == "hashing:256" and manifest["dimension"] == 256
    assert manifest["counts"] == {
        "documents": 2,
        "passages": len(generation.passages),
        "sentences": len(generation.sentences),
    }
    assert set(manifest["files"]) == set(store.FILES)
    assert manifest["settings"]["passage_max_words"] == 160 and manifest["settings"]["passage_paragraph_words"] == 30
    assert not list(index.glob("*.pkl")) and not list(index.rglob("*.pickle"))
    vectors = generation.vectors()
    assert vectors.shape == (len(generation.passages), 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sentence_vectors = generation.sentence_vectors
    assert sentence_vectors.shape == (len(generation.sentences), 256) and sentence_vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(sentence_vectors, axis=1), 1.0, atol=1e-5)
    for sentence in generation.sentences:  # row i is sentence i's text, embedded
        document = generation.documents[sentence.doc]
        expected = fake.embed([sentence_embed_text(document, sentence)])[0]
        assert np.allclose(sentence_vectors[sentence.sid], expected)


def test_an_index_of_the_older_format_asks_for_a_rebuild(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    manifest_path = index / current_name(index) / "manifest.json"  # type: ignore[operator]
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match=r"format version 1.*--rebuild"):
        load_generation(index)
    report = sync_index(tiny_corpus, index, fake)  # `qa index` rebuilds it without being asked
    assert report.notes == ["the index was written by another version of this program; rebuilding everything"]
    assert report.generation is not None and load_generation(index).manifest["format_version"] == store.FORMAT_VERSION


def test_a_flipped_byte_is_caught_by_verify_and_a_cut_file_at_open(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    assert store.verify_generation(index) == []
    target = newest_segment(index) / "vectors.faiss"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    assert store.verify_generation(index) == [f"segments/{target.parent.name}/vectors.faiss: fails its checksum"]
    target.write_bytes(bytes(data[:-10]))  # cut short: the open itself refuses it (sizes are checked, not hashes)
    with pytest.raises(IndexCorruptError, match="cut short"):
        load_generation(index)


def test_records_are_read_by_number_and_match_what_was_written(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.text.chunking import chunk_document

    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    generation = load_generation(index)
    for d, info in enumerate(generation.documents.info):
        document = generation.documents[d]
        assert document.doc_id == info.doc_id and len(document.text) == info.chars
        settings = Settings()
        chunked = chunk_document(
            document, d, settings.passage_max_words, settings.passage_max_pieces,
            paragraph_min_words=settings.passage_paragraph_words,
        )  # fmt: skip
        sentences = generation.sentences.of_document(d)
        assert [(s.start, s.end, s.section) for s in (generation.sentences[i] for i in sentences)] == [
            (s.start, s.end, s.section) for s in chunked.sentences
        ]
        assert info.sentences == len(sentences) and info.passages == sum(p.doc == d for p in generation.passages)
    assert [p.text for p in generation.passages[:2]] and generation.passages[-1].pid == len(generation.passages) - 1
    with pytest.raises(IndexError):
        generation.sentences[len(generation.sentences)]


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="qa index"):
        load_generation(tmp_path / "nothing")


def test_a_failed_write_leaves_the_current_generation(monkeypatch, tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    before = current_name(index)
    (tiny_corpus / "gamma.txt").write_text("Gamma Note\n\nGamma grows rice.\n", encoding="utf-8")
    from qa.index import segment

    real_write = store.write_file
    for fail_at in range(1, 17):  # each file of the new segment, then of the commit, then the pointer
        calls = {"n": 0}

        def failing(path: Path, data: bytes, fail_at: int = fail_at, calls: dict = calls) -> None:  # type: ignore[type-arg]
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            real_write(path, data)

        monkeypatch.setattr(store, "write_file", failing)
        monkeypatch.setattr(segment, "write_file", failing)
        with pytest.raises(OSError, match="No space"):
            sync_index(tiny_corpus, index, fake)
        monkeypatch.setattr(store, "write_file", real_write)
        monkeypatch.setattr(segment, "write_file", real_write)
        assert current_name(index) == before
        assert len(load_generation(index).documents) == 2
        assert not list(index.glob(".tmp-*")) and not list(index.glob("segments/.tmp-*"))
    sync_index(tiny_corpus, index, fake)
    assert len(load_generation(index).documents) == 3


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    with writer_lock(tmp_path), pytest.raises(IndexLockedError, match="already writing"), writer_lock(tmp_path):
        pass


def test_old_generations_are_pruned_but_current_kept(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    for i in range(4):
        (tiny_corpus / "extra.txt").write_text(f"Extra\n\nVersion {i} of the note.\n", encoding="utf-8")
        sync_index(tiny_corpus, index, fake)
    names = sorted(p.name for p in index.glob("gen-*"))
    assert len(names) == store.KEEP_GENERATIONS and current_name(index) == names[-1]


@pytest.mark.slow
def test_kill_9_during_reindex_always_leaves_a_complete_generation(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    words = [
        "trade",
        "energy",
        "wheat",
        "oil",
        "gas",
        "copper",
        "minister",
        "treaty",
        "summit",
        "export",
        "import",
        "port",
    ]
    rng = random.Random(7)
    for i in range(150):
        body = " ".join(rng.choice(words) for _ in range(400))
        (corpus / f"doc{i:03d}.txt").write_text(f"Note {i}\n\n{body}.\n", encoding="utf-8")
    env = {**os.environ, "QA_MODEL": "hashing:64"}
    command = [sys.executable, "-m", "qa", "index", str(corpus), "--index", str(index), "--quiet"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    for i in range(150):
        (corpus / f"doc{i:03d}.txt").write_text(f"Note {i} timing\n\nchanged {i}.\n", encoding="utf-8")
    subprocess.run(command, env=env, check=True, capture_output=True)
    full_run = time.perf_counter() - started
    kills = 0
    for attempt in range(12):
        for i in rng.sample(range(150), 60):
            (corpus / f"doc{i:03d}.txt").write_text(
                f"Note {i} v{attempt}\n\nchanged {attempt} {i}.\n", encoding="utf-8"
            )
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 1.0) * full_run)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        generation = load_generation(index)  # verifies checksums and counts
        assert len(generation.documents) == 150
        for sentence in generation.sentences[:50]:
            document = generation.documents[sentence.doc]
            assert document.text[sentence.start : sentence.end].strip()
    assert kills >= 3, "the runs finished too fast to be interrupted; enlarge the corpus"


def write_version_2(index: Path, generation: store.Generation) -> str:
    """The generation written again as format 2 did (JSON lines, the sentence vectors in one .npy file)."""
    import io

    import faiss

    name = "gen-000099"
    folder = index / name
    folder.mkdir()
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(generation.sentence_vectors), allow_pickle=False)
    payloads = {
        "vectors.faiss": faiss.serialize_index(store.build_faiss(generation.vectors(), 256)).tobytes(),
        "documents.jsonl": "".join(d.model_dump_json() + "\n" for d in generation.documents).encode(),
        "passages.jsonl": "".join(p.model_dump_json() + "\n" for p in generation.passages).encode(),
        "sentences.jsonl": "".join(s.model_dump_json() + "\n" for s in generation.sentences).encode(),
        "sentences.npy": buffer.getvalue(),
    }
    for filename, data in payloads.items():
        (folder / filename).write_bytes(data)
    manifest = {**generation.manifest, "format_version": 2, "generation": name}
    manifest["files"] = {f: store.content_hash(d) for f, d in payloads.items()}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (index / "CURRENT").write_text(name + "\n")
    return name


def answered(index: Path, fake) -> dict:  # type: ignore[no-untyped-def, type-arg]
    from qa import Assistant

    return (
        Assistant.open(index, embedder=fake).ask("What does Beta sell to Alpha?").model_dump(exclude={"index_version"})
    )


def indexed_and_answered(corpus: Path, tmp_path: Path, fake) -> tuple[Path, store.Generation, dict]:  # type: ignore[no-untyped-def, type-arg]
    """An index of `corpus`, its generation, and its answer to a question (what an upgrade must keep)."""
    index = tmp_path / "index"
    sync_index(corpus, index, fake)
    return index, load_generation(index), answered(index, fake)


def upgraded_unchanged(corpus: Path, index: Path, fake, before: store.Generation) -> store.Generation:  # type: ignore[no-untyped-def]
    """The next `qa index` upgrades the old format without embedding, to the same records, checksums intact."""
    embedded = fake.calls
    report = sync_index(corpus, index, fake)
    assert report.notes[0].startswith("the index was upgraded to the current format") and fake.calls == embedded
    after = load_generation(index)
    assert after.manifest["format_version"] == store.FORMAT_VERSION and store.verify_generation(index) == []
    assert list(after.sentences) == list(before.sentences) and list(after.passages) == list(before.passages)
    return after


def test_an_index_of_format_2_is_upgraded_without_embedding_again(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index, before, expected = indexed_and_answered(tiny_corpus, tmp_path, fake)
    write_version_2(index, before)
    with pytest.raises(IndexCorruptError, match="format version 2"):
        load_generation(index)
    after = upgraded_unchanged(tiny_corpus, index, fake, before)
    assert np.array_equal(after.vectors(), before.vectors())
    assert answered(index, fake) == expected


def test_the_stored_counts_of_field_lines_find_the_same_profiles_as_counting(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.answering.features import profile_documents, profiles_from_counts

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "profile.md").write_text(
        "# Peru\n\n## Geography\n\n### Area\n**total:** 1,285,216 sq km\n**land:** 1,279,999 sq km\n"
        "**water:** 5,220 sq km\n\n### Climate\nvaries from tropical in east to dry desert in west.\n",
        encoding="utf-8",
    )
    (corpus / "prose.md").write_text(
        "# Note\n\nThe minister visited Lima. **Trade** grew by ten percent.\n", encoding="utf-8"
    )
    sync_index(corpus, tmp_path / "index", fake)
    generation = load_generation(tmp_path / "index")
    assert (
        profiles_from_counts(generation.documents.info)
        == profile_documents(generation)
        == {generation.doc_by_id["profile.md"]}
    )


def test_an_index_of_format_3_is_upgraded_without_embedding_again(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    """Format 3 kept one set of the columns a segment holds (and BM25 weights, now counts): it becomes one segment."""
    import shutil

    index, before, expected = indexed_and_answered(tiny_corpus, tmp_path, fake)
    folder = index / "gen-000099"
    folder.mkdir()
    core = ("vectors.faiss", "sentence_vectors.npy", "passages.npy", "sentences.npy", "sections.json", "records.sqlite")
    for filename in core:
        shutil.copy(newest_segment(index) / filename, folder / filename)
    manifest = {**before.manifest, "format_version": 3, "generation": "gen-000099"}
    manifest["files"] = {f: store.content_hash((folder / f).read_bytes()) for f in core}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (index / "CURRENT").write_text("gen-000099\n")
    upgraded_unchanged(tiny_corpus, index, fake, before)
    assert answered(index, fake) == expected
