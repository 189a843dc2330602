"""Fit every answering weight on the **tune splits only**: SQuAD 2.0's first 18 articles and the
Factbook's tune countries (`factbook_split.json`), together.

    python -m benchmarks.tune            # prints what it fitted and writes qa/answering/weights.json
    python -m benchmarks.tune --readings # the reading models only (`benchmarks/fit_readings.py`): readings.json
    python -m benchmarks.tune --bold     # the bold short answer's model only (`benchmarks/fit_bold.py`): bold.json

1. Passage re-ranker: a linear score over `PASSAGE_FEATURES` of the top `rerank_depth` fused
   passages, fitted listwise — for each answerable question, maximise the softmax probability of
   the candidate passages that hold the answer (a gold span; the gold line of a profile).
2. Sentence scorer: a linear score over `SELECTION_FEATURES` of the sentences of the best
   `top_passages` re-ranked passages, fitted listwise likewise (the sentence holding a gold answer;
   the gold line).
3. Confidence: a logistic model over `CONFIDENCE_FEATURES` of the top sentence, labelled 1 when the
   question is answerable and the top sentence holds the answer, 0 otherwise (every unanswerable SQuAD
   question, every question about a country with no profile, and questions of SQuAD tune articles left out
   of a copy of the index — absent subjects, `leave_out` — included).
4. Calibration: an isotonic map from the logistic output to the share of such answers that were right.
5. The abstention thresholds, one per kind of first quote (prose, a line of a field profile): each the
   highest that still answers 90% of the answerable SQuAD tune questions and 95% of the answerable
   Factbook ones whose first quote is of that kind (the product's targets), so that as much is refused as
   can be.
Neither held-out split is read here.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.factbook import FACTBOOK, question_bank
from benchmarks.harness import CACHE, SHARED, cached_assistant, real_embedder
from benchmarks.squad import build_corpus, contains_answer
from qa.answering.features import Scored, sentence_features, sentence_text
from qa.answering.model import confidence_features, rank_sentences
from qa.answering.rerank import passage_features, rerank
from qa.answering.weights import (
    CONFIDENCE_FEATURES,
    PASSAGE_FEATURES,
    SELECTION_FEATURES,
    WEIGHTS_FILE,
    Weights,
    WeightsFile,
    read_weights_file,
    weights_from,
)
from qa.assistant import Assistant
from qa.assistant.retrieve import answering_inputs
from qa.records import Passage, Sentence
from qa.settings import Settings


@dataclass(frozen=True)
class Item:
    """One tune question with what makes a passage or a sentence hold its answer."""

    source: str  # "squad" | "factbook"
    question: str
    answerable: bool
    holds: Callable[[Passage], bool]
    says: Callable[[Sentence, str], bool]  # the sentence and its text


def squad_items(golds: list, doc_by_id: dict[str, int]) -> list[Item]:  # type: ignore[type-arg]
    items = []
    for gold in golds:
        doc = doc_by_id[gold.doc_id]
        items.append(
            Item(
                "squad",
                gold.question,
                gold.answerable,
                lambda p, doc=doc, gold=gold: p.doc == doc and any(p.start <= s and e <= p.end for s, e in gold.spans),
                lambda s, text, gold=gold: contains_answer(text, gold.answers),
            )
        )
    return items


def factbook_items(doc_by_id: dict[str, int]) -> list[Item]:
    items = []
    for asked in question_bank("tune"):
        gold = asked.gold
        if gold is None:
            items.append(Item("factbook", asked.question, False, lambda p: False, lambda s, t: False))
            continue
        doc = doc_by_id[gold.doc_id]
        items.append(
            Item(
                "factbook",
                asked.question,
                True,
                lambda p, doc=doc, g=gold: p.doc == doc and g.overlaps(p.start, p.end),
                lambda s, t, doc=doc, g=gold: s.doc == doc and g.overlaps(s.start, s.end),
            )
        )
    return items


# absent subjects: every third SQuAD tune article is left out of a copy of the index, and every fourth of its
# questions asked of that copy is a question the corpus cannot answer (its words mostly in no briefing)
LEFT_OUT_EVERY, LEFT_OUT_QUESTIONS_EVERY = 3, 4


def leave_out(golds: list, embedder, settings: Settings, weights: Weights) -> tuple[Assistant, list[Item]]:  # type: ignore[no-untyped-def, type-arg]
    """An Assistant over the SQuAD corpus less every `LEFT_OUT_EVERY`-th tune article (a copy of the cached
    index with those documents deleted: nothing is embedded again), and the questions of those articles, each
    unanswerable there."""
    left = set(sorted({g.doc_id for g in golds})[::LEFT_OUT_EVERY])
    corpus, index = CACHE / "squad-leave-out" / "corpus", CACHE / "squad-leave-out" / "index"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for path in sorted((CACHE / "squad" / "corpus").iterdir()):
        if path.name not in left:
            shutil.copy(path, corpus / path.name)
    if not index.exists():
        shutil.copytree(CACHE / "squad" / "index", index)
    assistant = cached_assistant("squad-leave-out", corpus, embedder, settings, weights=weights)
    asked = [g for g in golds if g.doc_id in left][::LEFT_OUT_QUESTIONS_EVERY]
    return assistant, [Item("squad", g.question, False, lambda p: False, lambda s, t: False) for g in asked]


def collect(assistant: Assistant, items: list[Item]) -> list[dict]:  # type: ignore[type-arg]
    """Per tune question: the features of every candidate sentence and passage, with their labels."""
    rows = []
    generation = assistant.generation
    depth = assistant.settings.passages_read
    for item in items:
        r = assistant.search(item.question)
        hits = r.hits[:depth]
        features = sentence_features(
            replace(answering_inputs(r, assistant.encoder, assistant.settings, assistant.weights), hits=hits), depth
        )
        if not features:
            continue
        rows.append(
            {
                "source": item.source,
                "answerable": item.answerable,
                "hits": hits,
                "features": features,
                "passages": passage_features(generation, hits, features),
                "passage_labels": [item.answerable and item.holds(generation.passages[h.pid]) for h in hits],
                "labels": {
                    f.sid: item.answerable
                    and item.says(generation.sentences[f.sid], sentence_text(generation, generation.sentences[f.sid]))
                    for f in features
                },
                "generation": generation,
            }
        )
    return rows


def softmax_fit(groups: list[tuple[np.ndarray, np.ndarray]], start: np.ndarray, reg: float = 1e-3) -> np.ndarray:
    """Weights maximising the mean log softmax probability of each group's positive rows. Fitted on features
    scaled to unit spread (the penalty then weighs every feature alike, whatever its units: a field margin of
    a few hundredths counts as much as a passage score of a few units), and returned for the features as they are."""
    spread = np.std(np.vstack([x for x, _ in groups]), axis=0)
    spread[spread < 1e-9] = 1.0
    groups = [(x / spread, y) for x, y in groups]
    return _softmax_fit(groups, start * spread, reg) / spread


def _softmax_fit(groups: list[tuple[np.ndarray, np.ndarray]], start: np.ndarray, reg: float) -> np.ndarray:
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


def ranked(rows: list[dict], weights: Weights, top: int) -> None:  # type: ignore[type-arg]
    """Re-rank each row's passages with `weights` and keep the scored sentences of the best ones."""
    for r in rows:
        hits = rerank(r["generation"], r["hits"], r["features"], weights)
        labels = dict(zip([h.pid for h in r["hits"]], r["passage_labels"], strict=True))
        r["reranked_labels"] = [labels[h.pid] for h in hits]
        r["scored"] = rank_sentences(r["features"], hits, top, weights)
        r["scored_labels"] = [r["labels"][s.sid] for s in r["scored"]]


