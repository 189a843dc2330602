"""Misfires on ordinary questions: how each question of `misfire_questions.py` is read, and whether the bold
short answer a user sees is right, absent, or wrong — and at what confidence.

    python -m benchmarks.misfire              # needs ../shared; the bundled model; writes docs/misfire.md
    python -m benchmarks.misfire --no-write   # print only

Scores (the held-out half is the headline; the tune half is where weights may be chosen):
- each reading's precision and recall (plain, change, as-of, comparison, follow-up), read from the answer
  (`Answer.reading`);
- the bold answer: of the bold answers shown, the share that hold the expected text (a bold shown on a
  question the corpus does not answer is wrong); wrong bold answers at *high* (≥ 0.75) and *medium*
  (0.5–0.75) confidence — the confidence a user reads beside it (`Answer.bold_confidence` where the answer has
  one, else `Answer.confidence`);
- refusals: the unanswerable refused, the answerable answered (a change question answered by asking which
  series it means counts as answered); per group of questions.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import CACHE, DOCS, FACTBOOK, cached_assistant, needs, real_embedder
from benchmarks.misfire_questions import ITEMS, Item
from benchmarks.over_time import make_corpus as make_series
from benchmarks.report import update_results, write_headline
from qa.assistant import Assistant
from qa.records import Answer, Filters

READINGS = ("plain", "change", "as_of", "comparison", "followup")
SINGLE_PROFILES = (
    "pe-peru.md", "no-norway.md", "eg-egypt.md", "cu-cuba.md", "qa-qatar.md", "mo-morocco.md", "kz-kazakhstan.md",
    "mg-mongolia.md", "nz-new-zealand.md",
)  # fmt: skip
HIGH, MEDIUM = 0.75, 0.5


def make_corpus(corpus: Path) -> None:
    """The series of `benchmarks.over_time` and nine more tune-split profiles as they are."""
    make_series(corpus)
    for name in SINGLE_PROFILES:
        shutil.copy(FACTBOOK / name, corpus / "profiles" / name)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def reading_of(answer: Answer) -> str:
    """How the answer says the question was read (older answers without `reading`: from its kind and scope)."""
    reading = getattr(answer, "reading", None)
    if reading:
        return str(reading)
    if answer.question_type in ("change", "comparison"):
        return answer.question_type
    if answer.scope is not None and answer.scope.as_of:
        return "as_of"
    if answer.resolved_question and answer.resolved_question != answer.question:
        return "followup"
    return "plain"


def bold_confidence(answer: Answer) -> float:
    value = getattr(answer, "bold_confidence", None)
    return answer.confidence if value is None else float(value)


@dataclass(frozen=True)
class Scored:
    item: Item
    answer: Answer
    seconds: float

    @property
    def reading(self) -> str:
        return reading_of(self.answer)

    @property
    def bold(self) -> str | None:
        return None if self.answer.abstained else (self.answer.short_answer or None)

    @property
    def bold_right(self) -> bool | None:
        """None: no bold shown, or none expected on an answerable question (not scored)."""
        if self.bold is None:
            return None
        if not self.item.answerable:
            return False
        if self.item.bold is None:
            return None
        return fold(self.item.bold) in fold(self.bold)

    @property
    def refused(self) -> bool:
        """Abstained; a change question's "Which series do you mean?" asks back rather than refuses."""
        return self.answer.abstained and self.answer.question_type != "change"


def ask(assistant: Assistant, item: Item) -> Scored:
    filters = Filters(doc_ids=item.doc_ids, date_from=item.date_from, date_to=item.date_to)
    started = time.perf_counter()
    answer = assistant.ask(item.question, list(item.history), filters=filters)
    return Scored(item, answer, time.perf_counter() - started)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "–"


def summary(rows: list[Scored]) -> dict[str, object]:
    """The numbers of one split."""
    out: dict[str, object] = {}
    for reading in READINGS:
        said = [r for r in rows if r.reading == reading]
        meant = [r for r in rows if r.item.reading == reading]
        hit = sum(r.item.reading == reading for r in said)
        out[f"{reading}_precision"] = hit / len(said) if said else None
        out[f"{reading}_recall"] = hit / len(meant) if meant else None
    given = [r for r in rows if r.bold_right is not None]
    wrong = [r for r in given if r.bold_right is False]
    out["bold_given"] = len(given)
    out["bold_precision"] = (len(given) - len(wrong)) / len(given) if given else None
    out["wrong_bold_high"] = sum(bold_confidence(r.answer) >= HIGH for r in wrong)
    out["wrong_bold_medium"] = sum(MEDIUM <= bold_confidence(r.answer) < HIGH for r in wrong)
    out["wrong_bold_share"] = len(wrong) / len(given) if given else None
    unanswerable = [r for r in rows if not r.item.answerable]
    answerable = [r for r in rows if r.item.answerable]
    out["refused_unanswerable"] = sum(r.refused for r in unanswerable) / len(unanswerable) if unanswerable else None
    out["answered_answerable"] = sum(not r.refused for r in answerable) / len(answerable) if answerable else None
    return out


