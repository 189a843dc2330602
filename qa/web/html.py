"""HTML for the web chat, built from answers with every piece of document text escaped.

Document text is never rendered as HTML, Markdown or LaTeX: it goes through `escape`, which
turns HTML specials and Markdown/LaTeX punctuation into numeric entities, into fixed markup of
ours. Pure: strings in, strings out; no gradio import (the wall between core and screen).
"""

from __future__ import annotations

import re
from itertools import pairwise

from qa.records import Answer, Citation, DocumentInfo, IndexStatus, Scope, SeriesInfo
from qa.web.changes import diff_html
from qa.web.escaping import escape


def _meta(c: Citation) -> str:
    """Title, date, section and page as one inline run (one flex item: it wraps as text, never into stray dots)."""
    parts = [f"<span class='qa-title'>{escape(c.title)}</span>"]
    parts.append(f"<span class='qa-date'>{escape(c.date) if c.date else 'undated'}</span>")
    if c.section:
        parts.append(f"<span class='qa-section'>{clean(c.section)}</span>")
    if c.page:
        parts.append(f"<span class='qa-page'>page {c.page}</span>")
    return "<span class='qa-meta'>" + " · ".join(parts) + "</span>"


_LABEL = re.compile(r"\*\*([^*\n]{1,120}?)\*\*")
_HEADING = re.compile(r"^(#{1,6}[ \t]+)(\S[^\n]*)$", re.MULTILINE)


def markup_spans(text: str) -> list[tuple[int, int, str]]:
    """Where profile-style Markdown sits in `text`: (start, end, kind) with kind "mk" for the marks themselves
    (`**`, `### `), "label" for a bold field label, "heading" for a heading's words. Offsets into `text`."""
    spans: list[tuple[int, int, str]] = []
    for m in _LABEL.finditer(text):
        spans += [(m.start(), m.start() + 2, "mk"), (m.start(1), m.end(1), "label"), (m.end(1), m.end(), "mk")]
    for m in _HEADING.finditer(text):
        spans += [(m.start(1), m.end(1), "mk"), (m.start(2), m.end(2), "heading")]
    return spans


def clean(text: str, lo: int = 0, hi: int | None = None, marked: tuple[int, int, str] | None = None) -> str:
    """`text[lo:hi]` escaped, its profile markup shown as labels: every character stays in the page (the marks in
    hidden spans, so the quote's text and offsets are unchanged), bold labels and headings styled. `marked`
    (start, end, anchor id) wraps that stretch in a <mark>."""
    hi = len(text) if hi is None else hi
    spans = [(max(a, lo), min(b, hi), kind) for a, b, kind in markup_spans(text) if a < hi and b > lo]
    cuts = {lo, hi, *(a for a, _, _ in spans), *(b for _, b, _ in spans)}
    if marked is not None:
        marked = (min(max(marked[0], lo), hi), min(max(marked[1], lo), hi), marked[2])
        cuts |= {marked[0], marked[1]}
    opening = f"<mark id='{marked[2]}'>" if marked is not None and marked[2] else "<mark>"
    points = sorted(cuts)
    out: list[str] = []
    if marked is not None and marked[0] == marked[1]:
        # an empty quote still gets its anchor, where it would start
        marked_at = marked[0]
        marked = None
    else:
        marked_at = -1
    for a, b in pairwise(points):
        if a == marked_at:
            out.append(opening + "</mark>")
        if marked is not None and a == marked[0]:
            out.append(opening)
        kinds = {kind for s, e, kind in spans if s <= a and b <= e}
        piece = escape(text[a:b])
        if "mk" in kinds:
            out.append(f"<span class='qa-mk'>{piece}</span>")
        elif kinds:
            out.append(f"<span class='qa-{' qa-'.join(sorted(kinds))}'>{piece}</span>")
        else:
            out.append(piece)
        if marked is not None and b == marked[1]:
            out.append("</mark>")
    if marked_at == hi:
        out.append(opening + "</mark>")
    return "".join(out)


CONFIDENCE_LEVELS = ((0.75, "high"), (0.5, "medium"), (0.0, "low"))


