"""HTML for the web chat, built from answers with every piece of document text escaped.

Document text is never rendered as HTML, Markdown or LaTeX: it goes through `escape`, which
turns HTML specials and Markdown/LaTeX punctuation into numeric entities, into fixed markup of
ours. Pure: strings in, strings out; no gradio import (the wall between core and screen).
"""

from __future__ import annotations

from qa.records import Answer, Citation, DocumentInfo, IndexStatus

_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "&<>\"'\\`*_{}[]()#+-!|~$:=@"}


def escape(text: str) -> str:
    """Escape for our markup: every HTML, Markdown or LaTeX special becomes a numeric entity, so no
    tag, entity, link, emphasis or formula in a document survives as anything but text."""
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def _inline(text: str) -> str:
    return escape(" ".join(text.split()))


def _meta(c: Citation) -> str:
    parts = [f"<span class='qa-title'>{escape(c.title)}</span>"]
    parts.append(f"<span class='qa-date'>{escape(c.date) if c.date else 'undated'}</span>")
    if c.section:
        parts.append(f"<span class='qa-section'>{escape(c.section)}</span>")
    if c.page:
        parts.append(f"<span class='qa-page'>page {c.page}</span>")
    return " · ".join(parts)


MAX_DOCUMENT_CHARS = 60_000


def _document_window(text: str, start: int, end: int, anchor: str) -> str:
    """The document with the quote marked; very long documents are cut to a window around it."""
    lo, hi = 0, len(text)
    if len(text) > MAX_DOCUMENT_CHARS:
        lo = max(0, start - MAX_DOCUMENT_CHARS // 2)
        hi = min(len(text), lo + MAX_DOCUMENT_CHARS)
    head = "<span class='qa-muted'>[… earlier text not shown …]</span>\n" if lo > 0 else ""
    tail = "\n<span class='qa-muted'>[… later text not shown …]</span>" if hi < len(text) else ""
    return (
        f"{head}{escape(text[lo:start])}<mark id='{anchor}'>{escape(text[start:end])}</mark>"
        f"{escape(text[end:hi])}{tail}"
    )


def evidence_card(c: Citation, anchor: str, document_text: str | None = None, open_card: bool = False) -> str:
    """One citation as a collapsible card: the quote highlighted inside its paragraph, the sentence
    before and after when they lie outside that paragraph, score, offsets, hash, and the whole
    document opened at the quote (an anchor link: no script)."""
    verified = document_text is not None and document_text[c.start : c.end] == c.quote
    before = after = ""
    if verified and document_text is not None:
        para = document_text[c.paragraph_start : c.paragraph_end]
        lo, hi = c.start - c.paragraph_start, c.end - c.paragraph_start
        body = f"{_inline(para[:lo])} <mark>{_inline(c.quote)}</mark> {_inline(para[hi:])}"
        if c.context_before and c.context_before not in para[:lo]:
            before = f"<p class='qa-context'>… {_inline(c.context_before)}</p>"
        if c.context_after and c.context_after not in para[hi:]:
            after = f"<p class='qa-context'>{_inline(c.context_after)} …</p>"
    else:
        body = f"<mark>{_inline(c.quote)}</mark>"
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
        f"<span class='qa-score' title='evidence score'>score {c.score:.2f}</span></summary>"
        f"{flag}{before}<p class='qa-para' id='{anchor}'>{body}</p>{after}"
        f"<div class='qa-card-foot'><code>{escape(c.doc_id)}</code> · chars {c.start}–{c.end}"
        f" · sha256 {escape(c.sha256[:12])}"
        + (f" · <a class='qa-open' href='#{anchor}-q'>Open document at the quote</a>" if document else "")
        + f"</div>{document}</details>"
    )


def _ref(prefix: str, n: int) -> str:
    return f"<a class='qa-ref' href='#{prefix}-{n}' title='show source {n}'>[{n}]</a>"


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
        parts.extend(_checks(answer))
        if answer.nearest:
            parts.append("<p class='qa-muted'>The closest passages and their scores (they do not answer it):</p>")
            parts.append("<div class='qa-sources qa-nearest'>")
            parts.extend(evidence_card(c, f"{prefix}-{c.n}", documents.get(c.doc_id)) for c in answer.nearest)
            parts.append("</div>")
        parts.append(f"<p class='qa-conf'>confidence {answer.confidence:.2f}</p>")
        return "<div class='qa-answer qa-abstained'>" + "".join(parts) + "</div>"
    main = answer.citations[0]
    if answer.short_answer:
        parts.append(f"<p class='qa-lead'><strong>{_inline(answer.short_answer)}</strong> {_ref(prefix, 1)}</p>")
    parts.append(f"<blockquote class='qa-main'>{_inline(main.quote)} {_ref(prefix, 1)}</blockquote>")
    if len(answer.citations) > 1:
        parts.append("<p class='qa-muted'>Also relevant:</p><ul class='qa-support'>")
        parts.extend(f"<li>“{_inline(c.quote)}” {_ref(prefix, c.n)}</li>" for c in answer.citations[1:])
        parts.append("</ul>")
    parts.append(f"<p class='qa-conf'>confidence {answer.confidence:.2f}</p>")
    parts.extend(_checks(answer))
    parts.append("<div class='qa-sources'>")
    parts.extend(evidence_card(c, f"{prefix}-{c.n}", documents.get(c.doc_id)) for c in answer.citations)
    parts.append("</div>")
    return "<div class='qa-answer'>" + "".join(parts) + "</div>"


def corpus_html(documents: list[DocumentInfo], status: IndexStatus) -> str:
    rows = "".join(
        f"<tr><td>{escape(d.title)}<br><code class='qa-file'>{escape(d.doc_id)}</code></td>"
        f"<td>{escape(d.date or '—')}</td><td>{d.passages}</td></tr>"
        for d in documents
    )
    return (
        f"<p class='qa-muted'>{status_line(status)}</p>"
        f"<table class='qa-corpus'><thead><tr><th>Briefing</th><th>Date</th><th>Passages</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
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
