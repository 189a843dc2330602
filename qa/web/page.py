"""Pieces of the web chat that need no screen: the page's CSS, the conversation markup, example
questions drawn from the corpus, and turning filter inputs into `Filters`.

No gradio import here (the core knows no screen); `app.py` wires these into the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from qa.records import DocumentInfo, Filters
from qa.text.tokens import fold
from qa.web.escaping import escape
from qa.web.html import confidence_bands

CSS = """
:root, .light {
  --qa-text: #1c2430; --qa-muted: #4a5561; --qa-accent: #1f5f8b; --qa-mark: #fff1a8; --qa-mark-text: #1c1c1c;
  --qa-q-bg: #eef3f8; --qa-quote-bg: #f6f6f2; --qa-card-bg: #ffffff; --qa-border: #c9d0d8; --qa-line: #e3e6ea;
  --qa-warn: #7a3b00; --qa-error: #a00000; --qa-chip-bg: #eef3f8; --qa-focus: #1f5f8b; --qa-pending: #4a5561;
}
.dark {
  --qa-text: #e8edf3; --qa-muted: #b4bfcb; --qa-accent: #8fcdf7; --qa-mark: #5a4a00; --qa-mark-text: #fff8dc;
  --qa-q-bg: #1d2a3a; --qa-quote-bg: #1a212c; --qa-card-bg: #121923; --qa-border: #3b4756; --qa-line: #2c3642;
  --qa-warn: #f5b66e; --qa-error: #ff9a9a; --qa-chip-bg: #1d2a3a; --qa-focus: #8fcdf7; --qa-pending: #b4bfcb;
}
.qa-header h1 { margin: 0; font-size: 1.5rem; color: var(--qa-text); }
.qa-muted { color: var(--qa-muted); font-size: 0.9rem; }
.qa-status { color: var(--qa-muted); font-size: 0.85rem; text-align: right; }
#qa-chat { min-height: 160px; color: var(--qa-text); }
#qa-chat p, #qa-chat li, .qa-side p, .qa-side td, .qa-side th { color: var(--qa-text); }
.qa-turn { margin: 0 0 1rem 0; }
.qa-q { background: var(--qa-q-bg); color: var(--qa-text); border-radius: 10px; padding: .5rem .75rem;
  margin-bottom: .4rem; font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere; }
.qa-answer { border-left: 3px solid var(--qa-accent); padding: .25rem .75rem; color: var(--qa-text); }
.qa-lead { font-size: 1.05rem; margin: .2rem 0; }
.qa-answer blockquote, .qa-near blockquote { margin: .3rem 0; padding: .3rem .6rem; background: var(--qa-quote-bg);
  color: var(--qa-text); border-radius: 6px; }
.qa-ref { color: var(--qa-accent); font-weight: 600; text-decoration: none; }
#qa-chat .qa-conf, #qa-chat .qa-scope { font-size: .85rem; color: var(--qa-muted); margin: .2rem 0; }
.qa-level { font-weight: 700; border-bottom: 1px dotted currentColor; cursor: help; color: var(--qa-text); }
#qa-chat .qa-abstain, #qa-chat .qa-check, .qa-flag { color: var(--qa-warn); }
.qa-check { font-size: .85rem; margin: .2rem 0; }
.qa-sources { margin-top: .4rem; }
.qa-diff table { border-collapse: collapse; width: 100%; margin: .4rem 0; table-layout: fixed; }
.qa-diff th, .qa-diff td { border: 1px solid var(--qa-border); padding: .3rem .45rem; vertical-align: top; text-align: left; }
.qa-diff th[scope=row] { width: 6.5em; font-weight: 600; }
.qa-diff mark { background: var(--qa-mark); color: var(--qa-mark-text); padding: 0 .1em; }
.qa-diff-cite { display: block; font-size: .8em; color: var(--qa-muted); margin-top: .15rem; }
.qa-diff-heading { font-weight: 600; margin: .3rem 0; }
.qa-card { border: 1px solid var(--qa-border); border-radius: 8px; padding: .35rem .7rem; margin: .4rem 0;
  background: var(--qa-card-bg); color: var(--qa-text); }
