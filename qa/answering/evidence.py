"""Pick the quotes and pin them: the main sentence and its supports, each turned into a `Citation`
cut from the document by its offsets (so `doc.text[start:end] == quote` holds by construction),
and the checks an analyst should read beside them.

Pure. It does not score (see `model`) or write the answer's text (see `compose`).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from qa.answering.features import CorpusView, Scored, sentence_text
from qa.answering.model import confidence, sentence_confidence
from qa.answering.weights import Weights
from qa.records import Citation

# a supporting quote's confidence must reach this share of the main quote's (besides the threshold)
SUPPORT_SHARE = 0.5


def _neighbour(view: CorpusView, sid: int, step: int) -> str:
    other = sid + step
    if 0 <= other < len(view.sentences) and view.sentences[other].doc == view.sentences[sid].doc:
        return sentence_text(view, view.sentences[other])
    return ""


def make_citation(view: CorpusView, n: int, sid: int, score: float) -> Citation:
    sentence = view.sentences[sid]
    document = view.documents[sentence.doc]
    quote = document.text[sentence.start : sentence.end]
    page = bisect.bisect_right(document.pages, sentence.start) if document.pages else None
    return Citation(
        n=n,
        doc_id=document.doc_id,
        title=document.title,
        date=document.date,
        source=document.source,
        section=" > ".join(sentence.section),
        quote=quote,
        start=sentence.start,
        end=sentence.end,
        score=round(float(score), 4),
        sha256=document.sha256,
        page=page,
        context_before=_neighbour(view, sid, -1),
        context_after=_neighbour(view, sid, +1),
        paragraph_start=sentence.para_start,
        paragraph_end=sentence.para_end,
    )


def pick_evidence(
    view: CorpusView,
    scored: Sequence[Scored],
    max_quotes: int,
    weights: Weights,
    abstain_below: float,
) -> list[Scored]:
    """The best sentence, then up to `max_quotes - 1` supporting ones.

    A support must be a confident answer in its own right (its confidence at least the abstention
    threshold and half the main one), except the sentences just before and after the main one in
    its paragraph: they carry its context and need only rank among the best `max_quotes` candidates.
    """
    if not scored:
        return []
    main = scored[0]
    anchor = view.sentences[main.sid]
    bar = max(abstain_below, SUPPORT_SHARE * confidence(scored, weights))
    chosen = [main]
    for i, item in enumerate(scored[1:], start=1):
        if len(chosen) >= max_quotes:
            break
        s = view.sentences[item.sid]
        adjacent = abs(item.sid - main.sid) == 1 and (s.doc, s.para_start) == (anchor.doc, anchor.para_start)
        if (adjacent and i < max_quotes) or sentence_confidence(scored, i, weights) >= bar:
            chosen.append(item)
    return chosen


OPPOSITE_NOTE = "the question says “"  # how the note of a word against its opposite opens


def mismatch_notes(item: Scored, quote: str = "the quote") -> list[str]:
    """What the confidence checks found wrong with a quote, in words an analyst can check."""
    notes = []
    if item.missing_numbers:
        notes.append(f"the question mentions {', '.join(item.missing_numbers)}; {quote} does not")
    if item.negation_mismatch:
        notes.append(f"the question asks about what is not so; {quote} negates nothing")
    if item.opposite:
        asked, stated = item.opposite
        notes.append(f"{OPPOSITE_NOTE}{asked}”; {quote} says “{stated}”")
    if item.kind_missing:
        notes.append(f"the question asks for a {item.kind_missing}; {quote} holds none")
    if item.partner_only:
        notes.append(
            f"{quote} names {', '.join(item.partner_only)} only as a partner, in a briefing on another subject"
        )
    return notes
