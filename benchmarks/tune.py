"""Fit the sentence scorer and the confidence model on the SQuAD 2.0 **tune split only**.

    python benchmarks/tune.py            # prints the fitted weights and writes qa/answering/weights.json

1. Passage re-ranker: a linear score over `PASSAGE_FEATURES` of the top `rerank_depth` fused
   passages, fitted listwise — for each answerable question, maximise the softmax probability of
   the candidate passages that hold a gold answer span.
2. Sentence scorer: a linear score over `SELECTION_FEATURES` of the sentences of the best
   `top_passages` re-ranked passages, fitted listwise — for each answerable question, maximise the
   softmax probability of the candidate sentences that hold a gold answer.
3. Confidence: a logistic model over `CONFIDENCE_FEATURES` of the top sentence, labelled 1 when
   the question is answerable and the top sentence holds the answer, 0 otherwise (including every
   unanswerable question).
4. The abstention threshold: the confidence under which at most 8% of answerable tune questions
   fall, so that about 92% are answered.
The held-out split is never read here. The hand-set weights in the file (what no data here can teach:
SQuAD has no headings, labels or profiles) are kept as they are, with their notes.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.quality import CACHE, SHARED
from benchmarks.squad import build_corpus, contains_answer
from qa.answering.features import sentence_features, sentence_text
from qa.answering.model import confidence_features, rank_sentences
from qa.answering.rerank import passage_features, rerank
from qa.answering.weights import (
    CONFIDENCE_FEATURES,
    PASSAGE_FEATURES,
    SELECTION_FEATURES,
    WEIGHTS_FILE,
    Weights,
    read_weights_file,
    weights_from,
)
from qa.assistant import Assistant
from qa.index.embedding import SentenceTransformerEmbedder
from qa.index.sync import sync_index
from qa.settings import DEFAULT_MODEL, Settings


def collect(assistant: Assistant, golds: list) -> list[dict]:  # type: ignore[type-arg]
    """Per tune question: the features of every candidate sentence and passage, with their labels."""
    rows = []
    generation = assistant.generation
    depth = assistant.settings.passages_read
    for gold in golds:
        r = assistant.search(gold.question)
        hits = r.hits[:depth]
        features = sentence_features(
            generation, r.question, hits, r.focus_vector, assistant.sentence_vectors(r),  # type: ignore[arg-type]
            r.index.bm25.term_idf, depth, assistant.word_matches(r),
        )  # fmt: skip
        if not features:
            continue
        doc = generation.doc_by_id[gold.doc_id]
        passage_labels = [
            gold.answerable
            and generation.passages[h.pid].doc == doc
            and any(
                generation.passages[h.pid].start <= s and e <= generation.passages[h.pid].end for s, e in gold.spans
            )
            for h in hits
        ]
        sentence_labels = {
            f.sid: gold.answerable
            and contains_answer(sentence_text(generation, generation.sentences[f.sid]), gold.answers)
            for f in features
        }
        rows.append(
            {
                "answerable": gold.answerable,
                "hits": hits,
                "features": features,
                "passages": passage_features(generation, hits, features),
                "passage_labels": passage_labels,
                "labels": sentence_labels,
            }
        )
    return rows


def softmax_fit(groups: list[tuple[np.ndarray, np.ndarray]], start: np.ndarray, reg: float = 1e-3) -> np.ndarray:
    """Weights maximising the mean log softmax probability of each group's positive rows."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in groups:
            z = x @ w
            z -= z.max()
            p = np.exp(z) / np.exp(z).sum()
            pos = p[y].sum()
            total -= np.log(pos + 1e-12)
            q = np.where(y, p / (pos + 1e-12), 0.0)
            grad -= (q - p) @ x
        return total / len(groups) + reg * float(w @ w), grad / len(groups) + 2 * reg * w

    return np.asarray(minimize(loss, start, jac=True, method="L-BFGS-B").x)


def fit_rerank(rows: list[dict]) -> dict[str, float]:  # type: ignore[type-arg]
    groups = [
        (np.array([[p[name] for name in PASSAGE_FEATURES] for p in r["passages"]]), np.array(r["passage_labels"]))
        for r in rows
        if r["answerable"] and any(r["passage_labels"])
    ]
    everything = np.vstack([x for x, _ in groups])
    scale = everything.std(axis=0) + 1e-9  # fit on standardised features, then fold the scale back in
    w = softmax_fit([(x / scale, y) for x, y in groups], np.zeros(everything.shape[1]))
    return {name: round(float(c), 4) for name, c in zip(PASSAGE_FEATURES, w / scale, strict=True)}


