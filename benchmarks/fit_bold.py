"""Fit the bold short answer's model (`qa/answering/bold.py`) on tune data only, and write `bold.json`.

    python -m benchmarks.tune --bold      # (or python -m benchmarks.fit_bold) needs ../shared and the cached indexes
    python -m benchmarks.fit_bold --reuse # refit from the phrases labelled last time (after a change of derived
                                          # features or thresholds only)

Every tune question is answered by the product's own path with every phrase kept; each bold phrase is labelled
right or wrong:
- the Factbook question bank's tune countries: right when its F1 against the profile's value is at least 0.5
  and it holds the value's first number (as `benchmarks/factbook.py` scores it); a phrase about a country with
  no profile is wrong;
- SQuAD 2.0 dev tune questions: right when its F1 against a gold answer is at least 0.5; any phrase on an
  unanswerable question is wrong;
- the misfire set's tune half: right when it holds the expected text; any phrase on a question to refuse is wrong.
The model is an L2-regularised logistic regression (unweighted, so its output is a probability); its threshold
is the lowest whose precision on 5-fold out-of-fold probabilities reaches `PRECISION`.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from benchmarks.calibration import expected_calibration_error
from benchmarks.factbook import question_bank
from benchmarks.harness import CACHE, FACTBOOK, SQUAD_DEV, cached_assistant, needs, real_embedder
from benchmarks.logistic import fit, out_of_fold, threshold_at
from benchmarks.misfire import fold
from benchmarks.misfire import make_corpus as make_misfire_corpus
from benchmarks.misfire_questions import ITEMS
from benchmarks.squad import build_corpus, f1
from qa.answering.bold import BASE_FEATURES, BOLD_FILE, FEATURES, FORMAT_VERSION, BoldFile, model_from, with_derived
from qa.records import Filters
from qa.settings import DEFAULT_MODEL

PRECISION = 0.98
L2 = 0.5
SQUAD_QUESTIONS = 2500
ROWS = CACHE / "bold_rows.json"  # the labelled tune phrases, kept for a refit (`--reuse`)


@dataclass
class Recorder:
    """A bold judge that keeps every phrase (threshold 0) and remembers the features it was shown."""

    seen: list[dict[str, float]] = field(default_factory=list)

    def threshold_for(self, features: dict[str, float]) -> float:
        return 0.0

    def probability(self, features: dict[str, float]) -> float:
        self.seen.append(features)
        return 1.0


def labelled(assistant, recorder: Recorder, question: str, right, history=(), filters=None):  # type: ignore[no-untyped-def]
    """(base features, right) of the bold phrase of the answer, or None when it shows none."""
    recorder.seen.clear()
    answer = assistant.ask(question, list(history), filters=filters)
    if answer.abstained or not answer.short_answer or not recorder.seen:
        return None
    kept = [f for f in recorder.seen if abs(f["confidence"] - answer.confidence) < 1e-9] or recorder.seen
    return {name: kept[-1][name] for name in BASE_FEATURES}, bool(right(answer.short_answer))


def rows_of_tune(rng: random.Random) -> list[tuple[dict[str, float], bool, str]]:
    embedder = real_embedder()
    recorder = Recorder()
    rows: list[tuple[dict[str, float], bool, str]] = []

    factbook = cached_assistant("factbook", FACTBOOK, embedder)
    factbook.bold = recorder  # type: ignore[assignment]
    bank = question_bank("tune")
    factbook.prime([a.question for a in bank])
    factbook.prime_fields()
    for a in bank:

        def right(bold: str, a=a) -> bool:  # type: ignore[no-untyped-def]
            if a.gold is None:
                return False
            number = next(iter(re.findall(r"\d[\d,.]*\d|\d", a.gold.value)), None)
            return f1(bold, (a.gold.value,)) >= 0.5 and (number is None or number in bold)

        found = labelled(factbook, recorder, a.question, right)
        if found:
            rows.append((*found, "factbook"))
    print(f"factbook: {len(rows)} bold phrases", file=sys.stderr)

    golds = [g for g in build_corpus(SQUAD_DEV, CACHE / "squad" / "corpus") if g.split == "tune"]
    golds = rng.sample(golds, min(SQUAD_QUESTIONS, len(golds)))
    squad = cached_assistant("squad", CACHE / "squad" / "corpus", embedder)
    squad.bold = recorder  # type: ignore[assignment]
    squad.prime([g.question for g in golds])
    before = len(rows)
    for g in golds:
        found = labelled(squad, recorder, g.question, lambda bold, g=g: bool(g.answers) and f1(bold, g.answers) >= 0.5)
        if found:
            rows.append((*found, "squad"))
    print(f"squad: {len(rows) - before} bold phrases", file=sys.stderr)

    corpus = CACHE / "misfire" / "corpus"
    if not corpus.is_dir():
        make_misfire_corpus(corpus)
    misfire = cached_assistant("misfire", corpus, embedder)
    misfire.bold = recorder  # type: ignore[assignment]
    before = len(rows)
    for item in (i for i in ITEMS if i.split == "tune" and (i.bold or not i.answerable)):
        filters = Filters(doc_ids=item.doc_ids, date_from=item.date_from, date_to=item.date_to)

        def right(bold: str, item=item) -> bool:  # type: ignore[no-untyped-def]
            return item.answerable and item.bold is not None and fold(item.bold) in fold(bold)

        found = labelled(misfire, recorder, item.question, right, item.history, filters)
        if found:
            rows.append((*found, "misfire"))
    print(f"misfire: {len(rows) - before} bold phrases", file=sys.stderr)
    return rows


def cached_rows(rng: random.Random, reuse: bool) -> list[tuple[dict[str, float], bool, str]]:
    """The labelled tune phrases (their base features), from `ROWS` when `reuse` and it was made for the same base
    features; else answered again and stored there (a refit of the derived features or thresholds then takes
    seconds, not the answering's minutes)."""
    if reuse and ROWS.is_file():
        data = json.loads(ROWS.read_text(encoding="utf-8"))
        if data.get("features") == list(BASE_FEATURES):
            return [(dict(zip(BASE_FEATURES, f, strict=True)), bool(r), src) for f, r, src in data["rows"]]
    rows = rows_of_tune(rng)
    table = [[[f[n] for n in BASE_FEATURES], right, src] for f, right, src in rows]
    ROWS.parent.mkdir(parents=True, exist_ok=True)
    ROWS.write_text(json.dumps({"features": list(BASE_FEATURES), "rows": table}), encoding="utf-8")
    return rows


def prose_table(p: np.ndarray, y: np.ndarray, sources: np.ndarray) -> str:
    """Prose phrases kept and right at a few thresholds (what `PRECISION` trades), per source."""
    lines = ["threshold  kept  right  | squad kept right | misfire kept right"]
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        kept = p >= t
        parts = [f"{t:9.2f}  {kept.mean():.3f} {y[kept].mean() if kept.any() else 0:.3f}"]
        for source in ("squad", "misfire"):
            of = sources == source
            k = kept & of
            parts.append(f"{k.sum() / max(of.sum(), 1):.3f} {y[k].mean() if k.any() else 0:.3f}")
        lines.append("  | ".join(parts))
    return "\n".join(lines)


def main() -> int:
    if not (needs(SQUAD_DEV) and needs(FACTBOOK)):
        return 2
    started = time.perf_counter()
    rng = random.Random(37)
    rows = [(with_derived(f), right, src) for f, right, src in cached_rows(rng, "--reuse" in sys.argv[1:])]
    x = np.array([[f[name] for name in FEATURES] for f, _, _ in rows], dtype=float)
    y = np.array([right for _, right, _ in rows], dtype=float)
    oof = out_of_fold(x, y, rng, L2, balanced=False)
    profile = x[:, list(FEATURES).index("profile")] == 1
    sources = np.array([src for _, _, src in rows])
    print(prose_table(oof[~profile], y[~profile], sources[~profile]), file=sys.stderr)
    threshold = threshold_at(oof[~profile], y[~profile], PRECISION)[0]
    profile_threshold = threshold_at(oof[profile], y[profile], PRECISION)[0]
    kept = np.where(profile, oof >= profile_threshold, oof >= threshold)
    scores = {
        "phrases": float(len(y)),
        "profile_phrases": float(profile.sum()),
        "right_share": round(float(y.mean()), 3),
        "kept_share": round(float(kept.mean()), 3),
        "kept_precision": round(float(y[kept].mean()) if kept.any() else 0.0, 3),
        "profile_kept_share": round(float(kept[profile].mean()), 3),
        "prose_kept_share": round(float(kept[~profile].mean()), 3),
        "calibration_error": round(
            expected_calibration_error(list(zip(oof.tolist(), (y == 1).tolist(), strict=True))), 3
        ),
    }
    print(f"thresholds {threshold:.4f} (prose), {profile_threshold:.4f} (profile): {scores}", file=sys.stderr)
    w, b = fit(x, y, L2, balanced=False)
    data = BoldFile(
        format_version=FORMAT_VERSION,
        fitted_on="bold phrases of the Factbook question bank's tune countries, SQuAD 2.0 dev tune questions and the "
        "misfire set's tune half; never a held-out question",
        command="python -m benchmarks.tune --bold",
        model=DEFAULT_MODEL,
        scores=scores,
        bias=round(b, 6),
        threshold=round(threshold, 4),
        profile_threshold=round(profile_threshold, 4),
        weights={name: round(float(v), 6) for name, v in zip(FEATURES, w, strict=True)},
    )
    model_from(data)
    BOLD_FILE.write_text(json.dumps(data.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    print(f"{len(rows)} phrases; wrote {BOLD_FILE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
