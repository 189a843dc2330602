"""Fit the reading models (`qa/answering/readings.py`) on tune data only, and write `readings.json`.

    python -m benchmarks.tune --readings      # (or python -m benchmarks.fit_readings) needs ../shared

What each model learns from (every row a question, its embedding by the bundled model, its cues):
- the misfire set's tune half (`misfire_questions.py`), with its readings;
- SQuAD 2.0 dev tune-split questions, all plain (those offering a choice "… or …" are left out: some are
  comparisons of two sides, and a label of plain would be wrong);
- the Factbook question bank's tune countries (`factbook_questions.py`), all plain, half of them asked after an
  unrelated earlier question (a conversation that is no follow-up);
- follow-ups made from the tune countries: after "What is the capital of X?", "What about Y?", "And Y?",
  "How about Y?", "And its population?" (follow-ups), and full questions (not);
- change, as-of and comparison questions made from the tune countries with the wordings below (written for
  this script: none is a held-out wording), so each reading has more than the misfire set's dozen examples.
The answer-form models (a quantity, a list: `FORMS`) learn from the Factbook question bank's tune countries
(each field's kind) and SQuAD tune questions (the form of the gold answer), among questions whose grammar
leaves their kind open.
Nothing of the misfire set's held-out half is read. Each model is an L2-regularised logistic regression with
the classes balanced; its threshold is the lowest whose precision, on 5-fold out-of-fold probabilities over
the tune rows, is at least `PRECISION`, so a mode that replaces the answer fires only when it is sure.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import time

import numpy as np

from benchmarks.factbook import question_bank
from benchmarks.harness import CACHE, SQUAD_DEV, needs, real_embedder
from benchmarks.logistic import fit, out_of_fold, threshold_at
from benchmarks.misfire_questions import ITEMS
from benchmarks.squad import build_corpus
from qa.answering.questions import OPEN_KINDS, clean_question, question_kind
from qa.answering.readings import (
    CUES,
    FORMAT_VERSION,
    FORMS,
    KINDS,
    READINGS_FILE,
    ReadingsFile,
    features,
    forms_from,
    models_from,
)
from qa.settings import DEFAULT_MODEL
from qa.text.documents import find_date

PRECISION = 0.97  # each reading's precision on out-of-fold tune probabilities
L2 = 1.0
SQUAD_ROWS = 3000
FACTBOOK_ROWS = 1500
_FIELDS = ("capital", "population", "currency", "highest point", "president", "main exports", "area")
_MONTHS = ("January", "March", "June", "September", "November")
_CHANGES = (
    "What changed in the {c} profile?",
    "What is new in the latest {c} edition?",
    "How has the {c} briefing changed since the previous edition?",
    "Which facts about {c} were updated in the new edition?",
    "What are the changes between the last two {c} profiles?",
    "What was added to the {c} profile in {y}?",
    "Did anything change in the {c} update?",
    "How does this year's {c} edition differ from last year's?",
    "What's been revised for {c} since the earlier update?",
    "Give me the differences between the old and new {c} profiles.",
    "What's new for {c}?",
    "Anything new in the {c} briefing since {y}?",
    "Which figures for {c} differ from the previous edition?",
    "What was dropped from the {c} profile in the latest update?",
    "What did the newest {c} update change?",
    "Summarise the updates to the {c} briefing since {m} {y}.",
    "Were there any revisions to {c}'s profile this year?",
    "What is different now in the {c} briefing compared with the previous one?",
)
_AS_OF = (
    "What was the {f} of {c} as of {y}?",
    "As of {m} {y}, what did the briefings say about the {f} of {c}?",
    "What did the {y} edition say about {c}'s {f}?",
    "According to the {m} {y} briefing, what was the {f} of {c}?",
    "In {y}, what did the profiles report as {c}'s {f}?",
    "What was {c}'s {f} at the end of {y}, according to the briefings?",
    "Back in {y}, what was {c}'s {f}?",
    "What did the {m} {y} update report about {c}'s {f}?",
    "At the time of the {m} {y} briefing, what was the {f} of {c}?",
    "In the {y} profile, what was listed as {c}'s {f}?",
    "What was {c}'s {f} in the {y} briefing?",
    "By {m} {y}, what had the briefings reported on {c}'s {f}?",
    "What were the briefings saying about {c}'s relations with {d} in {m} {y}?",
    "What did the {y} update say about trade between {c} and {d}?",
)
_COMPARISONS = (
    "Which has the larger {f}, {c} or {d}?",
    "Is {c} bigger than {d}?",
    "Which is more populous, {c} or {d}?",
    "Does {c} have more people than {d}?",
    "Which country is larger, {c} or {d}?",
    "Which has a smaller area, {c} or {d}?",
    "{c} or {d}: which has the higher {f}?",
    "How does {c}'s {f} compare with {d}'s?",
    "Is the {f} of {c} larger than that of {d}?",
    "Between {c} and {d}, which is bigger?",
)


def training_rows(rng: random.Random) -> list[tuple[str, bool, str]]:
    """(question, asked after another, reading) rows from tune data only."""
    rows = [(i.question, bool(i.history), i.reading) for i in ITEMS if i.split == "tune"]
    squad = [g.question for g in build_corpus(SQUAD_DEV, CACHE / "squad" / "corpus") if g.split == "tune"]
    squad = [q for q in squad if not re.search(r"\bor\b", q)]
    rows += [(q, False, "plain") for q in rng.sample(squad, min(SQUAD_ROWS, len(squad)))]
    bank = question_bank("tune")
    factbook = [a.question for a in rng.sample(bank, min(FACTBOOK_ROWS, len(bank)))]
    rows += [(q, i % 2 == 1, "plain") for i, q in enumerate(factbook)]
    countries = sorted({a.country for a in bank})
    for country in countries:
        other = rng.choice([c for c in countries if c != country])
        asked = rng.choice(_FIELDS)
        for form in ("What about {c}?", "And {c}?", "How about {c}?", "And what about {c}?", "And for {c}?"):
            rows.append((form.format(c=other), True, "followup"))
        rows.append((f"And its {rng.choice(_FIELDS)}?", True, "followup"))
        rows.append((f"What is its {rng.choice(_FIELDS)}?", True, "followup"))
        rows.append((f"What is the {asked} of {other}?", True, "plain"))
        year = str(rng.choice(range(2019, 2027)))
        month = rng.choice(_MONTHS)
        for form in rng.sample(_CHANGES, 4):
            rows.append((form.format(c=country, y=year, m=month), False, "change"))
        for form in rng.sample(_AS_OF, 3):
            rows.append((form.format(c=country, d=other, y=year, m=month, f=asked), False, "as_of"))
        for form in rng.sample(_COMPARISONS, 2):
            rows.append((form.format(c=country, d=other, f=asked), False, "comparison"))
    return rows


# the form of a SQuAD tune answer, read from the answer itself: a quantity (a number, maybe with a unit or a
# hedge, that is not a year) or a list (three or more items); these label tune data only
_HEDGE = r"(?:about|approximately|around|over|nearly|almost|some|more than|less than|fewer than|up to)\s+"
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|"
    "thousand|million|billion|dozen|half"
)
_QUANTITY = re.compile(rf"^(?:{_HEDGE})?[$€£]?(?:\d[\d,.]*|(?:{_NUMBER_WORDS})\b)", re.I)
_YEAR = re.compile(r"^(?:(?:in|by|since)\s+)?(?:1\d{3}|20\d{2})s?$", re.I)
FORM_ROWS = 4000  # SQuAD tune questions read for the answer-form models (their kind left open by grammar)


def answer_form(answer: str) -> str | None:
    """ "quantity", "list" or None for a gold answer's text."""
    text = answer.strip().rstrip(".")
    if len(re.split(r",|;|\band\b", text)) >= 3 and len(text.split()) <= 25:
        return "list"
    if len(text.split()) <= 5 and _QUANTITY.match(text) and not _YEAR.match(text) and not find_date(text):
        return "quantity"
    return None


