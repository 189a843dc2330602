"""What a user reads, over the 82 Factbook profiles: the right profile and line, the bold short answer,
the confidence, and refusals — on held-out countries.

    python -m benchmarks.factbook              # both splits; writes docs/factbook.md, the PNG, the README headline
    python -m benchmarks.factbook --split tune --no-write     # while tuning: the tune countries only

Questions come from `factbook_questions.FIELDS` (several wordings per field, written before any was
run on held-out countries) asked of every country of a split (`factbook_split.json`, a fixed list);
the same wordings about countries with no profile must be refused. The gold is read from the profile:
the field's line (by document id and character offsets, never a substring found anywhere) and its value.

- right line: the first quote is in the gold profile and overlaps the gold line;
- short answer: given (not abstaining, a bold phrase shown), and right when its SQuAD-normalised F1
  against the gold value is at least 0.5 and it holds the value's first number, if the value has one;
- wrongly refused: abstained where a profile holds the answer; out-of-corpus refused: abstained
  where no profile exists;
- calibration: confidence against "the first quote is on the right line" (0 for every question no
  profile answers), as expected calibration error (10 bins) and AUROC.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.calibration import auroc, expected_calibration_error, plot_reliability
from benchmarks.factbook_questions import FIELDS, Field
from benchmarks.harness import DOCS, FACTBOOK, cached_assistant, real_embedder
from benchmarks.report import update_results, write_headline
from benchmarks.squad import exact_match, f1
from qa.assistant import Assistant
from qa.records import Answer, Document, Section
from qa.text.documents import read_document
from qa.text.structure import FIELD_LINE, line_label
from qa.text.tokens import tokenize

SPLIT = Path(__file__).with_name("factbook_split.json")
_CLOSING_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*$")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


@dataclass(frozen=True)
class Gold:
    doc_id: str
    start: int  # the gold line's offsets in the document's text
    end: int
    value: str  # what the short answer should say
    # the same line repeated word for word under another heading of the same name (a profile gives its
    # `### Climate` under both Geography and Environment): quoting either is right
    repeats: tuple[tuple[int, int], ...] = ()

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return ((self.start, self.end), *self.repeats)

    def overlaps(self, start: int, end: int) -> bool:
        return any(start < e and end > s for s, e in self.spans)


@dataclass(frozen=True)
class Asked:
    split: str
    country: str
    field: Field
    wording: int  # index into field.wordings
    question: str
    gold: Gold | None  # None: no profile holds the answer


def country_of(document: Document) -> str:
    """The country as the profile's title writes it: "Mexico — CIA World Factbook country profile" → "Mexico"."""
    return document.title.split(" — ")[0].strip()


def gold_line(document: Document, heading: str, label: str | None) -> Gold | None:
    """The line under the first `### heading` whose label is `label` (the field's first line when None), with its
    value, and where the same line stands again under another `### heading` of that name."""
    found = [g for g in _lines_under(document, heading, label) if g is not None]
    if not found:
        return None
    first = found[0]
    text = document.text[first.start : first.end]
    repeats = tuple((g.start, g.end) for g in found[1:] if document.text[g.start : g.end] == text)
    return Gold(first.doc_id, first.start, first.end, first.value, repeats)


def _lines_under(document: Document, heading: str, label: str | None) -> list[Gold | None]:
    """For each `### heading` of that name, in order, its line labelled `label` (its first line when None)."""
    return [
        _line_under(document, section, label)
        for section in document.headings
        if section.level == 3 and section.title.strip() == heading
    ]


def _line_under(document: Document, section: Section, label: str | None) -> Gold | None:
    after = sorted(h.start for h in document.headings if h.start > section.start)
    region_end = after[0] if after else len(document.text)
    position = section.end
    for line in document.text[section.end : region_end].split("\n"):
        start = position + len(line) - len(line.lstrip())
        position += len(line) + 1
        text = line.strip()
        if not text or text.lower().startswith("note:"):
            continue
        found = line_label(text)
        if label is not None and found.casefold() != label.casefold():
            continue
        match = FIELD_LINE.match(text)
        value = text[match.end() :] if match and found else text
        value = _CLOSING_PARENTHESIS.sub("", value).strip(" -") or value.strip()
        return Gold(document.doc_id, start, start + len(text), value)
    return None


def shares_no_word(wording: str, field: Field) -> bool:
    """Whether a wording shares no word with the field's name and label (an everyday wording)."""
    named = set(tokenize(field.heading)) | set(tokenize(field.label or ""))
    return not (set(tokenize(wording.replace("{c}", ""))) & named)


def question_bank(split: str) -> list[Asked]:
    data = json.loads(SPLIT.read_text(encoding="utf-8"))
    asked: list[Asked] = []
    for name in data["profiles"][split]:
        document = read_document(FACTBOOK, FACTBOOK / name)
        country = country_of(document)
        for field in FIELDS:
            gold = gold_line(document, field.heading, field.label)
            if gold is None:
                continue
            asked += [Asked(split, country, field, i, w.format(c=country), gold) for i, w in enumerate(field.wordings)]
    for country in data["no_profile"][split]:
        for field in FIELDS:
            asked += [Asked(split, country, field, i, w.format(c=country), None) for i, w in enumerate(field.wordings)]
    return asked


