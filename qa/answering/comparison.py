"""Comparison questions: "Which has a larger population, Mexico or Russia?" asks the same thing of two
named sides. Each side is asked on its own ("Which has a larger population, Mexico?") and the answer
quotes both, one citation each, or refuses when either side has no quote that answers it.

Pure: finding the two sides and joining two answers. Whether a question is a comparison at all is the
reading models' call (`qa.answering.readings`). No side is declared the winner: the quotes show
each side's figure; an answer is built only from what the briefings say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answering.compose import MODERATE_BELOW
from qa.answering.evidence import OPPOSITE_NOTE
from qa.records import Answer, Citation

_NAME = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+(?:of\s+|the\s+|and\s+)?[A-ZÀ-ÖØ-Þ][\w'’.-]*)*"
# "…, A or B?", "… A or B …": two capitalised names joined by "or"
_CHOICE = re.compile(
    rf"(?P<choice>(?:the\s+)?(?P<a>{_NAME}))\s+or\s+(?:the\s+)?(?P<b>{_NAME})(?=\s*[?.!]?\s*$|\s*[,?])"
)
# "Is A larger than B?", "Does A have more people than B?": the first side is the name before "than"'s comparative
_THAN = re.compile(rf"\s+than\s+(?:(?:that|those)\s+of\s+)?(?:the\s+)?(?P<b>{_NAME})(?=\s*[?.!]?\s*$|\s*[,?])")
_NAME_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.-]*)*")  # "United States"; "GDP of Mexico" is two


@dataclass(frozen=True)
class Comparison:
    """The two sides of a comparison question, and the question asked of each."""

    sides: tuple[str, str]
    questions: tuple[str, str]


def comparison_sides(text: str) -> Comparison | None:
    """The two named sides of a question read as a comparison ("Which is larger, A or B?", "Is A larger than
    B?"), each with the question less the other side; None when it names no two sides. Whether a question is
    a comparison at all is the reading model's call (`qa.answering.readings`), not this parser's."""
    match = _CHOICE.search(text)
    if match is not None:
        a, b = match.group("a"), match.group("b")
        before, after = text[: match.start("choice")], text[match.end("b") :]
        questions = (before + a + after, before + b + after)
    else:
        than = _THAN.search(text)
        names = [m for m in _NAME_WORD.finditer(text, 1, than.start())] if than else []
        if than is None or not names:
            return None
        a, b = names[-1].group(), than.group("b")
        asked = text[: than.start()] + text[than.end("b") :]  # "Is Mexico larger?"
        questions = (asked, asked[: names[-1].start()] + b + asked[names[-1].end() :])
    if a.lower() == b.lower():
        return None
    return Comparison((a, b), tuple(re.sub(r"\s+([?.!,])", r"\1", q).strip() for q in questions))  # type: ignore[arg-type]


def join_answers(question: str, comparison: Comparison, answers: tuple[Answer, Answer]) -> Answer:
    """One answer quoting each side's first quote ([1] for the first side, [2] for the second); a refusal naming
    the side the briefings do not answer when either side abstains. Its confidence is the lower of the two."""
    first, second = answers
    confidence = min(first.confidence, second.confidence)
    missing = [name for name, a in zip(comparison.sides, answers, strict=True) if a.abstained or not a.citations]
    if missing:
        answered = [name for name in comparison.sides if name not in missing]
        reason = (
            f"the briefings answer it for {answered[0]} but not for {missing[0]}"
            if answered
            else f"the briefings answer it for neither {comparison.sides[0]} nor {comparison.sides[1]}"
        )
        nearest = [c for a in answers for c in (a.citations[:1] or a.nearest[:1])]
        return Answer(
            question=question,
            text=f"**Not in the briefings.** A comparison needs a quote for each side: {reason}.",
            abstained=True,
            confidence=confidence,
            nearest=[c.model_copy(update={"n": n}) for n, c in enumerate(nearest, start=1)],
            question_type="comparison",
            resolved_question=question,
            checks=[reason],
        )
    citations: list[Citation] = [a.citations[0].model_copy(update={"n": n}) for n, a in enumerate(answers, start=1)]
    figures = [figure(a.short_answer or "") or figure(c.quote) for a, c in zip(answers, citations, strict=True)]
    lead = comparison_lead(comparison.sides, figures, citations)
    lines = [lead, ""]
    for name, a, c in zip(comparison.sides, answers, citations, strict=True):
        value = f"**{a.short_answer}** — " if a.short_answer else ""
        lines.append(f"- {name}: {value}“{' '.join(c.quote.split())}” [{c.n}] — from *{c.title}*")
    if confidence < MODERATE_BELOW:
        lines += ["", f"_Confidence is moderate ({confidence:.2f}): check the quotes against their sources._"]
    # a side's own checks, less a word the question says against one its quote says ("bigger" against "smaller"):
    # each side answers the same measure, and which is larger is the figures' to say, not a word's
    checks = [
        f"{name}: {note}"
        for name, a in zip(comparison.sides, answers, strict=True)
        for note in a.checks
        if not note.startswith(OPPOSITE_NOTE)
    ]
    lines += [f"\n_Check: {note}._" for note in checks]
    return Answer(
        question=question,
        text="\n".join(lines),
        short_answer=None,
        abstained=False,
        confidence=confidence,
        citations=citations,
        question_type="comparison",
        resolved_question=question,
        checks=checks,
        sides=list(comparison.sides),
    )


@dataclass(frozen=True)
class Figure:
    """A number a quote gives and the unit written after it ("8,515,770 sq km": 8515770.0, "sq km")."""

    value: float
    written: str  # as the quote writes it, with its scale word ("1.2 million")
    unit: str


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_FIGURE = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\w)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?"
    r"(?P<unit>\s*%|\s+(?:per\s*cent|percent)\b|\s+[a-z][a-z.]*(?:\s+(?:km|mi|m|kilometres|kilometers|miles))?)?",
    re.I,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NOT_UNITS = frozenset(["est", "and", "or", "in", "of", "to", "the", "since", "from", "with", "as", "by", "for"])


def figure(text: str) -> Figure | None:
    """The first figure of a quote or short answer that is no year in brackets or date: its value, as written,
    and its unit (lower-cased; "" when none is written)."""
    for match in _FIGURE.finditer(text):
        before = text[: match.start()].rstrip()
        if before.endswith("(") or re.fullmatch(r"(?:1[5-9]|20)\d\d", match.group("n")):
            continue  # "(2024 est.)", a year
        unit = " ".join((match.group("unit") or "").lower().split()).replace("percent", "%").replace("per cent", "%")
        if unit.split(" ")[0].startswith(_MONTHS):
            continue  # "12 December 2019": a date
        if unit.rstrip(".") in _NOT_UNITS:
            unit = ""
        scale = (match.group("scale") or "").lower()
        value = float(match.group("n").replace(",", "")) * _SCALES.get(scale, 1.0)
        written = match.group("n") + (f" {scale}" if scale else "")
        return Figure(value, written, unit.rstrip("."))
    return None


def comparison_lead(sides: tuple[str, str], figures: list[Figure | None], citations: list[Citation]) -> str:
    """The comparison's first line: which side's figure is the larger, both figures cited, when both quotes give a
    figure of one unit; else that they give none to set side by side (and each side as the briefings give it)."""
    first, second = figures
    if first is None or second is None or first.unit != second.unit:
        return "The two quotes give no figures of one unit to set side by side; each side, as the briefings give it:"
    if first.value == second.value:
        return f"The figures are equal: {_stated(sides, figures, citations)}."
    larger = sides[0] if first.value > second.value else sides[1]
    return f"**{larger}** has the larger figure: {_stated(sides, figures, citations)}."


def _stated(sides: tuple[str, str], figures: list[Figure | None], citations: list[Citation]) -> str:
    unit = figures[0].unit if figures[0] is not None else ""
    parts = [
        f"{name} {f.written}{'' if not unit else ('%' if unit == '%' else ' ' + unit)} [{c.n}]"
        for name, f, c in zip(sides, figures, citations, strict=True)
        if f is not None
    ]
    return "; ".join(parts)
