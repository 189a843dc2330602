"""Sentence vectors from the passage's own forward pass: what it saves in indexing, and what it does to answers.

    python -m benchmarks.pooling            # needs ../shared; about 15 minutes; writes docs/pooling.md

Today every sentence is embedded on its own, a second forward pass over the same words. The alternative:
run the model once over each passage and take, for each of its sentences, the mean of the model's outputs
for the word pieces inside the sentence's characters (`SentenceTransformerEmbedder.embed_with_spans`).
This script measures, side by side in one process on one thread:

1. throughput on the first 10 Factbook profiles: the bare model encoding the passages; the passages
   and then each sentence on its own (today); the passages with their sentences pooled;
2. agreement: the cosine between each sentence's two vectors, over the whole Factbook index;
3. answers on the Factbook **tune** countries (never held-out) with each kind of sentence vector, the
   index otherwise identical (the same passages, passage vectors, records, thresholds).

Nothing here changes how the project indexes: the table decides whether it should.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from benchmarks.harness import ROOT

CACHE = ROOT / "benchmarks" / ".cache"
DOCS = ROOT / "docs"
SAMPLE_PASSAGES = 800


def spans_in_passages(generation: Any) -> tuple[list[str], list[list[tuple[int, int]]], list[int]]:
    """Each live passage's text, where each of its sentences sits in it, and the sentences' numbers."""
    from qa.text.chunking import searchable

    texts, spans, order = [], [], []
    for passage in generation.passages:
        text = generation.documents[passage.doc].text
        cursor, own = 0, []
        for sid in range(passage.first_sentence, passage.last_sentence + 1):
            sentence = generation.sentences[sid]
            wanted = searchable(text[sentence.start : sentence.end])
            at = passage.text.find(wanted, cursor)
            own.append((at, at + len(wanted)) if at >= 0 else (0, 0))
            cursor = at + len(wanted) if at >= 0 else cursor
            order.append(sid)
        texts.append(passage.text)
        spans.append(own)
    return texts, spans, order


def pooled_index(source: Path, target: Path, embedder: Any) -> dict[str, Any]:
    """A copy of the index at `source` whose sentence vectors are pooled from its passages' forward passes."""
    from qa.index.store import load_generation, new_segment, read_words, write_commit, writer_lock
    from qa.text.chunking import sentence_embed_text

    generation = load_generation(source)
    texts, spans, order = spans_in_passages(generation)
    started = time.perf_counter()
    _, pooled = embedder.embed_with_spans(texts, spans)
    seconds = time.perf_counter() - started
    stored = np.asarray(generation.sentence_vectors)
    sentence_vectors = stored.copy()
    flat = [v for per_passage in pooled for v in per_passage]
    missing = [sid for sid, v in zip(order, flat, strict=True) if v is None]
    for sid, v in zip(order, flat, strict=True):
        if v is not None:
            sentence_vectors[sid] = v
    if missing:  # cut off by the model's length limit: embedded on their own, as today
        again = embedder.embed(
            [
                sentence_embed_text(generation.documents[generation.sentences[s].doc], generation.sentences[s])
                for s in missing
            ]
        )
        sentence_vectors[missing] = again
    cosines = np.sum(stored * sentence_vectors, axis=1)
    shutil.rmtree(target, ignore_errors=True)
    with writer_lock(target):
        segments = []
        for segment in generation.segments:
            parts, vectors = [], []
            for part, v, _ in segment.parts(range(len(segment.infos))):
                parts.append(part)
                vectors.append(v)
            lo = int(generation.documents._layout.sentence_offsets[len(segments)])
            rows = sentence_vectors[lo : lo + len(segment.srows)]
            segments.append(
                new_segment(target, parts, np.concatenate(vectors), rows, int(segment.index.d), segment.fields())
            )
        manifest = generation.manifest
        write_commit(target, segments, read_words(source, generation.name), manifest["model"], manifest["settings"],
                     int(manifest["dimension"]), manifest.get("corpus"))  # fmt: skip
    return {"passages": len(texts), "sentences": len(order), "pool_s": round(seconds, 1), "truncated": len(missing),
            "cosine_p50": round(float(np.median(cosines)), 3), "cosine_p10": round(float(np.quantile(cosines, 0.1)), 3)}  # fmt: skip


