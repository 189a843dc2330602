"""Pieces of the web chat that need no screen: the page's CSS, the conversation markup, example
questions drawn from the corpus, and turning filter inputs into `Filters`.

No gradio import here (the core knows no screen); `app.py` wires these into the page.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from qa.records import Document, Filters
from qa.web.html import escape

CSS = """
:root { --qa-accent: #1f5f8b; --qa-mark: #fff1a8; }
.qa-header h1 { margin: 0; font-size: 1.5rem; }
.qa-muted { color: #5b6570; font-size: 0.9rem; }
.qa-status { color: #3c4650; font-size: 0.85rem; text-align: right; }
#qa-chat { min-height: 320px; }
.qa-turn { margin: 0 0 1rem 0; }
.qa-q { background: #eef3f8; border-radius: 10px; padding: .5rem .75rem; margin-bottom: .4rem; font-weight: 600; }
.qa-answer { border-left: 3px solid var(--qa-accent); padding: .25rem .75rem; }
.qa-lead { font-size: 1.05rem; margin: .2rem 0; }
.qa-answer blockquote, .qa-near blockquote { margin: .3rem 0; padding: .3rem .6rem; background: #f7f7f4; border-radius: 6px; }
.qa-ref { color: var(--qa-accent); font-weight: 600; text-decoration: none; }
.qa-conf { font-size: .8rem; color: #5b6570; margin: .2rem 0; }
.qa-abstain { color: #7a3b00; }
.qa-check { font-size: .85rem; color: #7a3b00; margin: .2rem 0; }
.qa-sources { margin-top: .4rem; }
.qa-card { border: 1px solid #d8dde3; border-radius: 8px; padding: .35rem .7rem; margin: .4rem 0; background: #fff; }
.qa-para { scroll-margin-top: 15vh; }
.qa-doc mark { scroll-margin: 6rem 0; }
.qa-para:target { outline: 2px solid var(--qa-accent); outline-offset: 3px; border-radius: 3px; }
.qa-card[open] { box-shadow: 0 1px 4px rgba(0,0,0,.08); }
.qa-card-head { font-size: .85rem; display: flex; flex-wrap: wrap; gap: .4rem; align-items: baseline; cursor: pointer; }
.qa-open { color: var(--qa-accent); font-weight: 600; }
.qa-flag { color: #8a4b00; font-size: .85rem; }
.qa-doc summary { font-size: .8rem; color: #5b6570; cursor: pointer; }
.qa-help li { margin: .3rem 0; }
.qa-card-foot { font-size: .75rem; color: #5b6570; }
.qa-n { font-weight: 700; color: var(--qa-accent); }
.qa-title { font-weight: 600; }
.qa-score { margin-left: auto; font-size: .75rem; background: #eef3f8; border-radius: 4px; padding: 0 .3rem; }
.qa-context { color: #5b6570; font-size: .85rem; margin: .2rem 0; }
.qa-para mark, .qa-doc mark { background: var(--qa-mark); padding: 0 .1rem; }
.qa-doc-text {
  white-space: pre-wrap; max-height: 420px; overflow: auto; font-family: system-ui, sans-serif; font-size: .85rem;
}
.qa-error { color: #a00; }
.qa-corpus { font-size: .85rem; width: 100%; border-collapse: collapse; }
.qa-corpus td, .qa-corpus th { padding: .3rem .4rem; border-bottom: 1px solid #e3e6ea; text-align: left; vertical-align: top; }
.qa-file { font-size: .72rem; color: #5b6570; word-break: break-all; }
.qa-examples button { white-space: normal; text-align: left; }
@media (max-width: 700px) {
  .qa-header { flex-direction: column; gap: .2rem; }
  .qa-status { text-align: left; }
}
"""

HEAD = '<meta name="viewport" content="width=device-width, initial-scale=1">'

SCROLL_TO_LATEST = """() => {
  const turns = document.querySelectorAll('#qa-chat .qa-turn');
  if (turns.length) turns[turns.length - 1].scrollIntoView({behavior: 'smooth', block: 'start'});
}"""


def conversation_html(turns: Sequence[dict[str, Any]]) -> str:
    if not turns:
        return (
            "<div class='qa-empty'><p>Ask a question about the briefings. Every answer quotes them word for word; "
            "click a <span class='qa-ref'>[n]</span> to see the quote in its paragraph.</p></div>"
        )
    parts = []
    for turn in turns:
        parts.append(f"<div class='qa-turn'><div class='qa-q'>{escape(turn['question'])}</div>")
        if turn.get("error"):
            parts.append(f"<p class='qa-error'>{escape(turn['error'])}</p>")
        else:
            parts.append(turn["html"])
        parts.append("</div>")
    return "".join(parts)


_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+|[A-Z]{2,6})\b")


def example_questions(documents: Sequence[Document], count: int = 3) -> list[str]:
    """Questions to show on the first screen: QA_EXAMPLES ('|'-separated), else drawn from the newest
    five of `documents` (the names they use most that their titles do not)."""
    configured = os.environ.get("QA_EXAMPLES", "").strip()
    if configured:
        return [q.strip() for q in configured.split("|") if q.strip()][:count]
    newest = sorted(documents, key=lambda d: d.date or "", reverse=True)
    names: Counter[str] = Counter()
    for document in newest[:5]:
        title_words = set(document.title.lower().split())
        for name in _NAME.findall(document.text):
            if name.lower() not in title_words and len(name) > 2:
                names[name] += 1
    questions = [f"What do the briefings say about {name}?" for name, _ in names.most_common(count)]
    return questions or ["What are the main points of the briefings?"]


def filters_from_inputs(doc_ids: Sequence[str] | None, date_from: str | None, date_to: str | None) -> Filters:
    """Validate the filter inputs; a malformed date raises ValueError with the expected form."""

    def date(value: str | None, label: str) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
            raise ValueError(f"The {label} date '{value}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")
        return value

    return Filters(doc_ids=tuple(doc_ids or ()), date_from=date(date_from, "from"), date_to=date(date_to, "to"))