def selection_matrix(scored: list[Scored]) -> np.ndarray:
    return np.array([[s.selection_features()[name] for name in SELECTION_FEATURES] for s in scored])


def fit_selection(rows: list[dict], weights: Weights) -> dict[str, float]:  # type: ignore[type-arg]
    groups = [
        (selection_matrix(r["scored"]), np.array(r["scored_labels"]))
        for r in rows
        if r["answerable"] and any(r["scored_labels"])
    ]
    start = np.array([weights.selection_weights[name] for name in SELECTION_FEATURES], dtype=float)
    fitted = softmax_fit(groups, start)
    return {name: round(float(c), 4) for name, c in zip(SELECTION_FEATURES, fitted, strict=True)}


def fit_confidence(kept: list[dict]) -> tuple[dict[str, float], float, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """A logistic confidence fitted on `kept` rows, already ranked (see `ranked`): their best sentence first.
    Returns the weights, the bias, and each row's raw confidence and label."""
    x = np.array([[confidence_features(r["scored"])[n] for n in CONFIDENCE_FEATURES] for r in kept])
    y = np.array([1.0 if r["scored_labels"][0] else 0.0 for r in kept])

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = np.clip(x @ w + b, -30, 30)
        p = 1 / (1 + np.exp(-z))
        reg = 1e-3
        value = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + reg * float(w @ w)
        g = p - y
        return value, np.concatenate([x.T @ g / len(y) + 2 * reg * w, [g.mean()]])

    params = np.asarray(minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x)
    w = {n: round(float(c), 4) for n, c in zip(CONFIDENCE_FEATURES, params[:-1], strict=True)}
    bias = round(float(params[-1]), 4)
    z = np.clip(x @ np.array(list(w.values())) + bias, -30, 30)
    return w, bias, 1 / (1 + np.exp(-z)), y


def fit_calibration(raw: np.ndarray, right: np.ndarray) -> tuple[list[float], list[float]]:
    """An isotonic map raw → share right, as knots for linear interpolation: one knot at the middle of each
    block the isotonic fit pools, so the map rises between blocks instead of stepping (no plateau for the
    threshold to fall into)."""
    from sklearn.isotonic import IsotonicRegression

    # one wrong answer at the top and one right answer at the bottom, as if seen: no confidence is ever shown as
    # certain (1.0) or hopeless (0.0) from a handful of tune questions
    raw = np.concatenate([raw, [float(raw.max()), float(raw.min())]])
    right = np.concatenate([right, [0.0, 1.0]])
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, right)
    blocks: list[tuple[list[float], float]] = []
    for x_value, y_value in zip(iso.X_thresholds_, iso.y_thresholds_, strict=True):
        if blocks and abs(blocks[-1][1] - y_value) < 1e-12:
            blocks[-1][0].append(float(x_value))
        else:
            blocks.append(([float(x_value)], float(y_value)))
    xs: list[float] = []
    ys: list[float] = []
    for edges, y_value in blocks:
        x_value, y_value = round(sum(edges) / len(edges), 4), round(y_value, 4)
        if xs and (x_value <= xs[-1] or y_value < ys[-1]):
            continue
        xs.append(x_value)
        ys.append(y_value)
    return xs, ys