def confidence_label(confidence: float) -> tuple[str, str]:
    """("high", what it means) for a calibrated confidence: the label, and the sentence shown on hover."""
    label = next(name for floor, name in CONFIDENCE_LEVELS if confidence >= floor)
    share = round(confidence * 10)
    meaning = (
        f"Confidence {confidence:.2f}: on test questions, answers given this confidence were right about "
        f"{share} times in 10. {confidence_bands()}."
    )
    return label, meaning


def confidence_bands() -> str:
    """ "High is 0.75 or more, medium 0.50 to 0.75, low below 0.50", from `CONFIDENCE_LEVELS`."""
    (high, high_name), (medium, medium_name), (_, low_name) = CONFIDENCE_LEVELS
    return (
        f"{high_name.capitalize()} is {high:.2f} or more, {medium_name} {medium:.2f} to {high:.2f}, "
        f"{low_name} below {medium:.2f}"
    )


def confidence_html(confidence: float) -> str:
    label, meaning = confidence_label(confidence)
    return (
        f"<p class='qa-conf'>Confidence: <span class='qa-level qa-level-{label}' title='{escape(meaning)}' "
        f"tabindex='0'>{label}</span> <span class='qa-conf-n'>({confidence:.2f})</span></p>"
    )


def scope_html(scope: Scope | None, abstained: bool, question: str = "") -> str:
    """The line saying what was searched; when a filtered question found nothing, a button that asks it again
    over every briefing (clearing the filters), or, without the question, how to widen it."""
    if scope is None:
        return ""
    hint = ""
    if abstained and scope.filtered and scope.searched < scope.total:
        if question:
            hint = (
                " <button type='button' class='qa-retry' data-plain='all' "
                f"data-question='{escape(question)}'>Search every briefing</button>"
            )
        else:
            hint = escape(" Only these were searched: clear the briefing and date filters to search them all.")
    return f"<p class='qa-scope'>{escape(scope.describe())}.{hint}</p>"


def copy_button(c: Citation) -> str:
    """A button that copies the quote with its citation (the page's script does the copying)."""
    cited = f"“{' '.join(c.quote.split())}” — {c.title}" + (f", {c.date}" if c.date else "")
    cited += f" ({c.doc_id}, chars {c.start}–{c.end}, sha256 {c.sha256[:12]})"
    return f"<button type='button' class='qa-copy' data-copy='{escape(cited)}'>Copy quote with citation</button>"


MAX_DOCUMENT_CHARS = 60_000