def form_rows(rng: random.Random) -> list[tuple[str, str | None]]:
    """(question, the form of its answer) rows from tune data only, among questions whose grammar leaves their
    kind open (`qa.answering.questions.OPEN_KINDS`: "what", "other", "definition" or a bare "how"): the
    Factbook question bank's tune countries (each field's kind: a number is a quantity, a list a list) and
    SQuAD tune questions (the form of their first gold answer)."""
    bank = question_bank("tune")
    rows: list[tuple[str, str | None]] = [
        (a.question, {"number": "quantity", "list": "list"}.get(a.field.kind))
        for a in rng.sample(bank, min(FACTBOOK_ROWS, len(bank)))
    ]
    squad = [g for g in build_corpus(SQUAD_DEV, CACHE / "squad" / "corpus") if g.split == "tune" and g.answers]
    rows += [(g.question, answer_form(g.answers[0])) for g in rng.sample(squad, min(FORM_ROWS, len(squad)))]
    return [(q, form) for q, form in rows if question_kind(clean_question(q)) in OPEN_KINDS]


def fit_forms(rng: random.Random, embedder) -> tuple[dict, dict]:  # type: ignore[no-untyped-def, type-arg]
    """Each answer form's model and its scores, fitted like the readings (threshold at `PRECISION`)."""
    rows = form_rows(rng)
    texts = [clean_question(q) for q, _ in rows]
    vectors = embedder.embed(texts)
    x = np.stack([features(v, t, False) for v, t in zip(vectors, texts, strict=True)])
    dimension = vectors.shape[1]
    fitted, scores = {}, {}
    for form in FORMS:
        y = np.array([f == form for _, f in rows], dtype=float)
        t, precision, recall = threshold_at(out_of_fold(x, y, rng, L2, balanced=True), y, PRECISION)
        w, b = fit(x, y, L2, balanced=True)
        fitted[form] = {
            "bias": round(b, 6),
            "threshold": round(t, 4),
            "cues": {c: round(float(v), 6) for c, v in zip(CUES, w[dimension:], strict=True)},
            "embedding": [round(float(v), 6) for v in w[:dimension]],
        }
        scores[f"form_{form}"] = {"rows": len(y), "positives": int(y.sum()), "precision": round(precision, 3),
                                  "recall": round(recall, 3)}  # fmt: skip
        print(f"{form}: {scores[f'form_{form}']} threshold {t:.4f}", file=sys.stderr)
    return fitted, scores


