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

from qa.errors import IndexCorruptError, IndexLockedError, IndexNotFoundError
from qa.index import store
from qa.index.store import current_name, load_generation, writer_lock
from qa.index.sync import sync_index
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


def test_a_flipped_byte_is_caught_by_the_checksum(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    target = index / current_name(index) / "vectors.faiss"  # type: ignore[operator]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        load_generation(index)


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="qa index"):
        load_generation(tmp_path / "nothing")


def test_a_failed_write_leaves_the_current_generation(monkeypatch, tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    before = current_name(index)
    (tiny_corpus / "gamma.txt").write_text("Gamma Note\n\nGamma grows rice.\n", encoding="utf-8")
    real_write = store.write_file
    for fail_at in range(1, 7):
        calls = {"n": 0}

        def failing(path: Path, data: bytes, fail_at: int = fail_at, calls: dict = calls) -> None:  # type: ignore[type-arg]
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            real_write(path, data)

        monkeypatch.setattr(store, "write_file", failing)
        with pytest.raises(OSError, match="No space"):
            sync_index(tiny_corpus, index, fake)
        monkeypatch.setattr(store, "write_file", real_write)
        assert current_name(index) == before
        assert len(load_generation(index).documents) == 2
        assert not list(index.glob(".tmp-*"))
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