@dataclass(frozen=True)
class Scored:
    asked: Asked
    answer: Answer

    @property
    def right_line(self) -> bool:
        gold = self.asked.gold
        if gold is None or self.answer.abstained or not self.answer.citations:
            return False
        first = self.answer.citations[0]
        return first.doc_id == gold.doc_id and gold.overlaps(first.start, first.end)

    @property
    def short_given(self) -> bool:
        return not self.answer.abstained and bool(self.answer.short_answer)

    @property
    def short_f1(self) -> float:
        gold = self.asked.gold
        return f1(self.answer.short_answer or "", (gold.value,)) if gold and self.short_given else 0.0

    @property
    def short_right(self) -> bool:
        """F1 of at least 0.5 against the value, and the value's first number, if it has one, in the short
        answer ("29.4 years" shares "years" with "29.3 years": half its words, and still wrong)."""
        gold = self.asked.gold
        number = _NUMBER.search(gold.value) if gold else None
        return self.short_f1 >= 0.5 and (number is None or number.group() in (self.answer.short_answer or ""))


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "–"


def summary(rows: list[Scored]) -> dict[str, float | int | None]:
    answerable = [r for r in rows if r.asked.gold is not None]
    absent = [r for r in rows if r.asked.gold is None]
    given = [r for r in answerable if r.short_given]
    points = [(r.answer.confidence, r.right_line) for r in rows]
    return {
        "answerable": len(answerable),
        "no_profile": len(absent),
        "right_line": round(sum(r.right_line for r in answerable) / max(1, len(answerable)), 3),
        "short_given": round(len(given) / max(1, len(answerable)), 3),
        "short_right_of_given": round(sum(r.short_right for r in given) / max(1, len(given)), 3),
        "short_em_of_given": round(
            sum(exact_match(r.answer.short_answer or "", (r.asked.gold.value,)) for r in given if r.asked.gold)
            / max(1, len(given)),
            3,
        ),
        "wrongly_refused": round(sum(r.answer.abstained for r in answerable) / max(1, len(answerable)), 3),
        "no_profile_refused": round(sum(r.answer.abstained for r in absent) / max(1, len(absent)), 3),
        "calibration_error": round(expected_calibration_error(points), 3),
        "auroc": None if (a := auroc(points)) is None else round(a, 3),
    }


TARGETS = {
    "right_line": "≥ 0.92",
    "short_right_of_given": "≥ 0.95",
    "short_given": "≥ 0.70",
    "wrongly_refused": "≤ 0.05",
    "no_profile_refused": "≥ 0.95",
    "calibration_error": "≤ 0.05",
}
LABELS = {
    "right_line": "first quote on the right profile and line",
    "short_given": "short (bold) answer given",
    "short_right_of_given": "short answer right, of those given (F1 ≥ 0.5 against the value, and its number)",
    "short_em_of_given": "short answer exactly the value, of those given",
    "wrongly_refused": "refused though a profile answers",
    "no_profile_refused": "refused where no profile exists",
    "calibration_error": "calibration error (confidence vs right line, 10 bins)",
    "auroc": "AUROC of confidence for a right line",
}


def tables(by_split: dict[str, list[Scored]]) -> str:
    splits = list(by_split)
    sums = {s: summary(rows) for s, rows in by_split.items()}
    lines = [
        "| measure | " + " | ".join(splits) + " | target |",
        "|---|" + "---|" * len(splits) + "---|",
    ]
    for key, label in LABELS.items():
        values = [str(sums[s][key]) if sums[s][key] is not None else "–" for s in splits]
        lines.append(f"| {label} | " + " | ".join(values) + f" | {TARGETS.get(key, '')} |")
    counts = ", ".join(
        f"{s}: {sums[s]['answerable']} answerable, {sums[s]['no_profile']} with no profile" for s in splits
    )
    lines += ["", f"Questions — {counts}.", ""]
    for split, rows in by_split.items():
        lines += [
            f"#### By field — {split}",
            "",
            "| field (line) | wordings | answerable | right line | short given | short right of given | refused |",
            "|---|---|---|---|---|---|---|",
        ]
        for field in FIELDS:
            mine = [r for r in rows if r.asked.field == field and r.asked.gold is not None]
            if not mine:
                continue
            given = [r for r in mine if r.short_given]
            name = field.heading + (f" / {field.label}" if field.label else "")
            lines.append(
                f"| {name} | {len(field.wordings)} | {len(mine)} | {_share(sum(r.right_line for r in mine), len(mine))} | "
                f"{_share(len(given), len(mine))} | {_share(sum(r.short_right for r in given), len(given))} | "
                f"{_share(sum(r.answer.abstained for r in mine), len(mine))} |"
            )
        everyday = [
            r
            for r in rows
            if r.asked.gold is not None and shares_no_word(r.asked.field.wordings[r.asked.wording], r.asked.field)
        ]
        named = [r for r in rows if r.asked.gold is not None and r not in everyday]
        lines += [
            "",
            f"Wordings that share no word with the field's name: right line {_share(sum(r.right_line for r in everyday), len(everyday))} "
            f"of {len(everyday)}, refused {_share(sum(r.answer.abstained for r in everyday), len(everyday))}; "
            f"wordings that name it: right line {_share(sum(r.right_line for r in named), len(named))} of {len(named)}, "
            f"refused {_share(sum(r.answer.abstained for r in named), len(named))}.",
            "",
        ]
    return "\n".join(lines)


