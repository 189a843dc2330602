"""Fit the sentence scorer and the confidence model on the SQuAD 2.0 **tune split only**.

    python benchmarks/tune.py            # prints the fitted `Weights` and writes benchmarks/tuned.json

1. Sentence scorer: a linear score over `SELECTION_FEATURES`, fitted listwise — for each answerable
   question, maximise the softmax probability of the candidate sentences that hold a gold answer.
2. Confidence: a logistic model over `CONFIDENCE_FEATURES` of the top sentence, labelled 1 when
   the question is answerable and the top sentence holds the answer, 0 otherwise (including every
   unanswerable question).
3. The abstention threshold: the confidence under which at most 8% of answerable tune questions
   fall, so that about 92% are answered.
The held-out split is never read here.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.quality import CACHE, SHARED
from benchmarks.squad import build_corpus, contains_answer
from qa.answering import SELECTION_FEATURES, Weights, confidence_features, score_sentences, sentence_text
from qa.assistant import Assistant
from qa.embedding import SentenceTransformerEmbedder
from qa.indexing import sync_index
from qa.settings import DEFAULT_MODEL, Settings


def collect(assistant: Assistant, golds: list, weights: Weights) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    generation = assistant.generation
    for gold in golds:
        r = assistant.search(gold.question)
        vectors = assistant.sentence_vectors(r)
        scored = score_sentences(
            generation, r.question, r.hits, r.focus_vector, vectors, r.loaded.bm25.term_idf,  # type: ignore[arg-type]
            assistant.settings.top_passages, weights,
        )  # fmt: skip
        if not scored:
            continue
        labels = [
            bool(
                gold.answerable
                and contains_answer(sentence_text(generation, generation.sentences[s.sid]), gold.answers)
            )
            for s in scored
        ]
        rows.append({"answerable": gold.answerable, "scored": scored, "labels": labels})
    return rows


def fit_selection(rows: list[dict]) -> np.ndarray:  # type: ignore[type-arg]
    groups = [
        (np.array([s.selection_features() for s in r["scored"]]), np.array(r["labels"]))
        for r in rows
        if r["answerable"] and any(r["labels"])
    ]

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
        reg = 1e-3
        return total / len(groups) + reg * float(w @ w), grad / len(groups) + 2 * reg * w

    start = np.array(Weights().selection(), dtype=float)
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return np.asarray(result.x)


def fit_confidence(rows: list[dict], weights: Weights) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    xs, ys, answerable = [], [], []
    coefficients = np.array(weights.selection())
    for r in rows:
        order = sorted(
            range(len(r["scored"])), key=lambda i: -float(np.dot(coefficients, r["scored"][i].selection_features()))
        )
        rescored = [
            replace(r["scored"][i], score=float(np.dot(coefficients, r["scored"][i].selection_features())))
            for i in order
        ]
        xs.append(confidence_features(rescored))
        ys.append(1.0 if r["labels"][order[0]] else 0.0)
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
    assistant = Assistant.open(CACHE / "squad" / "index", embedder=embedder, settings=settings)
    started = time.perf_counter()
    assistant.prime([g.question for g in golds], range(len(assistant.generation.sentences)))
    rows = collect(assistant, golds, Weights())
    print(f"collected {len(rows)} tune questions in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    selection = fit_selection(rows)
    fitted_selection = dict(zip(SELECTION_FEATURES, map(float, selection), strict=True))
    weights = Weights(**{**asdict(Weights()), **fitted_selection})
    hit_before = np.mean([r["labels"][int(np.argmax([s.score for s in r["scored"]]))] for r in rows if r["answerable"]])
    hit_after = np.mean(
        [
            r["labels"][int(np.argmax([float(np.dot(selection, s.selection_features())) for s in r["scored"]]))]
            for r in rows
            if r["answerable"]
        ]
    )
    print(f"tune hit@1: hand weights {hit_before:.3f} → fitted {hit_after:.3f}")

    coefficients, bias, probabilities, answerable = fit_confidence(rows, weights)
    threshold = float(np.quantile(probabilities[answerable], 0.08))
    abstained = float(np.mean(probabilities[~answerable] < threshold))
    print(
        f"threshold {threshold:.3f}: answers {np.mean(probabilities[answerable] >= threshold):.3f} of answerable, abstains on {abstained:.3f} of unanswerable (tune)"
    )
    weights = replace(
        weights, confidence_coefficients=tuple(round(float(c), 4) for c in coefficients), confidence_bias=round(bias, 4)
    )
    fitted = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(weights).items()}
    fitted["abstain_below"] = round(threshold, 3)
    print(json.dumps(fitted, indent=2))
    (Path(__file__).parent / "tuned.json").write_text(json.dumps(fitted, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
