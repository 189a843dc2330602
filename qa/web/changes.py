"""A series diff shown to a reader: as Markdown (the terminal, the verification pack) and as a two-column
HTML table (the chat), every line quoted verbatim with its document, date and offsets, the changed words
marked. Pure: a `SeriesDiff` in, text out.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.records import Quoted, SeriesDiff
from qa.web.escaping import escape

_LABEL = {"changed": "Changed", "added": "Added", "removed": "Removed"}
_ORDER = {"changed": 0, "added": 1, "removed": 2}


def _marked(q: Quoted, open_mark: str, close_mark: str, escaping: bool) -> str:
    """The quote with each changed word wrapped in the marks (offsets are the document's, hence the shift)."""
    out, at = [], 0
    for start, end in sorted(q.marks):
        a, b = start - q.start, end - q.start
        if a < at or b > len(q.text):
            continue
        piece, word = q.text[at:a], q.text[a:b]
        out.append(
            (escape(piece) if escaping else piece) + open_mark + (escape(word) if escaping else word) + close_mark
        )
        at = b
    rest = q.text[at:]
    return "".join(out) + (escape(rest) if escaping else rest)


def _cite(q: Quoted) -> str:
    return f"{q.doc_id}, {q.date or 'undated'}, chars {q.start}–{q.end}"


def diff_heading(diff: SeriesDiff) -> str:
    counts = diff.counts()
    said = ", ".join(f"{counts[k]} {k}" for k in ("changed", "added", "removed"))
    return (
        f"{diff.series}: {diff.old.date or 'undated'} → {diff.new.date or 'undated'} "
        f"({said}; {diff.unchanged} sentences the same)"
    )


def diff_markdown(diff: SeriesDiff) -> str:
    """Each change as a quoted line (changed words in bold) with its citation."""
    lines = [
        f"### {diff_heading(diff)}",
        "",
        f"From *{diff.old.title}* ({diff.old.doc_id}) to *{diff.new.title}* ({diff.new.doc_id}).",
        "",
    ]
    if not diff.lines:
        lines.append("No sentence changed.")
    for line in diff.lines:
        if line.kind == "changed" and line.old and line.new:
            lines.append(f"- **Changed**: “{_marked(line.new, '**', '**', False)}” ({_cite(line.new)})")
            lines.append(f"  - was: “{_marked(line.old, '**', '**', False)}” ({_cite(line.old)})")
        elif line.kind == "added" and line.new:
            lines.append(f"- **Added**: “{line.new.text}” ({_cite(line.new)})")
        elif line.old:
            lines.append(f"- **Removed**: “{line.old.text}” ({_cite(line.old)})")
    return "\n".join(lines) + "\n"


def diff_html(diff: SeriesDiff) -> str:
    """Two columns, the older briefing on the left, the newer on the right, changed lines first; changed words in
    <mark>. Under 600 px the columns stack, each cell labelled Before or After (the page's CSS)."""

    def cell(q: Quoted | None, side: str) -> str:
        if q is None:
            return '<td class="qa-diff-empty"></td>'
        return (  # `data-side` labels the cell when the columns stack on a narrow screen
            f'<td data-side="{side}"><span class="qa-diff-quote">{_marked(q, "<mark>", "</mark>", True)}</span>'
            f'<span class="qa-diff-cite">{escape(_cite(q))}</span></td>'
        )

    shown = sorted(diff.lines, key=lambda line: _ORDER[line.kind])  # changed lines first, then added, removed
    rows: Sequence[str] = [
        f'<tr class="qa-diff-{line.kind}"><th scope="row">{_LABEL[line.kind]}</th>{cell(line.old, "Before")}'
        f"{cell(line.new, 'After')}</tr>"
        for line in shown
    ]
    body = "".join(rows) or '<tr><td colspan="3">No sentence changed.</td></tr>'
    return (
        f'<div class="qa-diff"><p class="qa-diff-heading">{escape(diff_heading(diff))}</p>'
        f'<table><thead><tr><th scope="col"></th><th scope="col">{escape(diff.old.title)} ({escape(diff.old.date or "undated")})</th>'
        f'<th scope="col">{escape(diff.new.title)} ({escape(diff.new.date or "undated")})</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )
