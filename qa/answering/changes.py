"""Briefings over time: what changed between two members of a series, and which member said what.

`series_diff` aligns the sentences of two members (`qa.text.diffing.align`) and returns every changed,
added and removed sentence, each pinned by offsets into its own document, the changed words marked.
`counterpart` finds, in another member, the sentence that is the same sentence as a given one (same or
changed): how an answer quoted from one update is checked against the others. Pure: it reads documents
and their sentences through `SentenceSource`; nothing is embedded or searched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from qa.errors import QuestionError
from qa.records import Answer, Citation, DiffLine, Document, DocumentInfo, Quoted, SeriesDiff
from qa.text.diffing import Change, align, best_match, changed_words
from qa.text.documents import find_date
from qa.text.series import Member, Series, series_key
from qa.text.tokens import tokenize

CHANGES_SHOWN = 12  # changed lines a change answer quotes (`qa diff` lists them all)
SERIES_LISTED = 10  # series named when a name matches none


class SentenceSource(Protocol):
    """What a diff reads of the index: a document by id, its info, and its sentences' spans in order."""

    def document(self, doc_id: str) -> Document: ...
    def info(self, doc_id: str) -> DocumentInfo: ...
    def spans(self, doc_id: str) -> Sequence[tuple[int, int]]: ...


def find_series(found: Sequence[Series], name: str) -> Series:
    """The series `name` names: by its folded words, whole or as the start of one name; else a clear error."""
    key = series_key(name)
    exact = [s for s in found if s.key == key]
    if exact:
        return exact[0]
    starting = [s for s in found if key and s.key.startswith(key)]
    if len(starting) == 1:
        return starting[0]
    several = [s for s in found if len(s.members) > 1]
    known = "; ".join(s.name for s in several[:SERIES_LISTED]) or "none: no series has two dated briefings yet"
    raise QuestionError(f"No series is called '{name}'. Series with more than one briefing: {known}.")


def pick_members(series: Series, date_from: str | None = None, date_to: str | None = None) -> tuple[Member, Member]:
    """The two members to compare: the newest (or the last dated on or before `date_to`) and the one before it
    (or the last dated on or before `date_from`)."""
    if len(series.members) < 2:
        raise QuestionError(f"The series '{series.name}' has one briefing only: there is nothing to compare it with.")

    def last_by(date: str) -> Member:
        dated = [m for m in series.members if m.date is not None and m.date[: len(date)] <= date]
        if not dated:
            raise QuestionError(f"No briefing of '{series.name}' is dated {date} or earlier.")
        return dated[-1]

    new = last_by(date_to) if date_to else series.members[-1]
    if date_from:
        old = last_by(date_from)
    else:
        at = [m.doc_id for m in series.members].index(new.doc_id)
        if at == 0:
            raise QuestionError(f"'{new.title}' is the first briefing of its series: there is nothing before it.")
        old = series.members[at - 1]
    if old.doc_id == new.doc_id:
        raise QuestionError(f"Both dates name the same briefing, '{new.title}'.")
    return old, new


def _quote(document: Document, span: tuple[int, int], marks: Sequence[tuple[int, int]] = ()) -> Quoted:
    start, end = span
    return Quoted(
        doc_id=document.doc_id,
        date=document.date,
        start=start,
        end=end,
        text=document.text[start:end],
        sha256=document.sha256,
        marks=tuple((start + a, start + b) for a, b in marks),
    )


def _aligned(
    source: SentenceSource, old: str, new: str
) -> tuple[Document, Document, list[tuple[int, int]], list[tuple[int, int]], Sequence[Change]]:
    old_doc, new_doc = source.document(old), source.document(new)
    old_spans, new_spans = list(source.spans(old)), list(source.spans(new))
    changes = _align(tuple(old_doc.text[a:b] for a, b in old_spans), tuple(new_doc.text[a:b] for a, b in new_spans))
    return old_doc, new_doc, old_spans, new_spans, changes


