"""The learned reader: its blend (pure), its place in answering (a deterministic fake scorer), its files, and the
merge of its adapter; the real model reading real pairs is in `test_real.py`."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qa.answering.features import Candidates, Scored
from qa.answering.pipeline import answer
from qa.answering.questions import analyse
from qa.answering.reader import Blend, blended, reader_text
from qa.errors import WeightsError
from qa.index.reader import READER_ARRAYS, READER_FILE, CrossReader, merged_weight, read_reader_file
from qa.records import Hit
from qa.settings import DEFAULT_MODEL
from tests.test_rerank import CHECKS, idf


def scored(*scores: float) -> list[Scored]:
    return [
        Scored(sid=i, score=s, cosine=0.0, overlap=0.0, passage_score=0.0, phrase=None, hit=Hit(pid=0, score=0.0))
        for i, s in enumerate(scores)
    ]


def test_the_reader_moves_only_the_sentences_it_read() -> None:
    items = scored(3.0, 2.9, 2.0, 1.0)
    # the second sentence's reader score lifts it above the first; the two below are untouched
    out = blended(items, [0.0, 1.0], Blend(top=2, weight=0.5))
    assert [s.sid for s in out] == [1, 0, 2, 3]
    assert [s.score for s in out] == pytest.approx([2.9 + 0.25, 3.0 - 0.25, 2.0, 1.0])
    # a weight of 0 changes nothing; nor does one sentence alone
    assert [s.sid for s in blended(items, [0.0, 1.0], Blend(2, 0.0))] == [0, 1, 2, 3]
    assert blended(items[:1], [5.0], Blend(2, 1.0)) == items[:1]


def test_equal_blended_scores_keep_todays_order() -> None:
    out = blended(scored(2.0, 1.0), [0.0, 2.0], Blend(2, 0.5))  # 2.0 - 0.5 == 1.0 + 0.5
    assert [s.sid for s in out] == [0, 1]


def test_the_reader_is_shown_the_title_and_headings_before_the_sentence() -> None:
    assert (
        reader_text("Mexico", ("People", "Population"), "**total:** 130")
        == "Mexico / People / Population: **total:** 130"
    )
    assert reader_text("Huguenot", (), "They fled.") == "Huguenot: They fled."


@dataclass
class FavouringReader:
    """A fake reader: scores 1 for a text holding `word`, else 0; remembers what it was shown."""

    word: str
    top: int = 3
    weight: float = 100.0
    shown: list[tuple[str, tuple[str, ...]]] | None = None

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        if self.shown is not None:
            self.shown.append((question, tuple(texts)))
        return [1.0 if self.word in t else 0.0 for t in texts]


def test_answering_quotes_the_sentence_the_reader_lifts() -> None:
    hits = [Hit(pid=1, score=0.03), Hit(pid=0, score=0.02)]
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in CHECKS.sentences}
    question = analyse("When did Amsterdam give Huguenots full rights in 1705?")
    candidates = Candidates(CHECKS, question, hits, np.zeros(4, dtype=np.float32), vectors, idf)
    plain = answer(candidates, abstain_below=0.0)
    assert plain.citations[0].quote == "In 1705 Amsterdam gave Huguenots full rights."
    shown: list[tuple[str, tuple[str, ...]]] = []
    lifted = answer(candidates, abstain_below=0.0, reader=FavouringReader("quarter", shown=shown))
    assert lifted.citations[0].quote == "Around 1700 a quarter of Amsterdam was Huguenot."
    # it was shown the question as searched and the best three sentences, each with its document's title
    ((asked, texts),) = shown
    assert asked == question.search_text and len(texts) == 3
    assert all(t.startswith(CHECKS.documents[0].title) or t.startswith(CHECKS.documents[1].title) for t in texts)
    # a reader that favours nothing leaves the answer as it was
    assert answer(candidates, abstain_below=0.0, reader=FavouringReader("zzz")).citations == plain.citations


def test_the_shipped_reader_file_reads_and_names_its_model() -> None:
    info = read_reader_file()
    assert info.model == DEFAULT_MODEL and info.top >= 1 and info.weight >= 0
    with np.load(READER_ARRAYS) as arrays:
        names = set(arrays.files)
    adapted = {n.removesuffix(".a") for n in names if n.endswith(".a")}
    assert {n.removesuffix(".b") for n in names if n.endswith(".b")} == adapted
    # every layer's every target map has its two matrices ("layer.3.attention.self.query")
    for layer in range(6):
        for target in info.config.targets:
            assert any(n.startswith(f"layer.{layer}.") and n.endswith(f".{target}") for n in adapted)
    assert READER_ARRAYS.stat().st_size < 5_000_000


def test_a_reader_file_for_another_model_or_format_is_refused(tmp_path: Path) -> None:
    data = json.loads(READER_FILE.read_text(encoding="utf-8"))
    other = tmp_path / "reader.json"
    other.write_text(json.dumps(data | {"model": "package:another"}), encoding="utf-8")
    with pytest.raises(WeightsError, match="fitted over package:another"):
        CrossReader(DEFAULT_MODEL, path=other)
    other.write_text(json.dumps(data | {"format_version": 99}), encoding="utf-8")
    with pytest.raises(WeightsError, match="format version 99"):
        read_reader_file(other)
    other.write_text("{", encoding="utf-8")
    with pytest.raises(WeightsError, match="Restore it from git"):
        read_reader_file(other)


def test_the_adapter_is_merged_as_its_low_rank_product() -> None:
    rng = np.random.default_rng(0)
    weight, a, b = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=(4, 2))
    x = rng.normal(size=3)
    # a LoRA layer computes W x + scale · B (A x): the merged weight gives the same output
    assert merged_weight(weight, a, b, 2.0) @ x == pytest.approx(weight @ x + 2.0 * (b @ (a @ x)))


def test_a_reader_whose_arrays_are_missing_says_so_on_first_use(tmp_path: Path) -> None:
    lone = tmp_path / "reader.json"
    lone.write_text(READER_FILE.read_text(encoding="utf-8"), encoding="utf-8")  # no reader.npz beside it
    reader = CrossReader(DEFAULT_MODEL, path=lone)
    with pytest.raises(WeightsError, match="Cannot read the learned reader's arrays"):
        reader.score("What is the capital of Canada?", ["Canada: Ottawa"])