def language_thresholds(rows: list[tuple[str, bool, str]], texts: list[str]) -> tuple[float, float]:
    """When a question is taken for another language: that language's probability at least the lowest value (on a
    0.01 grid, at least 0.5) no English tune question reaches, and English's under the lowest any English tune
    question has. The misfire set's tune questions in other languages say how many it then catches."""
    from qa.text.language import language_of, other_language

    foreign = {i.question for i in ITEMS if i.split == "tune" and i.group == "other language"}
    english = [language_of(t) for t, (q, _, _) in zip(texts, rows, strict=True) if q not in foreign]
    worst = max((f.probability for f in english if f.code != "en"), default=0.0)
    threshold = max(0.5, math.ceil((worst + 1e-9) * 100) / 100)
    english_below = min(f.english for f in english)
    caught = sum(other_language(q, threshold, english_below) is not None for q in foreign)
    print(f"language: {threshold}, English under {english_below:.4g}: {caught}/{len(foreign)} caught", file=sys.stderr)
    return threshold, english_below


def main() -> int:
    if not needs(SQUAD_DEV):
        return 2
    started = time.perf_counter()
    rng = random.Random(31)
    rows = training_rows(rng)
    texts = [clean_question(q) for q, _, _ in rows]
    embedder = real_embedder()
    vectors = embedder.embed(texts)
    x = np.stack([features(v, t, h) for v, t, (_, h, _) in zip(vectors, texts, rows, strict=True)])
    dimension = vectors.shape[1]
    fitted, scores = {}, {}
    for kind in KINDS:
        # a follow-up is read only after a conversation: its model learns from those rows alone
        keep = np.array([h for _, h, _ in rows]) if kind == "followup" else np.ones(len(rows), dtype=bool)
        y = np.array([r == kind for _, _, r in rows], dtype=float)[keep]
        xs = x[keep]
        t, precision, recall = threshold_at(out_of_fold(xs, y, rng, L2, balanced=True), y, PRECISION)
        w, b = fit(xs, y, L2, balanced=True)
        fitted[kind] = {
            "bias": round(b, 6),
            "threshold": round(t, 4),
            "cues": {c: round(float(v), 6) for c, v in zip(CUES, w[dimension:], strict=True)},
            "embedding": [round(float(v), 6) for v in w[:dimension]],
        }
        scores[kind] = {"rows": len(y), "positives": int(y.sum()), "precision": round(precision, 3),
                        "recall": round(recall, 3)}  # fmt: skip
        print(f"{kind}: {scores[kind]} threshold {t:.4f}", file=sys.stderr)
    forms, form_scores = fit_forms(rng, embedder)
    data = ReadingsFile.model_validate(
        {
            "format_version": FORMAT_VERSION,
            "fitted_on": "the misfire set's tune half, SQuAD 2.0 dev tune-split questions, the Factbook question bank's "
            "tune countries and follow-ups made from them; the answer forms on the Factbook question bank's tune "
            "countries and SQuAD 2.0 dev tune-split questions; never a held-out question",
            "command": "python -m benchmarks.tune --readings",
            "model": DEFAULT_MODEL,
            "scores": scores | form_scores,
            "readings": fitted,
            "forms": forms,
        }
    )
    data.language_threshold, data.english_below = language_thresholds(rows, texts)
    models_from(data), forms_from(data)  # the same checks as on load, before anything is written
    READINGS_FILE.write_text(json.dumps(data.model_dump(mode="json"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(rows)} rows; wrote {READINGS_FILE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