def _document_window(text: str, start: int, end: int, anchor: str) -> str:
    """The document with the quote marked; very long documents are cut to a window around it."""
    lo, hi = 0, len(text)
    if len(text) > MAX_DOCUMENT_CHARS:
        lo = max(0, start - MAX_DOCUMENT_CHARS // 2)
        hi = min(len(text), lo + MAX_DOCUMENT_CHARS)
    head = "<span class='qa-muted'>[… earlier text not shown …]</span>\n" if lo > 0 else ""
    tail = "\n<span class='qa-muted'>[… later text not shown …]</span>" if hi < len(text) else ""
    return f"{head}{clean(text, lo, hi, (start, end, anchor))}{tail}"


def evidence_card(
    c: Citation, anchor: str, document_text: str | None = None, open_card: bool = False, ranked: bool = True
) -> str:
    """One citation as a collapsible card: the quote highlighted inside its paragraph, the sentence
    before and after when they lie outside that paragraph, its score when it was `ranked` (a line of a
    change view or another update's version ranks nothing, and shows none), offsets, hash, and the whole
    document opened at the quote (an anchor link: no script)."""
    verified = document_text is not None and document_text[c.start : c.end] == c.quote
    before = after = ""
    if verified and document_text is not None:
        para = document_text[c.paragraph_start : c.paragraph_end]
        lo, hi = c.start - c.paragraph_start, c.end - c.paragraph_start
        body = clean(document_text, c.paragraph_start, c.paragraph_end, (c.start, c.end, ""))
        if c.context_before and c.context_before not in para[:lo]:
            before = f"<p class='qa-context'>… {clean(c.context_before)}</p>"
        if c.context_after and c.context_after not in para[hi:]:
            after = f"<p class='qa-context'>{clean(c.context_after)} …</p>"
    else:
        body = f"<mark>{clean(c.quote)}</mark>"
    flag = ""
    if c.changed_since_indexed:
        flag = "<p class='qa-flag'>⚠ This document has changed since it was indexed: re-index to refresh the quote.</p>"
    elif not verified:
        flag = "<p class='qa-flag'>⚠ The quote could not be checked against the indexed text.</p>"
    document = ""
    if verified and document_text is not None:
        document = (
            f"<details class='qa-doc'><summary>Whole document</summary>"
            f"<pre class='qa-doc-text'>{_document_window(document_text, c.start, c.end, anchor + '-q')}</pre></details>"
        )
    return (
        f"<details class='qa-card' id='{anchor}-card'{' open' if open_card else ''}>"
        f"<summary class='qa-card-head'><span class='qa-n'>[{c.n}]</span> {_meta(c)}"
        + (f"<span class='qa-score' title='evidence score'>score {c.score:.2f}</span>" if ranked else "")
        + "</summary>"
        f"{flag}{before}<p class='qa-para' id='{anchor}'>{body}</p>{after}"
        f"<div class='qa-card-foot'><code>{escape(c.doc_id)}</code> · chars {c.start}–{c.end}"
        f" · sha256 {escape(c.sha256[:12])}"
        + (f" · <a class='qa-open' href='#{anchor}-q'>Open document at the quote</a>" if document else "")
        + f"</div><div class='qa-card-tools'>{copy_button(c)}"
        f"<details class='qa-exact'><summary>Exact text</summary><pre class='qa-exact-text'>{escape(c.quote)}</pre>"
        f"</details></div>{document}</details>"
    )


def _ref(prefix: str, n: int) -> str:
    return f"<a class='qa-ref' href='#{prefix}-{n}' title='show source {n}'>[{n}]</a>"


def _inline(line: str, prefix: str) -> str:
    """One line of an answer's template text as HTML: escaped, its **bold** kept, each [n] a link to its card."""
    out = []
    for piece in re.split(r"(\*\*.+?\*\*|\[\d+\])", line):
        if bold := re.fullmatch(r"\*\*(.+?)\*\*", piece):
            out.append(f"<strong>{escape(bold.group(1))}</strong>")
        elif ref := re.fullmatch(r"\[(\d+)\]", piece):
            out.append(_ref(prefix, int(ref.group(1))))
        else:
            out.append(escape(piece))
    return "".join(out)


def did_you_mean_html(answer: Answer) -> str:
    """A button that asks the corrected question ("Did you mean: Who is Lavrov meeting?")."""
    if not answer.did_you_mean:
        return ""
    return (
        f"<p class='qa-dym'><button type='button' class='qa-retry' data-question='{escape(answer.did_you_mean)}'>"
        f"Did you mean: {escape(answer.did_you_mean)}</button></p>"
    )


READINGS = {
    "change": "a question about what changed between updates",
    "as_of": "a question about what the briefings said at a date",
    "comparison": "a comparison of two sides",
    "followup": "a follow-up of the question before",
}


def reading_html(answer: Answer) -> str:
    """How the question was read, when not as a plain question or not as typed, with a button that asks it
    plainly, as typed, instead."""
    if answer.read_as:
        return (
            f"<p class='qa-reading qa-muted'>Read as: “{escape(answer.read_as)}” (asked as typed, nothing in the "
            f"briefings answered it). <button type='button' class='qa-retry' data-question='{escape(answer.question)}'"
            " data-plain='1'>Ask it as typed</button></p>"
        )
    said = READINGS.get(answer.reading)
    if said is None:
        return ""
    if answer.reading == "followup" and answer.resolved_question and answer.resolved_question != answer.question:
        said += f", searched as “{escape(answer.resolved_question)}”"
    elif answer.reading == "comparison" and len(answer.sides) == 2:
        said += f": {escape(answer.sides[0])} and {escape(answer.sides[1])}, each asked on its own"
    sure = f" ({answer.reading_confidence:.2f})" if answer.reading_confidence is not None else ""
    return (
        f"<p class='qa-reading qa-muted'>Read as {said}{sure}. "
        f"<button type='button' class='qa-retry' data-question='{escape(answer.question)}' data-plain='1'>"
        "Ask it as a plain question instead</button></p>"
    )


def _checks(answer: Answer) -> list[str]:
    """What the confidence checks found, one line each ("the question mentions 1961; the quote does not")."""
    return [f"<p class='qa-check'>Check: {escape(note)}.</p>" for note in answer.checks]


def answer_html(answer: Answer, prefix: str, documents: dict[str, str] | None = None) -> str:
    """One answer: the direct answer, the quotes with [n] links, then a source card per citation."""
    documents = documents or {}
    parts: list[str] = []
    if answer.abstained:
        parts.append("<p class='qa-abstain'><strong>Not found in the briefings.</strong> ")
        parts.append(
            escape(answer.notice[0].upper() + answer.notice[1:] + ".")
            if answer.notice
            else "No sentence in the briefings answers this with enough support."
        )
        parts.append("</p>")
        parts.append(did_you_mean_html(answer))
        parts.append(reading_html(answer))
        parts.append(scope_html(answer.scope, abstained=True, question=answer.question))
        parts.extend(_checks(answer))
        if answer.nearest:
            parts.append("<p class='qa-muted'>The closest passages and their scores (they do not answer it):</p>")
            parts.append("<div class='qa-sources qa-nearest'>")
            parts.extend(evidence_card(c, f"{prefix}-{c.n}", documents.get(c.doc_id)) for c in answer.nearest)
            parts.append("</div>")
        if answer.scope is None or answer.scope.searched:  # nothing searched: no confidence to speak of
            parts.append(confidence_html(answer.confidence))
        return "<div class='qa-answer qa-abstained'>" + "".join(parts) + "</div>"
    if answer.changes is not None:  # "what changed?": the two versions side by side, every line cited below
        diff = answer.changes
        parts.append(f"<p class='qa-lead'><strong>{escape(answer.short_answer or '')}</strong></p>")
        parts.append(diff_html(diff))
        parts.append(reading_html(answer))
        compared = (
            f"Compared <em>{escape(diff.old.title)}</em> ({escape(diff.old.date or 'undated')}) with "
            f"<em>{escape(diff.new.title)}</em> ({escape(diff.new.date or 'undated')})."
        )
        parts.append(f"<p class='qa-scope'>{compared}</p>")
        # the quoted sentences' sources, folded: the table already shows each line with its citation
        parts.append(
            f"<details class='qa-diff-sources'><summary>The {len(answer.citations)} quoted sentences, each with its "
            "source</summary><div class='qa-sources'>"
        )
        parts.extend(
            evidence_card(c, f"{prefix}-{c.n}", documents.get(c.doc_id), ranked=False) for c in answer.citations
        )
        parts.append("</div></details>")
        return "<div class='qa-answer qa-changes'>" + "".join(parts) + "</div>"
    main = answer.citations[0]
    if answer.sides and len(answer.sides) == len(answer.citations):  # a comparison: each side labelled, both cited
        parts.append(f"<p class='qa-lead'>{_inline(answer.text.split(chr(10))[0], prefix)}</p><ul class='qa-sides'>")
        parts.extend(
            f"<li><strong>{escape(side)}</strong>: “{clean(c.quote)}” {_ref(prefix, c.n)}</li>"
            for side, c in zip(answer.sides, answer.citations, strict=True)
        )
        parts.append("</ul>")
        parts.append(confidence_html(answer.confidence))
        parts.append(reading_html(answer))
        parts.append(scope_html(answer.scope, abstained=False))
        parts.extend(_checks(answer))
        parts.append("<div class='qa-sources'>")
        parts.extend(evidence_card(c, f"{prefix}-{c.n}", documents.get(c.doc_id)) for c in answer.citations)
        parts.append("</div>")
        return "<div class='qa-answer qa-comparison'>" + "".join(parts) + "</div>"
    if answer.short_answer:
        parts.append(f"<p class='qa-lead'><strong>{clean(answer.short_answer)}</strong> {_ref(prefix, 1)}</p>")
    parts.append(f"<blockquote class='qa-main'>{clean(main.quote)} {_ref(prefix, 1)}</blockquote>")
    support = [c for c in answer.citations[1:] if c.n not in answer.other_versions]
    versions = [c for c in answer.citations[1:] if c.n in answer.other_versions]
    if support:
        parts.append("<p class='qa-muted'>Also relevant:</p><ul class='qa-support'>")
        parts.extend(f"<li>“{clean(c.quote)}” {_ref(prefix, c.n)}</li>" for c in support)
        parts.append("</ul>")
    if versions:
        parts.append("<p class='qa-muted'>Other updates of this series say otherwise:</p><ul class='qa-versions'>")
        parts.extend(
            f"<li>In <em>{escape(c.title)}</em> ({escape(c.date or 'undated')}): “{clean(c.quote)}” {_ref(prefix, c.n)}</li>"
            for c in versions
        )
        parts.append("</ul>")
    parts.append(confidence_html(answer.confidence))
    parts.append(did_you_mean_html(answer))
    parts.append(reading_html(answer))
    parts.append(scope_html(answer.scope, abstained=False))
    parts.extend(_checks(answer))
    parts.append("<div class='qa-sources'>")
    parts.extend(
        evidence_card(c, f"{prefix}-{c.n}", documents.get(c.doc_id), ranked=c.n not in answer.other_versions)
        for c in answer.citations
    )
    parts.append("</div>")
    return "<div class='qa-answer'>" + "".join(parts) + "</div>"


def series_html(series: list[SeriesInfo]) -> str:
    """The series of dated briefings (those with more than one), each member a link opening it, oldest first."""
    several = [s for s in series if len(s.members) > 1]
    if not several:
        return ""
    items = "".join(
        f"<li><strong>{escape(s.name)}</strong>: "
        + " → ".join(
            f"<button type='button' class='qa-doc-link' data-doc='{escape(m.doc_id)}'>{escape(m.date or 'undated')}</button>"
            for m in s.members
        )
        + "</li>"
        for s in several
    )
    return (
        f"<p class='qa-muted'>{len(several)} series of dated updates (ask “What changed since the last update?”):</p>"
        f"<ul class='qa-series'>{items}</ul>"
    )


def corpus_html(documents: list[DocumentInfo], status: IndexStatus, series: list[SeriesInfo] | None = None) -> str:
    """The corpus table, after the series of dated updates; each title (and each update's date) opens that
    briefing in the document view (the page's script asks for it)."""
    rows = "".join(
        f"<tr><td><button type='button' class='qa-doc-link' data-doc='{escape(d.doc_id)}'>{escape(d.title)}</button>"
        f"<br><code class='qa-file'>{escape(d.doc_id)}</code></td>"
        f"<td>{escape(d.date or '—')}</td><td>{d.passages}</td></tr>"
        for d in documents
    )
    return (
        f"<p class='qa-muted'>{status_line(status)}</p>"
        + series_html(series or [])
        + f"<div class='qa-corpus-wrap'><table class='qa-corpus'><thead><tr><th>Briefing</th><th>Date</th>"
        f"<th>Passages</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def document_html(info: DocumentInfo | None, text: str | None) -> str:
    """One whole briefing, its markup shown as labels (the document view the corpus table links to)."""
    if info is None or text is None:
        return "<p class='qa-muted'>Choose a briefing in the corpus table to read it here.</p>"
    shown, cut = text[:MAX_DOCUMENT_CHARS], len(text) > MAX_DOCUMENT_CHARS
    return (
        f"<div class='qa-docview' data-doc='{escape(info.doc_id)}'><h3 class='qa-docview-title'>{escape(info.title)}</h3>"
        f"<p class='qa-muted'>{escape(info.date or 'undated')} · <code>{escape(info.doc_id)}</code> · "
        f"{info.chars:,} characters · sha256 {escape(info.sha256[:12])}</p>"
        f"<pre class='qa-doc-text qa-doc-full'>{clean(shown)}"
        + (f"\n<span class='qa-muted'>[… {len(text) - len(shown):,} more characters not shown …]</span>" if cut else "")
        + "</pre></div>"
    )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def status_line(status: IndexStatus) -> str:
    built = status.built_at.replace("T", " ").removesuffix("+00:00") + (
        " UTC" if status.built_at.endswith("+00:00") else ""
    )
    return escape(
        f"{_count(status.documents, 'document')} · {_count(status.passages, 'passage')} · "
        f"index {status.generation}, built {built}"
    )