def tables(by_split: dict[str, list[Scored]]) -> str:
    splits = list(by_split)
    lines = [
        "#### How questions are read",
        "",
        "| reading | " + " | ".join(f"{s} precision | {s} recall" for s in splits) + " |",
    ]
    lines.append("|---|" + "---|---|" * len(splits))
    for reading in READINGS:
        cells = []
        for s in splits:
            rows = by_split[s]
            said = [r for r in rows if r.reading == reading]
            meant = [r for r in rows if r.item.reading == reading]
            hit = sum(r.item.reading == reading for r in said)
            cells += [_ratio(hit, len(said)), _ratio(hit, len(meant))]
        lines.append(f"| {reading} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "#### The bold answer and refusals",
        "",
        "| | " + " | ".join(splits) + " |",
        "|---|" + "---|" * len(splits),
    ]

    def row(label: str, make) -> None:  # type: ignore[no-untyped-def]
        lines.append(f"| {label} | " + " | ".join(make(by_split[s]) for s in splits) + " |")

    def bold_cells(rows: list[Scored]) -> str:
        given = [r for r in rows if r.bold_right is not None]
        return _ratio(sum(bool(r.bold_right) for r in given), len(given))

    def wrong_at(lo: float, hi: float):  # type: ignore[no-untyped-def]
        return lambda rows: str(sum(r.bold_right is False and lo <= bold_confidence(r.answer) < hi for r in rows))

    row("bold answers right, of those shown (scored ones)", bold_cells)
    row("wrong bold answers at *high* (≥ 0.75)", wrong_at(HIGH, 2.0))
    row("wrong bold answers at *medium* (0.5–0.75)", wrong_at(MEDIUM, HIGH))
    row("wrong bold answers at *low*", wrong_at(-1.0, MEDIUM))
    row("unanswerable refused", lambda rows: _ratio(sum(r.refused for r in rows if not r.item.answerable),
                                                     sum(not r.item.answerable for r in rows)))  # fmt: skip
    row("answerable answered", lambda rows: _ratio(sum(not r.refused for r in rows if r.item.answerable),
                                                   sum(r.item.answerable for r in rows)))  # fmt: skip
    lines += ["", "#### By group (held-out)", "", "| group | questions | read right | bold right / shown | refused right |",
              "|---|---|---|---|---|"]  # fmt: skip
    rows = by_split.get("heldout", [])
    for group in dict.fromkeys(r.item.group for r in rows):
        mine = [r for r in rows if r.item.group == group]
        given = [r for r in mine if r.bold_right is not None]
        refusal_right = sum(r.refused != r.item.answerable for r in mine)
        lines.append(
            f"| {group} | {len(mine)} | {sum(r.reading == r.item.reading for r in mine)} | "
            f"{sum(bool(r.bold_right) for r in given)} / {len(given)} | {refusal_right} |"
        )
    return "\n".join(lines) + "\n"


def misses(rows: list[Scored], count: int = 40) -> str:
    """The misfires of a split, for reading by eye: wrong reading, wrong bold, wrong refusal."""
    out = []
    for r in rows:
        problems = []
        if r.reading != r.item.reading:
            problems.append(f"read as {r.reading}")
        if r.bold_right is False:
            problems.append(f"bold “{r.bold}” at {bold_confidence(r.answer):.2f}")
        if r.refused == r.item.answerable:
            problems.append("refused" if r.refused else "answered")
        if problems:
            out.append(f"- {r.item.question} — {'; '.join(problems)}")
    return "\n".join(out[:count]) + ("\n" if out else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show-misses", choices=("tune", "heldout"), help="list the misfires of a split")
    args = parser.parse_args(argv)
    if not needs(FACTBOOK):
        return 2
    corpus = CACHE / "misfire" / "corpus"
    if not corpus.is_dir():
        make_corpus(corpus)
    assistant = cached_assistant("misfire", corpus, real_embedder())
    assistant.prime([i.question for i in ITEMS])
    by_split = {s: [ask(assistant, i) for i in ITEMS if i.split == s] for s in ("tune", "heldout")}
    header = (
        f"Measured by `python -m benchmarks.misfire` on {time.strftime('%Y-%m-%d')}: {len(ITEMS)} questions of "
        "`benchmarks/misfire_questions.py` (written before the readers were changed) over the sample briefing, its "
        "January 2026 update, three profile series and nine tune-split profiles. Held-out is the headline.\n"
    )
    text = header + "\n" + tables(by_split)
    print(text)
    if args.show_misses:
        print(misses(by_split[args.show_misses], 200))
    if not args.no_write:
        (DOCS / "misfire.md").write_text("# Misfires on ordinary questions\n\n" + text, encoding="utf-8")
        values = {"measured": time.strftime("%Y-%m-%d"), **summary(by_split["heldout"])}
        write_headline(update_results("misfire_heldout", {k: v for k, v in values.items() if v is not None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
