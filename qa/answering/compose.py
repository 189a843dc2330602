"""The answer's text, by extractive templates only: a short answer phrase cut from the first quote
(when there is one), the quote with its [1] marker, the supporting quotes, the confidence note and
the checks; or, when abstaining, "Not in the briefings" with the closest passages and their scores.

Pure: strings from records. Every [n] names a citation in the list; nothing is paraphrased.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answering.features import Scored
from qa.answering.phrases import line_value
from qa.answering.questions import Question
from qa.records import Answer, Citation

# under this confidence an answer carries a note to check its quotes (the band the page calls low)
MODERATE_BELOW = 0.4


def _date_note(citation: Citation) -> str:
    return f", {citation.date}" if citation.date else ""


# A profile line answers these kinds of question with its whole value (a list of exports, a government type),
# shown as the short answer when it is no longer than this
_LINE_VALUE_KINDS = frozenset(("list", "what", "other", "definition", "how"))
_LINE_VALUE_WORDS = 25

_INTROS = {
    "why": "The reason the briefings give",
    "list": "The briefings list",
    "yes_no": "What the briefings say",
    "definition": "How the briefings describe it",
}


def short_phrase(question: Question, first: Scored, main: Citation) -> str | None:
    """The short answer phrase cut from the main quote (a date, number, name, place; a field line's value), if any."""
    if first.phrase is not None:
        return main.quote[first.phrase[0] : first.phrase[1]]
    if first.profile and question.kind in _LINE_VALUE_KINDS:
        span = line_value(main.quote, _LINE_VALUE_WORDS)  # "What does Chile export?": the line's value is the answer
        return main.quote[span[0] : span[1]] if span else None
    return None


def compose(
    question: Question,
    citations: Sequence[Citation],
    conf: float,
    checks: Sequence[str] = (),
    phrase: str | None = None,
) -> str:
    """The Markdown answer text: the short answer phrase in bold when one is given, the main quote, the others."""
    main = citations[0]
    source = f"*{main.title}*{_date_note(main)}"
    if phrase:
        lead = f"**{_inline(phrase)}** [1] — from {source}:"
    else:
        lead = f"{_INTROS.get(question.kind, 'The briefings say')} ({source}):"
    lines = [lead, "", f"> {_inline(main.quote)} [1]"]
    if len(citations) > 1:
        lines += ["", "Also relevant:"]
        lines += [f"- “{_inline(c.quote)}” [{c.n}]" for c in citations[1:]]
    if conf < MODERATE_BELOW:
        lines += ["", f"_Confidence is moderate ({conf:.2f}): check the quotes against their sources._"]
    lines += [f"\n_Check: {note}._" for note in checks]
    return "\n".join(lines)


def _inline(quote: str) -> str:
    return " ".join(quote.split())


def abstain(
    question: Question, nearest: Sequence[Citation], conf: float, reason: str, checks: Sequence[str] = ()
) -> Answer:
    lines = [f"**Not in the briefings.** {reason}"]
    if nearest:
        lines += ["", "The closest passages, for reference (they do not answer the question):"]
        lines += [
            f"- *{c.title}*{_date_note(c)}"
            + (f", {c.section}" if c.section else "")
            + f" (score {c.score:.2f}): “{_inline(c.quote)}”"
            for c in nearest
        ]
    return Answer(
        question=question.text,
        text="\n".join(lines),
        abstained=True,
        confidence=conf,
        citations=[],
        nearest=list(nearest),
        question_type=question.kind,
        resolved_question=question.search_text,
        checks=list(checks),
    )