.qa-para { scroll-margin-top: 15vh; }
.qa-doc mark { scroll-margin: 6rem 0; }
.qa-para:target { outline: 2px solid var(--qa-accent); outline-offset: 3px; border-radius: 3px; }
.qa-card[open] { box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.qa-card-head { font-size: .85rem; display: flex; gap: .4rem; align-items: baseline; cursor: pointer; }
.qa-meta { flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; }
.qa-open { color: var(--qa-accent); font-weight: 600; }
.qa-flag { font-size: .85rem; }
.qa-doc summary, .qa-exact summary { font-size: .8rem; color: var(--qa-muted); cursor: pointer; }
.qa-help li { margin: .3rem 0; color: var(--qa-text); }
#qa-chat .qa-card-foot, .qa-card-foot { font-size: .75rem; color: var(--qa-muted); overflow-wrap: anywhere; }
.qa-card-foot code { color: var(--qa-muted); background: transparent; }
.qa-card-tools { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; margin: .3rem 0; }
.qa-n { font-weight: 700; color: var(--qa-accent); }
.qa-title { font-weight: 600; }
.qa-score { flex: 0 0 auto; font-size: .75rem; background: var(--qa-chip-bg); color: var(--qa-text); border-radius: 4px;
  padding: 0 .3rem; }
#qa-chat .qa-context { color: var(--qa-muted); font-size: .85rem; margin: .2rem 0; }
.qa-para mark, .qa-doc mark, #qa-chat mark, .qa-docview mark { background: var(--qa-mark); color: var(--qa-mark-text);
  padding: 0 .1rem; }
.qa-doc-text { white-space: pre-wrap; max-height: 420px; overflow: auto; font-family: system-ui, sans-serif;
  font-size: .85rem; color: var(--qa-text); background: transparent; }
.qa-doc-full { max-height: 70vh; }
.qa-exact-text { white-space: pre-wrap; font-size: .8rem; color: var(--qa-text); background: var(--qa-quote-bg);
  padding: .3rem; border-radius: 4px; overflow-wrap: anywhere; }
.qa-mk { display: none; }
.qa-label { font-weight: 700; }
.qa-heading { font-weight: 700; font-size: 1.05em; }
#qa-chat .qa-error { color: var(--qa-error); }
.qa-corpus-wrap { max-height: 60vh; overflow: auto; }
.qa-corpus { font-size: .85rem; width: 100%; border-collapse: collapse; }
.qa-corpus td, .qa-corpus th { padding: .3rem .4rem; border-bottom: 1px solid var(--qa-line); text-align: left;
  vertical-align: top; }
.qa-file { font-size: .72rem; color: var(--qa-muted); word-break: break-all; background: transparent; }
.qa-examples { display: flex; flex-wrap: wrap; gap: .4rem; margin: .3rem 0 .6rem; }
.qa-examples button.qa-example { white-space: normal; text-align: left; border: 1px solid var(--qa-border);
  border-radius: 1rem; padding: .3rem .75rem; font-weight: 500; }
.qa-copy, .qa-retry, .qa-doc-link, .qa-watch { font: inherit; cursor: pointer; color: var(--qa-accent); background: transparent;
  border: 1px solid var(--qa-border); border-radius: 6px; padding: .1rem .5rem; }
.qa-copy { font-size: .78rem; }
.qa-doc-link { border: none; padding: 0; text-align: left; font-weight: 600; text-decoration: underline; }
.qa-retry { font-weight: 600; }
.qa-watch { font-size: .8rem; }
#qa-upload .or { color: var(--qa-muted); }  /* the upload's "- or -": Gradio's light grey is under 4.5:1 */
.qa-keep-row { margin: .3rem 0 0; }
.qa-watch-item { border: 1px solid var(--qa-border); border-radius: 8px; padding: .35rem .7rem; margin: .4rem 0;
  background: var(--qa-card-bg); color: var(--qa-text); }