def throughput(embedder: Any, factbook: Path) -> dict[str, Any]:
    """The three ways of embedding the first 10 profiles' passages, timed one after another."""
    from qa.index.sync import sync_index
    from qa.settings import Settings
    from qa.text.chunking import sentence_embed_text

    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        for path in sorted(factbook.glob("*.md"))[:10]:
            shutil.copy(path, corpus / path.name)
        from qa.index.embedding import HashingEmbedder

        sync_index(corpus, Path(work) / "index", HashingEmbedder(384, model_id="hashing:384"), Settings())
        from qa.index.store import load_generation

        generation = load_generation(Path(work) / "index")
        texts, spans, order = spans_in_passages(generation)
        sentences = [
            sentence_embed_text(generation.documents[generation.sentences[s].doc], generation.sentences[s])
            for s in order
        ]
    embedder.embed(["warm up"])
    times: dict[str, list[float]] = {"bare": [], "separate": [], "pooled": []}
    for _ in range(2):  # alternated, the medians of two rounds
        t = time.perf_counter()
        embedder.embed(texts)
        times["bare"].append(time.perf_counter() - t)
        t = time.perf_counter()
        embedder.embed(texts)
        embedder.embed(sentences)
        times["separate"].append(time.perf_counter() - t)
        t = time.perf_counter()
        embedder.embed_with_spans(texts, spans)
        times["pooled"].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"passages": len(texts), "sentences": len(sentences), **{f"{k}_per_s": round(len(texts) / v, 1) for k, v in med.items()},
            "separate_ratio": round(med["bare"] / med["separate"], 2), "pooled_ratio": round(med["bare"] / med["pooled"], 2)}  # fmt: skip


def main() -> int:
    from benchmarks.factbook import question_bank, run, summary
    from benchmarks.harness import FACTBOOK, cached_index
    from qa.assistant import Assistant
    from qa.index.embedding import SentenceTransformerEmbedder
    from qa.settings import DEFAULT_MODEL, Settings

    if not FACTBOOK.is_dir():
        print(f"No Factbook profiles at {FACTBOOK}: this needs ../shared.", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=1)
    speed = throughput(embedder, FACTBOOK)
    print(speed, file=sys.stderr)
    index = cached_index("factbook", FACTBOOK, embedder, settings)
    pooled = CACHE / "factbook" / "pooled"
    agreement = pooled_index(index, pooled, embedder)
    print(agreement, file=sys.stderr)
    asked = question_bank("tune")
    results = {}
    for label, folder in (("separate (today)", index), ("pooled", pooled)):
        assistant = Assistant.open(folder, embedder=embedder, settings=settings)
        results[label] = summary(run(assistant, asked))
        print(label, results[label], file=sys.stderr)
    text = report(speed, agreement, results)
    print(text)
    (DOCS / "pooling.md").write_text(text, encoding="utf-8")
    return 0


ADOPT_WITHIN = 0.01  # pooled becomes the default only if right line and short-answer accuracy drop by no more


def decision(results: dict[str, dict[str, Any]]) -> str:
    """The rule: adopt pooling when it costs at most ADOPT_WITHIN of either answer measure on the tune countries."""
    today, pooled = results["separate (today)"], results["pooled"]
    drops = {k: today[k] - pooled[k] for k in ("right_line", "short_right_of_given")}
    worst = max(drops.values())
    verdict = "adopted as the default" if worst <= ADOPT_WITHIN else "not adopted: `separate` stays the default"
    said = ", ".join(f"{k} {today[k]:.3f} → {pooled[k]:.3f}" for k in drops)
    return (
        f"**Decision ({verdict})**: the rule adopts pooling if neither the right line nor "
        f"the short answer's accuracy drops by more than {ADOPT_WITHIN} on the tune countries ({said}). "
        "`QA_SENTENCE_VECTORS=pooled` builds an index this way (recorded in its manifest), for corpora where indexing "
        "time matters more; the answering weights were fitted on separately embedded sentences and were not refitted.\n"
    )


def report(speed: dict[str, Any], agreement: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    keys = [k for k in next(iter(results.values())) if isinstance(next(iter(results.values()))[k], float)]
    rows = "\n".join(f"| {k} | " + " | ".join(f"{r[k]:.3f}" for r in results.values()) + " |" for k in keys)
    return (
        "# Sentence vectors pooled from the passage's forward pass\n\n"
        f"Measured by `python -m benchmarks.pooling` on {time.strftime('%Y-%m-%d')} (one thread, the bundled model).\n\n"
        f"## Indexing throughput ({speed['passages']} passages, {speed['sentences']} sentences: the first 10 profiles)\n\n"
        "| way | passages/s | against the bare model |\n|---|---|---|\n"
        f"| bare model, passages only | {speed['bare_per_s']} | 1.00× |\n"
        f"| passages, then each sentence on its own (today) | {speed['separate_per_s']} | {speed['separate_ratio']}× |\n"
        f"| passages, sentences pooled from them | {speed['pooled_per_s']} | {speed['pooled_ratio']}× |\n\n"
        f"## Agreement over the whole Factbook index ({agreement['sentences']:,} sentences)\n\n"
        f"Cosine between a sentence's own vector and its pooled one: median {agreement['cosine_p50']}, "
        f"10th percentile {agreement['cosine_p10']}; {agreement['truncated']} sentences cut off by the length limit "
        f"(embedded on their own). Pooling the whole index took {agreement['pool_s']} s.\n\n"
        "## Answers on the Factbook tune countries\n\n"
        "| measure | "
        + " | ".join(results)
        + " |\n|---|"
        + "---|" * len(results)
        + "\n"
        + rows
        + "\n\n"
        + decision(results)
    )


if __name__ == "__main__":
    sys.exit(main())