# The operating point, chosen on the tune splits against the product's targets: refuse as much as possible
# while still answering these shares of the answerable questions.
ANSWER_AT_LEAST = {"squad": 0.90, "factbook": 0.95}


def fit_threshold(calibrated: np.ndarray, kept: list[dict], min_questions: int = 50) -> float:  # type: ignore[type-arg]
    """The highest threshold (a value the calibrated confidence takes, rounded down) that answers at least
    `ANSWER_AT_LEAST` of each source's answerable tune questions among `kept`, where it has `min_questions`."""
    answerable = {
        source: np.array([r["source"] == source and r["answerable"] for r in kept]) for source in ANSWER_AT_LEAST
    }
    # a source with only a handful of such questions (a Factbook question whose first quote is prose) sets nothing
    answerable = {s: mask for s, mask in answerable.items() if mask.sum() >= min_questions}
    best = 0.0
    for t in np.unique(calibrated):
        if all(np.mean(calibrated[mask] >= t) >= ANSWER_AT_LEAST[s] for s, mask in answerable.items()):
            best = float(t)
    return math.floor(best * 1000) / 1000


def main() -> int:
    settings = Settings.from_env()
    embedder = real_embedder()
    shipped = read_weights_file(WEIGHTS_FILE)
    start = weights_from(shipped)
    started = time.perf_counter()

    golds = [
        g for g in build_corpus(SHARED / "squad2" / "dev-v2.0.json", CACHE / "squad" / "corpus") if g.split == "tune"
    ]
    squad = cached_assistant("squad", CACHE / "squad" / "corpus", embedder, settings, weights=start)
    squad.prime([g.question for g in golds])
    rows = collect(squad, squad_items(golds, squad.generation.doc_by_id))
    absent, absent_items = leave_out(golds, embedder, settings, start)
    absent.prime([i.question for i in absent_items])
    rows += collect(absent, absent_items)

    factbook = cached_assistant("factbook", FACTBOOK, embedder, settings, weights=start)
    items = factbook_items(factbook.generation.doc_by_id)
    factbook.prime([i.question for i in items])
    factbook.prime_fields()
    rows += collect(factbook, items)
    print(f"collected {len(rows)} tune questions in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    top = settings.top_passages
    weights = replace(start, rerank_weights=fit_rerank(rows))
    ranked(rows, weights, top)
    for source in ("squad", "factbook"):
        mine = [r for r in rows if r["source"] == source and r["answerable"]]
        for k in (1, 5):
            fused = np.mean([any(r["passage_labels"][:k]) for r in mine])
            after = np.mean([any(r["reranked_labels"][:k]) for r in mine])
            print(f"{source} tune passage recall@{k}: fused {fused:.3f} → re-ranked {after:.3f} (in-sample)")

    def hit(source: str) -> float:
        mine = [r for r in rows if r["source"] == source and r["answerable"] and r["scored"]]
        return float(np.mean([r["scored_labels"][0] for r in mine]))

    before = {s: hit(s) for s in ("squad", "factbook")}
    weights = replace(weights, selection_weights=fit_selection(rows, weights))
    ranked(rows, weights, top)
    for s in ("squad", "factbook"):
        print(f"{s} tune hit@1: starting weights {before[s]:.3f} → fitted {hit(s):.3f} (in-sample)")

    # one confidence model for quotes from prose, one for lines of field profiles: the two kinds of document
    # differ in what makes a quote right, so each is fitted (and calibrated) on its own rows
    kept = [r for r in rows if r["scored"]]
    calibrated = np.zeros(len(kept))
    models = {}
    for kind in ("prose", "profile"):
        mask = np.array([r["scored"][0].profile == (kind == "profile") for r in kept])
        mine = [r for r, m in zip(kept, mask, strict=True) if m]
        coefficients, bias, raw, right = fit_confidence(mine)
        knots_raw, knots_calibrated = fit_calibration(raw, right)
        calibrated[mask] = np.interp(raw, knots_raw, knots_calibrated)
        models[kind] = (coefficients, bias, knots_raw, knots_calibrated)
        print(f"{kind}: {len(mine)} tune questions whose first quote is of that kind", file=sys.stderr)
    calibrated[np.array([bool(r["scored"][0].kind_missing) for r in kept])] = 0.0  # as `model.confidence` does
    # one threshold per kind of first quote, each the highest that answers the target shares of the answerable
    # tune questions whose first quote is of that kind (SQuAD's are all prose; the Factbook's nearly all profile lines)
    profile_rows = np.array([r["scored"][0].profile for r in kept])
    thresholds = {
        kind: fit_threshold(calibrated[mask], [r for r, m in zip(kept, mask, strict=True) if m])
        for kind, mask in (("prose", ~profile_rows), ("profile", profile_rows))
    }
    applied = np.where(profile_rows, thresholds["profile"], thresholds["prose"])
    print(f"thresholds: {thresholds}")
    for source in ("squad", "factbook"):
        mask = np.array([r["source"] == source for r in kept])
        answerable = np.array([r["answerable"] for r in kept])
        print(
            f"{source} tune: answers {np.mean((calibrated >= applied)[mask & answerable]):.3f} of "
            f"answerable, abstains on {np.mean((calibrated < applied)[mask & ~answerable]):.3f} of unanswerable"
        )
    fitted = WeightsFile.model_validate(
        shipped.model_dump()
        | {
            "fitted_on": "SQuAD 2.0 dev tune split (the first 18 articles) and the Factbook tune countries "
            "(benchmarks/factbook_split.json), together; never a held-out split",
            "selection": {n: v for n, v in weights.selection_weights.items() if n not in shipped.hand_set},
            "rerank": dict(weights.rerank_weights),
            "confidence": {"bias": models["prose"][1], "weights": models["prose"][0]},
            "calibration": {"raw": models["prose"][2], "calibrated": models["prose"][3]},
            "profile_confidence": {
                "bias": models["profile"][1],
                "weights": models["profile"][0],
                "calibration": {"raw": models["profile"][2], "calibrated": models["profile"][3]},
                "abstain_below": thresholds["profile"],
            },
            "abstain_below": thresholds["prose"],
        }
    )
    weights_from(fitted)  # the same checks as on load, before anything is written
    text = json.dumps(fitted.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    print(text)
    WEIGHTS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if "--readings" in sys.argv[1:]:
        from benchmarks.fit_readings import main as fit_readings

        sys.exit(fit_readings())
    if "--bold" in sys.argv[1:]:
        from benchmarks.fit_bold import main as fit_bold

        sys.exit(fit_bold())
    sys.exit(main())
