"""Words stored with each segment (`qa.index.words`): every sentence's and paragraph's stems and, with an embedder
that numbers its word pieces, every sentence's pieces. Oracles: the tokenizer over the same text, and the answers of
the same index read without the stored words."""

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from test_segments import COUNTRIES, QUESTIONS, write

from qa import Assistant
from qa.errors import IndexCorruptError
from qa.index import segment as segment_module
from qa.index.embedding import HashingEmbedder
from qa.index.store import Generation, load_generation, verify_generation
from qa.index.sync import MERGE_SMALL, sync_index
from qa.index.words import PIECE_FILES, STEM_FILES
from qa.settings import Settings
from qa.text.tokens import tokenize
from qa.vectors import normalise

_WORD = re.compile(r"\w+")
TABLE = normalise(np.random.default_rng(7).standard_normal((997, 24)).astype(np.float32))


def _number(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % len(TABLE)


class PiecedEmbedder(HashingEmbedder):
    """The hashing fake with numbered word pieces, as a real model has: each lower-cased word is one piece, numbered
    by its hash, whose vector is that row of a fixed random table."""

    @property
    def numbers_pieces(self) -> bool:
        return True

    def piece_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        return [np.asarray([_number(w) for w in _WORD.findall(text.lower())], dtype=np.int64) for text in texts]

    def piece_rows(self, ids: np.ndarray) -> np.ndarray:
        return TABLE[ids]

    def piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        return [self.piece_rows(ids) for ids in self.piece_ids(texts)]


def built(tmp_path: Path, embedder: HashingEmbedder, segment_passages: int = 8) -> Path:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    tmp_path.mkdir(parents=True, exist_ok=True)
    write(corpus, {name: 0 for name in COUNTRIES})
    sync_index(corpus, index, embedder, segment_passages=segment_passages)
    return index


def sentence_texts(generation: Generation) -> dict[int, tuple[str, str]]:
    out = {}
    for s in generation.sentences:
        text = generation.documents[s.doc].text
        out[s.sid] = (text[s.start : s.end], text[s.para_start : s.para_end])
    return out


def answers(index: Path, embedder: HashingEmbedder) -> list[tuple]:  # type: ignore[type-arg]
    assistant = Assistant.open(index, embedder=embedder, settings=Settings(abstain_below=0.0))
    out = []
    for question in QUESTIONS:
        a = assistant.ask(question)
        out.append((a.text, a.short_answer, a.confidence, [(c.doc_id, c.start, c.end) for c in a.citations]))
    return out


def test_each_sentence_and_paragraph_has_its_stems_stored(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = built(tmp_path, fake)
    generation = load_generation(index)
    assert len(generation.segments) > 1 and all(s.words is not None for s in generation.segments)
    own, paragraphs = generation.sentence_words()
    texts = sentence_texts(generation)
    assert len(texts) == len(generation.sentences) > 50
    for sid, (text, paragraph) in texts.items():
        assert own[sid] == frozenset(tokenize(text)), sid
        assert paragraphs[sid] == frozenset(tokenize(paragraph)), sid
    assert own.get(len(generation.sentences)) is None and own.get(-1) is None
    assert generation.sentence_pieces(texts) == {}  # the plain hashing fake numbers no pieces
    # the mappings list (by segment) exactly the sentences whose words are stored: probed one by one here
    probed = [sid for sid in range(len(generation.sentences)) if generation.sentences.stored_words(sid) is not None]
    assert list(own) == list(paragraphs) == probed and len(own) == len(probed)
    for doc in range(len(generation.documents)):  # a document's passages, as the table places them
        first, last = generation.document_passages(doc)
        assert [p.pid for p in generation.passages if p.doc == doc] == list(range(first, last))
        segment, local = generation.locate(generation.documents.info[doc].doc_id) or (None, -1)
        assert segment is generation.segments[generation.documents.place(doc)[0]] and local >= 0


def test_each_sentences_word_pieces_are_stored_and_carried_through_a_merge(tmp_path: Path) -> None:
    embedder = PiecedEmbedder(64, model_id="hashing:64")
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    versions = {name: 0 for name in COUNTRIES[:6]}
    write(corpus, versions)
    sync_index(corpus, index, embedder, segment_passages=1000)
    merged = 0
    for round_ in range(1, MERGE_SMALL + 1):
        versions[COUNTRIES[round_]] = round_
        write(corpus, versions)
        merged += sync_index(corpus, index, embedder, segment_passages=1000).segments_merged
    assert merged >= MERGE_SMALL  # the pieces below came through a merge, not from the embedder
    generation = load_generation(index)
    texts = sentence_texts(generation)
    stored = generation.sentence_pieces(texts)
    assert set(stored) == set(texts)
    for sid, (text, _) in texts.items():
        assert stored[sid].tolist() == embedder.piece_ids([text])[0].tolist(), sid


def test_answers_read_from_stored_words_equal_answers_that_tokenise_each_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = PiecedEmbedder(64, model_id="hashing:64")
    index = built(tmp_path, embedder)
    tokenised: list[str] = []
    import qa.answering.features as features

    real_token_set = features.token_set
    monkeypatch.setattr(features, "token_set", lambda text: tokenised.append(text) or real_token_set(text))
    asked_pieces: list[str] = []
    monkeypatch.setattr(
        embedder,
        "piece_vectors",
        lambda texts: asked_pieces.extend(texts) or PiecedEmbedder.piece_vectors(embedder, texts),
    )
    stored = answers(index, embedder)
    assert tokenised == []  # every sentence's and paragraph's words came from the index
    sentences = set(sentence_texts(load_generation(index)).values())
    assert not {text for text, _ in sentences} & set(asked_pieces)  # and every sentence's pieces
    monkeypatch.setattr(Generation, "sentence_words", lambda self: ({}, {}))
    monkeypatch.setattr(Generation, "sentence_pieces", lambda self, sids: {})
    assert answers(index, embedder) == stored
    assert tokenised and {text for text, _ in sentences} & set(asked_pieces)


def test_a_segment_written_without_stored_words_answers_as_one_with_them(
    tmp_path: Path, fake, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    with_words = built(tmp_path / "new", fake)
    monkeypatch.setattr(segment_module, "stem_arrays", lambda documents: {})  # as segments were written before
    without = built(tmp_path / "old", fake)
    monkeypatch.undo()
    old = load_generation(without)
    assert all(s.words is None for s in old.segments)
    assert not any((s.folder / f).exists() for s in old.segments for f in (*STEM_FILES, *PIECE_FILES))
    assert old.sentence_words()[0].get(0) is None
    assert answers(without, fake) == answers(with_words, fake)
    assert verify_generation(without) == []


def test_a_damaged_stored_words_file_is_caught(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = built(tmp_path, fake, segment_passages=100_000)
    folder = load_generation(index).segments[0].folder
    assert json.loads((folder / "segment.json").read_text())["sizes"]["stem_ids.npy"] > 0
    target = folder / "stem_ids.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    assert any("stem_ids.npy" in problem for problem in verify_generation(index))
    target.write_bytes(bytes(data[:-4]))
    with pytest.raises(IndexCorruptError, match=r"stem_ids\.npy"):
        load_generation(index)


def test_the_next_index_run_stores_the_words_of_older_segments_without_embedding_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = PiecedEmbedder(64, model_id="hashing:64")
    monkeypatch.setattr(segment_module, "stem_arrays", lambda documents: {})  # as segments were written before
    monkeypatch.setattr(embedder, "piece_ids", lambda texts: None)
    index = built(tmp_path, embedder)
    monkeypatch.undo()
    before = answers(index, embedder)
    assert all(s.words is None for s in load_generation(index).segments)
    calls = embedder.calls
    report = sync_index(tmp_path / "corpus", index, embedder, segment_passages=8)
    assert embedder.calls == calls and not report.changed
    assert any("words stored" in note for note in report.notes), report.notes
    generation = load_generation(index)
    assert all(s.words is not None and s.words.has_pieces for s in generation.segments)
    assert set(generation.sentence_pieces(range(len(generation.sentences)))) == set(range(len(generation.sentences)))
    assert answers(index, embedder) == before
    again = sync_index(tmp_path / "corpus", index, embedder, segment_passages=8)
    assert again.generation is None and not again.notes  # up to date: nothing written


def test_threads_reading_a_segments_words_at_once_map_each_file_once(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    """numpy reads a file's header with `ast.literal_eval`; CPython 3.11 compiling in two threads at once can raise
    SystemError, so the first read of each stored array is made by one thread, once."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from qa.index.words import StoredWords

    index = built(tmp_path, fake)
    folder = load_generation(index).segments[0].folder
    loads: list[str] = []
    barrier = threading.Barrier(8)

    def load(path: Path) -> np.ndarray:
        loads.append(path.name)
        return np.load(path, mmap_mode="r")

    words = StoredWords.open(folder, load, pieces=False)

    def read(i: int) -> frozenset[str]:
        barrier.wait()
        return words.sentence(i) | words.paragraph(i)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(read, range(8)))
    assert sorted(loads) == sorted(set(loads)) and {"stem_ids.npy", "stem_starts.npy"} <= set(loads)
    assert results == [words.sentence(i) | words.paragraph(i) for i in range(8)]