.qa-watch-head { margin: .15rem 0; }
.qa-watch-q { font-weight: 600; overflow-wrap: anywhere; }
.qa-badge { font-size: .75rem; font-weight: 700; border: 1px solid currentColor; border-radius: 1rem; padding: 0 .5rem; }
.qa-side .qa-state-changed, .qa-side .qa-state-no-longer-answered { color: var(--qa-warn); }
.qa-side .qa-state-newly-answered, .qa-side .qa-state-source-edited { color: var(--qa-accent); }
.qa-side .qa-state-unchanged { color: var(--qa-muted); }
.qa-watch-diff td p { margin: .15rem 0; }
.qa-counter { font-size: .8rem; color: var(--qa-muted); margin: 0; text-align: right; }
.qa-counter.qa-over { color: var(--qa-error); font-weight: 700; }
#qa-notice p { margin: .2rem 0; color: var(--qa-error); font-weight: 600; }
.qa-pending .qa-wait { color: var(--qa-pending); font-style: italic; }
.qa-pending .qa-wait::after { content: " …"; animation: qa-blink 1s steps(2) infinite; }
@keyframes qa-blink { 50% { opacity: .3; } }
.qa-hidden { display: none !important; }
#qa-ask, #qa-admin-reindex { background: #1f5f8b !important; color: #ffffff !important; border-color: #1f5f8b !important; }
#qa-ask:hover, #qa-admin-reindex:hover { background: #174a6d !important; }
#qa-tabs [role="tab"][aria-selected="true"] { color: var(--qa-accent) !important; }
#qa-tabs [role="tab"] { color: var(--qa-text); }
.qa-maintain-report pre { white-space: pre-wrap; font-size: .8rem; color: var(--qa-text); }
#qa-chat :focus-visible, .qa-side :focus-visible, #qa-question :focus-visible, button:focus-visible,
input:focus-visible, summary:focus-visible, a:focus-visible {
  outline: 3px solid var(--qa-focus) !important; outline-offset: 2px;
}
footer, footer a, footer button { color: var(--qa-muted) !important; }  /* Gradio's "Use via API" link, readable */
@media (max-width: 700px) {
  .qa-header { flex-direction: column; gap: .2rem; }
  .qa-status { text-align: left; }
}
@media (max-width: 600px) {  /* a change view stacks: each line's kind, then before and after, labelled */
  .qa-diff thead { display: none; }
  .qa-diff table, .qa-diff tbody, .qa-diff tr, .qa-diff th, .qa-diff td { display: block; width: auto; }
  .qa-diff tr { border: 1px solid var(--qa-border); margin-bottom: .4rem; }
  .qa-diff th, .qa-diff td { border: 0; }
  .qa-diff th[scope=row] { width: auto; }
  .qa-diff td[data-side]::before { content: attr(data-side) ": "; font-weight: 600; color: var(--qa-muted); }
  .qa-diff td.qa-diff-empty { display: none; }
}
"""


# The page's one script (in <head>): the character counter, and the buttons the answers and the corpus table
# carry as data attributes (no inline handlers): copy a quote with its citation, ask a suggested question, open a
# briefing in the document view. It drives the page's own inputs, so every action takes the same path as a user's.
SCRIPT = """<script>
(() => {
  const MAX = @MAX@;
  const box = () => document.querySelector('#qa-question textarea');
  function setValue(element, value) {
    element.value = value;
    element.dispatchEvent(new Event('input', {bubbles: true}));
  }
  function count(length) {
    const counter = document.getElementById('qa-counter');
    if (!counter) return;
    counter.textContent = length.toLocaleString('en') + ' / ' + MAX.toLocaleString('en') + ' characters'
      + (length > MAX ? ' — too long: shorten the question' : '');
    counter.classList.toggle('qa-over', length > MAX);
  }
  async function copy(text) {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement('textarea');
      area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
      document.body.appendChild(area); area.select();
      const done = document.execCommand('copy'); area.remove(); return done;
    }
  }
  document.addEventListener('input', (event) => {
    if (event.target.closest && event.target.closest('#qa-question')) count(event.target.value.length);
  });
  document.addEventListener('click', async (event) => {
    const target = event.target.closest ? event.target : event.target.parentElement;
    const copyButton = target.closest('.qa-copy');
    if (copyButton) {
      const done = await copy(copyButton.dataset.copy || '');
      copyButton.textContent = done ? 'Copied' : 'Copy failed: select the exact text instead';
      setTimeout(() => { copyButton.textContent = 'Copy quote with citation'; }, 2000);
      return;
    }
    // an in-page link ([n], "Open document at the quote") opens its card where it is: never a navigation, which
    // the page's <base href> would send to another URL (losing ?__theme=dark and the conversation's place)
    const inPage = target.closest('a.qa-ref, a.qa-open');
    if (inPage && (inPage.getAttribute('href') || '').startsWith('#')) {
      const shown = document.getElementById(inPage.getAttribute('href').slice(1));
      if (shown) {
        event.preventDefault();
        for (let d = shown.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
        shown.scrollIntoView({behavior: 'smooth', block: 'center'});
        history.replaceState(history.state, '', location.pathname + location.search + '#' + shown.id);
      }
      return;
    }
    const retry = target.closest('.qa-retry');
    if (retry && box()) {
      const plain = document.querySelector('#qa-plain textarea, #qa-plain input');
      if (plain) setValue(plain, retry.dataset.plain || '');  // '1': as typed; 'all': every briefing
      setValue(box(), retry.dataset.question || '');
      count(box().value.length);
      document.getElementById('qa-ask').click();
      return;
    }
    const watch = target.closest('.qa-watch');  // Keep watching, Mark seen, Stop watching
    if (watch) {
      const field = document.querySelector('#qa-watch-action textarea, #qa-watch-action input');
      if (field) { setValue(field, watch.dataset.watch || ''); document.getElementById('qa-watch-go').click(); }
      return;
    }
    const link = target.closest('.qa-doc-link');
    if (link) {
      const field = document.querySelector('#qa-open-doc textarea, #qa-open-doc input');
      if (field) { setValue(field, link.dataset.doc || ''); document.getElementById('qa-open-doc-go').click(); }
    }
    if (target.closest('#qa-clear')) count(0);
  });
  window.qaCount = count;
})();
</script>"""

# Shown at once on Ask, before the answer comes back: the question just asked, and that it is being looked up
SHOW_PENDING = """() => {
  const box = document.querySelector('#qa-question textarea');
  const chat = document.querySelector('#qa-chat');
  const text = box ? box.value.trim() : '';
  if (!chat || !text || text.length > @MAX@) return;
  chat.querySelector('.qa-empty')?.remove();
  const turn = document.createElement('div');
  turn.className = 'qa-turn qa-pending';
  const q = document.createElement('div'); q.className = 'qa-q'; q.textContent = text;
  const wait = document.createElement('p'); wait.className = 'qa-wait'; wait.textContent = 'Searching the briefings';
  turn.append(q, wait);
  (chat.querySelector('.prose') || chat.firstElementChild || chat).appendChild(turn);
  turn.scrollIntoView({behavior: 'smooth', block: 'start'});
}"""


def head(max_chars: int) -> str:
    """The page's <head> additions, with the question-length limit (`Settings.max_question_chars`)."""
    return '<meta name="viewport" content="width=device-width, initial-scale=1">' + SCRIPT.replace(
        "@MAX@", str(max_chars)
    )


def show_pending(max_chars: int) -> str:
    """The script run on Ask, before the answer comes back (nothing is shown for a question over the limit)."""
    return SHOW_PENDING.replace("@MAX@", str(max_chars))


# Run once answering is over, whether it answered, refused the input or failed: the "Searching the briefings"
# line goes (an answer replaces the chat; a bad date or a server error leaves it otherwise), the latest turn in view
SCROLL_TO_LATEST = """() => {
  document.querySelectorAll('#qa-chat .qa-pending').forEach((turn) => turn.remove());
  const box = document.querySelector('#qa-question textarea');
  if (window.qaCount && box) window.qaCount(box.value.length);
  const turns = document.querySelectorAll('#qa-chat .qa-turn');
  if (turns.length) turns[turns.length - 1].scrollIntoView({behavior: 'smooth', block: 'start'});
}"""


# The "How to verify" tab
HELP = f"""<div class='qa-help'>
<p><strong>Every answer is quoted word for word from the briefings.</strong></p>
<ul>
<li>Click a <span class='qa-ref'>[n]</span> marker, or a source under the answer, to see the quote highlighted in its paragraph,
with its document, date, section, score and exact character offsets. <em>Exact text</em> shows the quote's characters as
stored; <em>Copy quote with citation</em> copies it with its document, offsets and hash.</li>
<li><em>Open document at the quote</em> shows the whole briefing, scrolled to the quote.</li>
<li>Each answer says what it searched ("Searched 1 of 83 briefings"): narrow it with the filters, and clear them to search all.</li>
<li>Confidence is a label ({confidence_bands()}); hover it for the number and what it means.</li>
<li>Follow-up questions ("What about agriculture?") use the conversation; it stays after a reload;
<em>Clear conversation</em> starts afresh.</li>
<li>When the briefings do not answer, it says so and shows the closest passages with their scores.</li>
<li>Download the conversation's verification pack (Markdown or JSON): every question as asked and as understood, its
filters, the index version, the time, and every quote with its hash and offsets.</li>
</ul></div>"""


def conversation_html(turns: Sequence[dict[str, Any]], examples: Sequence[str] = ()) -> str:
    """The conversation; before the first question, a welcome with the example questions, each one click away."""
    if not turns:
        asked = "".join(
            f"<button type='button' class='qa-retry qa-example' data-question='{escape(q)}'>{escape(q)}</button>"
            for q in examples
        )
        return (
            "<div class='qa-empty'><p>Ask a question about the briefings. Every answer quotes them word for word; "
            "click a <span class='qa-ref'>[n]</span> to see the quote in its paragraph.</p>"
            + (f"<p class='qa-muted'>For example:</p><div class='qa-examples'>{asked}</div>" if asked else "")
            + "</div>"
        )
    parts = []
    for turn in turns:
        parts.append(f"<div class='qa-turn'><div class='qa-q'>{escape(turn['question'])}</div>")
        if turn.get("error"):
            parts.append(
                f"<p class='qa-error'>{escape(turn['error'])}</p>"
                "<p class='qa-muted'>The question is still in the box: change it or try again.</p>"
            )
        else:
            parts.append(turn["html"])
        parts.append("</div>")
    return "".join(parts)


SORTS = ("Title", "Newest first", "Oldest first")


def briefing_choices(documents: Sequence[DocumentInfo], order: str = "Title") -> list[tuple[str, str]]:
    """The briefing picker's (label, doc_id) choices: "Title · 2025-07 · 12 passages", sorted by title (case and
    accents folded, then date) or by date (undated last)."""

    def title_key(d: DocumentInfo) -> tuple[str, str]:
        return fold(d.title), d.date or ""

    if order == "Title":
        ordered = sorted(documents, key=title_key)
    else:
        dated = sorted((d for d in documents if d.date), key=lambda d: (d.date or "", title_key(d)))
        if order == "Newest first":
            dated.reverse()
        ordered = dated + sorted((d for d in documents if not d.date), key=title_key)
    return [(f"{d.title} · {d.date or 'undated'} · {_passages(d.passages)}", d.doc_id) for d in ordered]


def _passages(count: int) -> str:
    return f"{count:,} passage" + ("" if count == 1 else "s")


def picker_label(chosen: int, total: int) -> str:
    if not chosen:
        every = "the only briefing" if total == 1 else f"all {total:,} briefings"
        return f"Briefings to search: {every} (type to find one; none chosen searches all)"
    return f"Briefings to search: {chosen:,} of {total:,} chosen"


def example_questions(configured: str, count: int = 3) -> list[str]:
    """The example questions configured for the first screen ('|'-separated, `QA_EXAMPLES`)."""
    return [q.strip() for q in configured.split("|") if q.strip()][:count]


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