@lru_cache(maxsize=256)
def _align(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[Change, ...]:
    """`align`, remembered by the two texts' sentences: a series' members are compared again at each question."""
    return tuple(align(old, new))


def series_diff(source: SentenceSource, series: Series, old: str, new: str) -> SeriesDiff:
    """Every sentence that changed, was added or was removed between members `old` and `new` (doc ids)."""
    old_doc, new_doc, old_spans, new_spans, changes = _aligned(source, old, new)
    lines: list[DiffLine] = []
    for change in changes:
        if change.kind == "same":
            continue
        if change.kind == "changed":
            assert change.old is not None and change.new is not None
            a, b = old_spans[change.old], new_spans[change.new]
            marks_old, marks_new = changed_words(old_doc.text[a[0] : a[1]], new_doc.text[b[0] : b[1]])
            lines.append(DiffLine(kind="changed", old=_quote(old_doc, a, marks_old), new=_quote(new_doc, b, marks_new)))
        elif change.kind == "added":
            assert change.new is not None
            lines.append(DiffLine(kind="added", new=_quote(new_doc, new_spans[change.new])))
        else:
            assert change.old is not None
            lines.append(DiffLine(kind="removed", old=_quote(old_doc, old_spans[change.old])))
    return SeriesDiff(
        series=series.name,
        old=source.info(old),
        new=source.info(new),
        lines=lines,
        unchanged=sum(c.kind == "same" for c in changes),
    )


def counterpart(source: SentenceSource, doc_id: str, span: tuple[int, int], other: str) -> tuple[str, Quoted] | None:
    """In member `other`, the sentence that is the same sentence as `span` of `doc_id`: ("same", quote) when its
    words are the same, else ("changed", quote with the changed words marked) for the most alike sentence
    sharing at least `PAIRED_AT` of its words; None when `other` has no such sentence. One pass over `other`'s
    sentences (an answer checks one sentence; `series_diff` aligns whole texts)."""
    this_doc, other_doc = source.document(doc_id), source.document(other)
    spans = list(source.spans(other))
    found = best_match(this_doc.text[span[0] : span[1]], [other_doc.text[a:b] for a, b in spans])
    if found is None:
        return None
    kind, j = found
    b = spans[j]
    if kind == "same":
        return "same", _quote(other_doc, b)
    _, marks = changed_words(this_doc.text[span[0] : span[1]], other_doc.text[b[0] : b[1]])
    return "changed", _quote(other_doc, b, marks)


# --- "What changed since the last update?" ----------------------------------------------------------


@dataclass(frozen=True)
class ChangeQuestion:
    """A question asking what changed: the date of the update it names (None: the latest) and its words."""

    date: str | None
    words: tuple[str, ...]


def change_question(text: str) -> ChangeQuestion:
    """What a question read as asking for changes names: the date of the update (None: the latest) and its words
    (which series). Whether it asks for changes is the reading model's call (`qa.answering.readings`). Pure."""
    date = find_date(text, allow_year_only=True)
    return ChangeQuestion(date, tuple(tokenize(text)))


def series_for(question: ChangeQuestion, found: Sequence[Series]) -> Series | None:
    """The series a change question is about: the one whose name shares the most words with it; with no such
    word, the only series with more than one briefing. None when it cannot be told."""
    several = [s for s in found if len(s.members) > 1]
    asked = set(question.words)
    scored = sorted(((len(asked & set(tokenize(s.name))), s.key, s) for s in several), key=lambda t: (-t[0], t[1]))
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][2]
    return several[0] if len(several) == 1 else None


class Citing(Protocol):
    """What a change answer reads of the index: citation `n` of the sentence of `doc_id` at `start`–`end`."""

    def citation(self, n: int, doc_id: str, start: int, end: int) -> Citation: ...


def change_answer(question: str, diff: SeriesDiff, source: Citing, shown: int = CHANGES_SHOWN) -> Answer:
    """The diff as an answer: each change a quoted, cited line (the newer version first, the older after "was")."""
    counts = diff.counts()
    said = ", ".join(f"{counts[k]} {k}" for k in ("changed", "added", "removed") if counts[k]) or "nothing changed"
    lines = [
        f"**{said}** between *{diff.old.title}* ({diff.old.date or 'undated'}) and *{diff.new.title}* "
        f"({diff.new.date or 'undated'}); {diff.unchanged} sentences are the same:",
        "",
    ]
    citations: list[Citation] = []

    def ref(q: Quoted) -> str:
        citations.append(source.citation(len(citations) + 1, q.doc_id, q.start, q.end))
        return f"[{len(citations)}]"

    for line in diff.lines[:shown]:
        if line.kind == "changed" and line.new and line.old:
            lines.append(f"- Changed: “{line.new.text}” {ref(line.new)} — was “{line.old.text}” {ref(line.old)}")
        elif line.kind == "added" and line.new:
            lines.append(f"- Added: “{line.new.text}” {ref(line.new)}")
        elif line.old:
            lines.append(f"- Removed: “{line.old.text}” {ref(line.old)}")
    if len(diff.lines) > shown:
        lines.append(f'- … and {len(diff.lines) - shown} more: `qa diff "{diff.series}"` lists them all.')
    return Answer(
        question=question,
        text="\n".join(lines),
        short_answer=said,
        abstained=False,
        confidence=1.0,
        citations=citations,
        question_type="change",
        resolved_question=question,
        changes=diff,
    )
