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
    lines = ["Each side, as the briefings give it:", ""]
    for name, a, c in zip(comparison.sides, answers, citations, strict=True):
        value = f"**{a.short_answer}** — " if a.short_answer else ""
        lines.append(f"- {name}: {value}“{' '.join(c.quote.split())}” [{c.n}] — from *{c.title}*")
    if confidence < MODERATE_BELOW:
        lines += ["", f"_Confidence is moderate ({confidence:.2f}): check the quotes against their sources._"]
    checks = [f"{name}: {note}" for name, a in zip(comparison.sides, answers, strict=True) for note in a.checks]
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
    )