def _quoted_path(answer: Answer) -> str:
    """The field path of the first quote: its heading and its line's label ("Exports - commodities")."""
    quoted = answer.nearest if answer.abstained else answer.citations
    if not quoted:
        return "(refused)"
    label = line_label(quoted[0].quote)
    path = quoted[0].section.split(" > ")[-1] + (f": {label}" if label else "")
    return f"{path} (nearest, refused)" if answer.abstained else path


def hardest_wordings(rows: list[Scored], embed: Callable[[list[str]], np.ndarray], count: int = 8) -> str:
    """The wordings most often answered from another line, with what was quoted instead and why: the bundled
    model's cosine between the wording (less the country) and the right field's path, and the path quoted most."""
    by_wording: dict[tuple[Field, int], list[Scored]] = {}
    for r in rows:
        if r.asked.gold is not None:
            by_wording.setdefault((r.asked.field, r.asked.wording), []).append(r)
    worst = sorted(by_wording.items(), key=lambda item: sum(r.right_line for r in item[1]) / len(item[1]))[:count]
    lines = [
        "| wording | right line | quoted instead, most often | cosine to the right field | … to that one |",
        "|---|---|---|---|---|",
    ]
    for (field, wording), mine in worst:
        wrong = Counter(_quoted_path(r.answer) for r in mine if not r.right_line)
        instead, times = wrong.most_common(1)[0] if wrong else ("–", 0)
        asked = field.wordings[wording].replace("{c}'s", "").replace("{c}", "")
        asked = re.sub(r"\s+([?'])", r"\1", re.sub(r"\s+", " ", asked)).strip()
        right = field.heading + (f": {field.label}" if field.label else "")
        texts = [asked, right] + (
            [instead.removesuffix(" (nearest, refused)")] if instead not in ("–", "(refused)") else []
        )
        vectors = embed(texts)
        cosines = [f"{float(vectors[0] @ v):.2f}" for v in vectors[1:]] + ["–"] * (3 - len(texts))
        share = _share(sum(r.right_line for r in mine), len(mine))
        lines.append(f"| {asked} | {share} | {instead} ({times} of {len(mine)}) | {cosines[0]} | {cosines[1]} |")
    return "\n".join(lines)


def run(assistant: Assistant, asked: list[Asked]) -> list[Scored]:
    assistant.prime([a.question for a in asked])
    assistant.prime_fields()
    return [Scored(a, assistant.ask(a.question)) for a in asked]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["tune", "heldout", "both"], default="both")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if not FACTBOOK.is_dir():
        print(
            f"Factbook profiles not found at {FACTBOOK}: this needs ../shared/eval beside the project.", file=sys.stderr
        )
        return 2
    embedder = real_embedder()
    assistant = cached_assistant("factbook", FACTBOOK, embedder)
    splits = ["tune", "heldout"] if args.split == "both" else [args.split]
    started = time.perf_counter()
    by_split = {split: run(assistant, question_bank(split)) for split in splits}
    print(
        f"asked {sum(map(len, by_split.values()))} questions in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    header = (
        f"Measured by `python -m benchmarks.factbook` on {time.strftime('%Y-%m-%d')}: the questions of "
        "`benchmarks/factbook_questions.py` asked of every country of each split (`benchmarks/factbook_split.json`), "
        f"abstention thresholds {assistant.thresholds}. Held-out is the headline; tune is where weights may be chosen.\n"
    )
    text = header + "\n" + tables(by_split)
    for split in ("tune", "heldout"):
        if split in by_split:
            text += (
                f"\n#### The hardest wordings — {split}\n\nWhere the first quote is most often another line, what it"
                " quotes instead, and the bundled model's cosine between the wording (the country left out) and each"
                " line's field path: where the wrong field is nearer, or as near, the field match cannot tell them"
                " apart.\n\n" + hardest_wordings(by_split[split], embedder.embed) + "\n"
            )
    print(text)
    if not args.no_write and args.split == "both":
        (DOCS / "factbook.md").write_text(
            "# Factbook: what a user reads\n\n" + text + "\n![reliability](factbook-calibration.png)\n",
            encoding="utf-8",
        )
        curves = {s: [(r.answer.confidence, r.right_line) for r in rows] for s, rows in by_split.items()}
        plot_reliability(
            curves, DOCS / "factbook-calibration.png", "Factbook: confidence shown vs share on the right line"
        )
        values = {"measured": time.strftime("%Y-%m-%d"), **summary(by_split["heldout"])}
        write_headline(update_results("factbook_heldout", values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
