"""Briefings over time: what changed between two members of a series, and which member said what.

`series_diff` aligns the sentences of two members (`qa.text.diffing.align`) and returns every changed,
added and removed sentence, each pinned by offsets into its own document, the changed words marked.
`counterpart` finds, in another member, the sentence that is the same sentence as a given one (same or
changed): how an answer quoted from one update is checked against the others. Pure: it reads documents
and their sentences through `SentenceSource`; nothing is embedded or searched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from qa.errors import QuestionError
from qa.records import DiffLine, Document, DocumentInfo, Quoted, SeriesDiff
from qa.text.diffing import Change, align, changed_words
from qa.text.series import Member, Series, series_key


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
    known = "; ".join(s.name for s in several[:10]) or "none: no series has two dated briefings yet"
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
) -> tuple[Document, Document, list[tuple[int, int]], list[tuple[int, int]], list[Change]]:
    old_doc, new_doc = source.document(old), source.document(new)
    old_spans, new_spans = list(source.spans(old)), list(source.spans(new))
    changes = align([old_doc.text[a:b] for a, b in old_spans], [new_doc.text[a:b] for a, b in new_spans])
    return old_doc, new_doc, old_spans, new_spans, changes


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
    """In member `other`, the sentence that is the same sentence as `span` of `doc_id`: ("same", quote) or
    ("changed", quote with the changed words marked); None when `other` has no such sentence."""
    this_doc, other_doc, these, others, changes = _aligned(source, doc_id, other)
    try:
        i = these.index(span)
    except ValueError:
        return None
    for change in changes:
        if change.old == i and change.new is not None:
            b = others[change.new]
            if change.kind == "same":
                return "same", _quote(other_doc, b)
            a = these[i]
            _, marks = changed_words(this_doc.text[a[0] : a[1]], other_doc.text[b[0] : b[1]])
            return "changed", _quote(other_doc, b, marks)
    return None
