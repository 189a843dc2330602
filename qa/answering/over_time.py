"""Answers over a series of dated briefings: the newest word first, and what other updates said otherwise.

When an answer's main quote comes from a briefing of a series (`qa.text.series`) and a newer member of
that series holds the same sentence (`qa.answering.changes.counterpart`: the same words, or the same
sentence with another number, name or date), the caller answers the question again within the newest such
member (`newer_counterparts`), and keeps that answer when its main quote is that sentence
(`holds_counterpart`). Then every other member of the
series holding the main sentence in another version is quoted below the answer, with its title and date
("Other updates of this series say otherwise: In … July 2025 Update: “…” [2]"), each a citation of its
own. Members outside the question's filters are left out. Nothing is generated: every line is a quote.

A newer member may answer in other words ("was signed in December 2025" where July said "could be in the
process of being developed"): when the question asked again within a newer member (`newer_members`) is
answered by the sentence of that member nearest in meaning to the older main quote (`speaks_of_the_same`), the
newer answer leads and the older quote is cited below it (`said_before`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from qa.answering.changes import SentenceSource, counterpart
from qa.records import Answer, Citation, Quoted
from qa.text.documents import find_date
from qa.text.series import Member, Series, current_at


class TimeView(SentenceSource, Protocol):
    """What answering over time reads of the index, besides documents and sentence spans."""

    def series_of(self, doc_id: str) -> Series | None: ...
    def citation(self, n: int, doc_id: str, start: int, end: int) -> Citation: ...


def _main_series(answer: Answer, view: TimeView) -> tuple[Citation, Series] | None:
    """The answer's main quote and its series, when it has one of more than one briefing."""
    if answer.abstained or not answer.citations:
        return None
    first = answer.citations[0]
    series = view.series_of(first.doc_id)
    return None if series is None or len(series.members) < 2 else (first, series)


def newer_members(answer: Answer, view: TimeView, in_scope: Callable[[str], bool]) -> list[str]:
    """The members of the series of the answer's main quote (a refusal's closest passage) newer than its
    briefing, newest first, within the filters: where a newer word on the question may be."""
    quoted = answer.citations if not answer.abstained else answer.nearest
    series = view.series_of(quoted[0].doc_id) if quoted else None
    if not quoted or series is None or len(series.members) < 2:
        return []
    ids = [m.doc_id for m in series.members]
    return [d for d in reversed(ids[ids.index(quoted[0].doc_id) + 1 :]) if in_scope(d)]


def speaks_of_the_same(
    again: Answer, older: Answer, kin: Callable[[str, tuple[int, int], str], tuple[int, int] | None]
) -> bool:
    """Whether `again` (asked within a newer member) answers, quoting first the sentence of its member nearest in
    meaning to the older answer's main quote (`kin`): the newer update's word on what the older one said."""
    quoted = older.citations if not older.abstained else older.nearest
    if again.abstained or not again.citations or not quoted:
        return False
    main, old = again.citations[0], quoted[0]
    span = kin(old.doc_id, (old.start, old.end), main.doc_id)
    return span is not None and _overlaps(main, *span)


def said_before(newer: Answer, older: Answer, view: TimeView) -> Answer:
    """`newer` with the older answer's main quote cited below it, as what an earlier update of the series said."""
    quoted = older.citations if not older.abstained else older.nearest
    if not quoted or newer.abstained or not newer.citations:
        return newer
    old = quoted[0]
    series = view.series_of(old.doc_id)
    member = next((m for m in series.members if m.doc_id == old.doc_id), None) if series else None
    if series is None or member is None:
        return newer
    n = max(c.n for c in newer.citations) + 1
    cited = view.citation(n, old.doc_id, old.start, old.end)
    return newer.model_copy(
        update={
            "text": newer.text + _versions_text(series, [(member, cited)]),
            "citations": [*newer.citations, cited],
            "other_versions": [*newer.other_versions, n],
        }
    )


def _overlaps(c: Citation, start: int, end: int) -> bool:
    return c.start < end and start < c.end


def newer_counterparts(answer: Answer, view: TimeView, in_scope: Callable[[str], bool]) -> Iterator[tuple[str, Quoted]]:
    """The newer members of the main quote's series (newest first, within the filters) that hold the same sentence,
    each with that sentence: where to ask the question again (`holds_counterpart` says whether to keep that answer).
    Lazy: a member's sentences are read only when the one after it did not do."""
    found_series = _main_series(answer, view)
    if found_series is None:
        return
    first, series = found_series
    ids = [m.doc_id for m in series.members]
    newer = [m for m in series.members[ids.index(first.doc_id) + 1 :] if in_scope(m.doc_id)]
    for member in reversed(newer):
        found = counterpart(view, first.doc_id, (first.start, first.end), member.doc_id)
        if found is not None:
            yield member.doc_id, found[1]


def holds_counterpart(again: Answer, doc_id: str, sentence: Quoted) -> bool:
    """Whether the answer asked again within `doc_id` quotes its counterpart `sentence` first."""
    main = again.citations[0] if again.citations and not again.abstained else None
    return main is not None and main.doc_id == doc_id and _overlaps(main, sentence.start, sentence.end)


def other_versions(answer: Answer, view: TimeView, in_scope: Callable[[str], bool]) -> Answer:
    """The answer with each other member's differing version of its main sentence quoted and cited below it."""
    found_series = _main_series(answer, view)
    if found_series is None:
        return answer
    first, series = found_series
    found: list[tuple[Member, Citation]] = []
    n = max(c.n for c in answer.citations)
    for member in series.members:
        if member.doc_id == first.doc_id or not in_scope(member.doc_id):
            continue
        version = counterpart(view, first.doc_id, (first.start, first.end), member.doc_id)
        if version is not None and version[0] == "changed":
            n += 1
            found.append((member, view.citation(n, member.doc_id, version[1].start, version[1].end)))
    if not found:
        return answer
    return answer.model_copy(
        update={
            "text": answer.text + _versions_text(series, found),
            "citations": [*answer.citations, *(c for _, c in found)],
            "other_versions": [c.n for _, c in found],
        }
    )


def _versions_text(series: Series, found: Sequence[tuple[Member, Citation]]) -> str:
    lines = [f"\n\nOther updates of *{series.name}* say otherwise:"]
    lines += [f"- In *{m.title}* ({m.date or 'undated'}): “{c.quote}” [{c.n}]" for m, c in found]
    return "\n".join(lines)


def as_of_date(text: str) -> str | None:
    """The date a question read as asking the briefings' word as of a date names ("What did the briefings say in
    2025 about …?", "… as of July 2025?"): an ISO date of the precision given; None when it names none. Whether a
    question asks as of a date is the reading model's call (`qa.answering.readings`). Pure."""
    return find_date(text, allow_year_only=True)


def current_documents(series: Sequence[Series], as_of: str) -> set[str]:
    """The documents that were the word on `as_of`: of each series, its last member dated then or before (an
    undated one stands for itself)."""
    kept: set[str] = set()
    for s in series:
        then = current_at(s, as_of)
        dated = [m for m in then if m.date is not None]
        if dated:
            kept.add(dated[-1].doc_id)
        kept.update(m.doc_id for m in then if m.date is None)
    return kept
