"""The candidate sentences a learned reader would re-rank, with their labels: what `fit_reader.py` trains and
chooses on, and what `reader_eval.py` measures.

    python -m benchmarks.reader_groups      # needs ../shared and the cached SQuAD and Factbook indexes

Each answerable question is answered by the product's own path up to the sentence scores (`rank_sentences`
with the shipped weights); its best `KEPT` sentences are written with the text a reader sees (`reader_text`)
and whether each holds the answer (a gold SQuAD span's text; the Factbook's gold line), one JSON line a
question, in `benchmarks/.cache/reader/{split}.jsonl`. Each tune row carries a fold: "train" (the reader's
weights are fitted on these), or "choose" (every third SQuAD tune article, every third Factbook tune country:
how much the reader's score counts is chosen on these, which it never trained on). Held-out rows only report.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.factbook import question_bank
from benchmarks.harness import CACHE, FACTBOOK, SQUAD_DEV, cached_assistant, needs, real_embedder
from benchmarks.squad import build_corpus, contains_answer
from benchmarks.tune import Item
from qa.answering.features import sentence_features, sentence_text
from qa.answering.model import rank_sentences
from qa.answering.reader import reader_text
from qa.answering.rerank import rerank
from qa.assistant import Assistant
from qa.assistant.retrieve import answering_inputs

KEPT = 8  # the best sentences kept a question (the reader re-ranks at most this many)
OUT = CACHE / "reader"


def squad_items(split: str) -> list[tuple[Item, str]]:
    out = []
    for gold in build_corpus(SQUAD_DEV, CACHE / "squad" / "corpus"):
        if gold.split != split or not gold.answerable:
            continue
        fold = "choose" if int(gold.doc_id[:2]) % 3 == 2 else "train"
        out.append(
            (
                Item("squad", gold.question, True, lambda p: True, lambda s, t, g=gold: contains_answer(t, g.answers)),
                fold,
            )
        )
    return out


def factbook_items(split: str, doc_by_id: dict[str, int]) -> list[tuple[Item, str]]:
    out = []
    countries: list[str] = []
    for asked in question_bank(split):
        gold = asked.gold
        if gold is None:
            continue
        if asked.country not in countries:
            countries.append(asked.country)
        fold = "choose" if countries.index(asked.country) % 3 == 2 else "train"
        doc = doc_by_id[gold.doc_id]
        says = lambda s, t, doc=doc, g=gold: s.doc == doc and g.overlaps(s.start, s.end)  # noqa: E731
        out.append((Item("factbook", asked.question, True, lambda p: True, says), fold))
    return out


def groups(assistant: Assistant, items: list[tuple[Item, str]]) -> list[dict[str, object]]:
    """Per question: the best `KEPT` sentences by today's score, their reader texts and labels."""
    generation, settings, weights = assistant.generation, assistant.settings, assistant.weights
    depth, top = settings.passages_read, settings.top_passages
    assistant.prime([item.question for item, _ in items])
    rows = []
    for item, fold in items:
        found = assistant.search(item.question)
        hits = found.hits[:depth]
        features = sentence_features(
            replace(answering_inputs(found, assistant.encoder, settings, weights), hits=hits), depth
        )
        if not features:
            continue
        scored = rank_sentences(features, rerank(generation, hits, features, weights), top, weights)[:KEPT]
        sentences = [generation.sentences[s.sid] for s in scored]
        texts = [sentence_text(generation, s) for s in sentences]
        rows.append(
            {
                "source": item.source,
                "fold": fold,
                "question": found.question.search_text,  # what the reader is shown, as in answering
                "sids": [s.sid for s in scored],
                "scores": [round(s.score, 5) for s in scored],
                "texts": [
                    reader_text(generation.documents[s.doc].title, tuple(s.section), t)
                    for s, t in zip(sentences, texts, strict=True)
                ],
                "labels": [bool(item.says(s, t)) for s, t in zip(sentences, texts, strict=True)],
            }
        )
    return rows


def write(split: str, rows: list[dict[str, object]]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{split}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def main() -> int:
    if not (needs(SQUAD_DEV) and needs(FACTBOOK)):
        return 2
    embedder = real_embedder()
    squad = cached_assistant("squad", CACHE / "squad" / "corpus", embedder)
    factbook = cached_assistant("factbook", FACTBOOK, embedder)
    factbook.prime_fields()
    for split in ("tune", "heldout"):
        started = time.perf_counter()
        rows = groups(squad, squad_items(split)) + groups(
            factbook, factbook_items(split, factbook.generation.doc_by_id)
        )
        path = write(split, rows)
        print(f"{split}: {len(rows)} questions in {time.perf_counter() - started:.0f} s → {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
