"""HTML for the web chat, built from answers with every piece of document text escaped.

Document text is never rendered as HTML, Markdown or LaTeX: it goes through `escape`, which
turns HTML specials and Markdown/LaTeX punctuation into numeric entities, into fixed markup of
ours. Pure: strings in, strings out; no gradio import (the wall between core and screen).
"""

from __future__ import annotations

import html
import re

from qa.records import Answer, Citation, Document, DocumentInfo, IndexStatus

_MD_SPECIALS = {ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-!|~$>:=@"}


def escape(text: str) -> str:
    """Escape for our markup: no tag, entity, Markdown, LaTeX or autolink survives."""
    escaped = html.escape(text, quote=True)
    escaped = re.sub(r"&(?![a-z]+;|#\d+;|#x[0-9a-f]+;)", "&amp;", escaped)
    return "".join(_MD_SPECIALS.get(ch, ch) for ch in escaped)


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


def evidence_card(c: Citation, anchor: str, document_text: str | None = None) -> str:
    """One citation: source line, the quote highlighted inside its paragraph, neighbours, score."""
    if document_text is not None and document_text[c.start : c.end] == c.quote:
        para = document_text[c.paragraph_start : c.paragraph_end]
        lo, hi = c.start - c.paragraph_start, c.end - c.paragraph_start
        body = f"{_inline(para[:lo])} <mark>{_inline(c.quote)}</mark> {_inline(para[hi:])}"
    else:
        body = f"<mark>{_inline(c.quote)}</mark>"
    before = f"<p class='qa-context'>… {_inline(c.context_before)}</p>" if c.context_before else ""
    after = f"<p class='qa-context'>{_inline(c.context_after)} …</p>" if c.context_after else ""
    return (
        f"<div class='qa-card' id='{anchor}'>"
        f"<div class='qa-card-head'><span class='qa-n'>[{c.n}]</span> {_meta(c)}"
        f"<span class='qa-score' title='evidence score'>score {c.score:.2f}</span></div>"
        f"{before}<p class='qa-para'>{body}</p>{after}"
        f"<div class='qa-card-foot'><code>{escape(c.doc_id)}</code> chars {c.start}–{c.end}"
        f" · sha256 {escape(c.sha256[:12])}</div></div>"
    )


def _marker_links(text: str, prefix: str) -> str:
    return re.sub(
        r"\[(\d{1,2})\]", lambda m: f"<a class='qa-ref' href='#{prefix}-{m.group(1)}'>[{m.group(1)}]</a>", text
    )


def answer_html(answer: Answer, prefix: str) -> str:
    """The chat bubble: the direct answer, the quotes with [n] links, then the evidence cards."""
    parts: list[str] = []
    if answer.abstained:
        parts.append("<p class='qa-abstain'><strong>Not found in the briefings.</strong> ")
        parts.append(
            escape(answer.notice) if answer.notice else "No sentence in the briefings answers this with enough support."
        )
        parts.append("</p>")
        if answer.nearest:
            parts.append("<p class='qa-muted'>Closest passages, with their scores (they do not answer it):</p>")
            parts.extend(
                f"<div class='qa-near'><span class='qa-score'>{c.score:.2f}</span> {_meta(c)}"
                f"<blockquote>{_inline(c.quote)}</blockquote></div>"
                for c in answer.nearest
            )
        return "<div class='qa-answer'>" + "".join(parts) + "</div>"
    main = answer.citations[0]
    if answer.short_answer:
        parts.append(
            f"<p class='qa-lead'><strong>{_inline(answer.short_answer)}</strong> "
            f"<a class='qa-ref' href='#{prefix}-1'>[1]</a></p>"
        )
    parts.append(
        f"<blockquote class='qa-main'>{_inline(main.quote)} <a class='qa-ref' href='#{prefix}-1'>[1]</a></blockquote>"
    )
    if len(answer.citations) > 1:
        parts.append("<p class='qa-muted'>Also relevant:</p><ul class='qa-support'>")
        parts.extend(
            f"<li>“{_inline(c.quote)}” <a class='qa-ref' href='#{prefix}-{c.n}'>[{c.n}]</a></li>"
            for c in answer.citations[1:]
        )
        parts.append("</ul>")
    parts.append(f"<p class='qa-conf'>confidence {answer.confidence:.2f}</p>")
    return "<div class='qa-answer'>" + "".join(parts) + "</div>"


def document_html(document: Document, start: int | None = None, end: int | None = None) -> str:
    """The whole document, escaped, with [start:end] highlighted and marked for scrolling."""
    text = document.text
    if start is not None and end is not None and 0 <= start <= end <= len(text):
        body = f"{escape(text[:start])}<mark id='qa-doc-quote'>{escape(text[start:end])}</mark>{escape(text[end:])}"
    else:
        body = escape(text)
    return (
        f"<div class='qa-doc'><div class='qa-doc-head'><strong>{escape(document.title)}</strong> · "
        f"{escape(document.date or 'undated')} · <code>{escape(document.doc_id)}</code></div>"
        f"<pre class='qa-doc-text'>{body}</pre></div>"
    )


def corpus_html(documents: list[DocumentInfo], status: IndexStatus) -> str:
    rows = "".join(
        f"<tr><td>{escape(d.title)}</td><td>{escape(d.date or '—')}</td><td>{d.passages}</td>"
        f"<td><code>{escape(d.doc_id)}</code></td></tr>"
        for d in documents
    )
    return (
        f"<table class='qa-corpus'><thead><tr><th>Title</th><th>Date</th><th>Passages</th><th>File</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def status_line(status: IndexStatus) -> str:
    return escape(
        f"{status.documents} documents · {status.passages} passages · index {status.generation} built {status.built_at}"
    )