def ranked(assistant: Assistant, rows: list[dict], weights: Weights) -> None:  # type: ignore[type-arg]
    """Re-rank each row's passages with `weights` and keep the scored sentences of the best ones."""
    for r in rows:
        hits = rerank(assistant.generation, r["hits"], r["features"], weights)
        labels = dict(zip([h.pid for h in r["hits"]], r["passage_labels"], strict=True))
        r["reranked_labels"] = [labels[h.pid] for h in hits]
        r["scored"] = rank_sentences(r["features"], hits, assistant.settings.top_passages, weights)
        r["scored_labels"] = [r["labels"][s.sid] for s in r["scored"]]


def fit_selection(rows: list[dict], weights: Weights) -> np.ndarray:  # type: ignore[type-arg]
    groups = [
        (
            np.array([[s.selection_features()[name] for name in SELECTION_FEATURES] for s in r["scored"]]),
            np.array(r["scored_labels"]),
        )
        for r in rows
        if r["answerable"] and any(r["scored_labels"])
    ]
    start = weights.selection()
    return softmax_fit(groups, np.array([start[name] for name in SELECTION_FEATURES], dtype=float))


def fit_confidence(rows: list[dict]) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """Fit on rows already ranked with `weights` (see `ranked`): their best sentence comes first."""
    xs, ys, answerable = [], [], []
    for r in rows:
        if not r["scored"]:
            continue
        features = confidence_features(r["scored"])
        xs.append([features[name] for name in CONFIDENCE_FEATURES])
        ys.append(1.0 if r["scored_labels"][0] else 0.0)
        answerable.append(r["answerable"])
    x, y = np.array(xs), np.array(ys)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = np.clip(x @ w + b, -30, 30)
        p = 1 / (1 + np.exp(-z))
        reg = 1e-3
        value = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + reg * float(w @ w)
        g = p - y
        return value, np.concatenate([x.T @ g / len(y) + 2 * reg * w, [g.mean()]])

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    params = np.asarray(result.x)
    z = np.clip(x @ params[:-1] + params[-1], -30, 30)
    return params[:-1], float(params[-1]), 1 / (1 + np.exp(-z)), np.array(answerable)


def main() -> int:
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, threads=1)
    golds = [
        g for g in build_corpus(SHARED / "squad2" / "dev-v2.0.json", CACHE / "squad" / "corpus") if g.split == "tune"
    ]
    sync_index(CACHE / "squad" / "corpus", CACHE / "squad" / "index", embedder, settings)
    shipped = read_weights_file(WEIGHTS_FILE)
    assistant = Assistant.open(
        CACHE / "squad" / "index", embedder=embedder, settings=settings, weights=weights_from(shipped)
    )
    started = time.perf_counter()
    assistant.prime([g.question for g in golds])
    rows = collect(assistant, golds)
    print(f"collected {len(rows)} tune questions in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    weights = replace(assistant.weights, rerank_weights=fit_rerank(rows))
    ranked(assistant, rows, weights)
    for k in (1, 5):
        fused = np.mean([any(r["passage_labels"][:k]) for r in rows if r["answerable"]])
        reranked = np.mean([any(r["reranked_labels"][:k]) for r in rows if r["answerable"]])
        print(f"tune passage recall@{k}: fused {fused:.3f} → re-ranked {reranked:.3f} (in-sample)")

    selection = dict(zip(SELECTION_FEATURES, map(float, fit_selection(rows, weights)), strict=True))
    # SQuAD has no headings: the fit only shrinks the heading weight, so the hand-set one stays
    fitted_selection = {name: round(value, 4) for name, value in selection.items() if name not in shipped.hand_set}
    hit_before = np.mean([r["scored_labels"][0] for r in rows if r["answerable"] and r["scored"]])
    weights = replace(weights, **fitted_selection)
    ranked(assistant, rows, weights)
    hit_after = np.mean([r["scored_labels"][0] for r in rows if r["answerable"] and r["scored"]])
    print(f"tune hit@1: previous weights {hit_before:.3f} → fitted {hit_after:.3f}")

    coefficients, bias, probabilities, answerable = fit_confidence(rows)
    threshold = float(np.quantile(probabilities[answerable], 0.08))
    abstained = float(np.mean(probabilities[~answerable] < threshold))
    print(
        f"threshold {threshold:.3f}: answers {np.mean(probabilities[answerable] >= threshold):.3f} of answerable, "
        f"abstains on {abstained:.3f} of unanswerable (tune)"
    )
    fitted = shipped.model_copy(
        update={
            "selection": fitted_selection,
            "rerank": dict(weights.rerank_weights),
            "confidence": shipped.confidence.model_copy(
                update={
                    "bias": round(bias, 4),
                    "weights": {n: round(float(c), 4) for n, c in zip(CONFIDENCE_FEATURES, coefficients, strict=True)},
                }
            ),
            "abstain_below": round(threshold, 3),
        }
    )
    weights_from(fitted)  # the same checks as on load, before anything is written
    text = json.dumps(fitted.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    print(text)
    WEIGHTS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
