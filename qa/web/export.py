"""Plain-text and Markdown renderings of answers: the terminal view and the conversation's verification pack.

Pure: turns answers into strings. It does not decide what the answer says.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from qa.records import Answer, AnswerSeen, Citation, Filters, StandingQuestion, Turn
from qa.web.changes import diff_markdown
from qa.web.html import confidence_label

PACKS_KEPT = 200  # verification packs kept on disk for download; older ones are removed as new ones come


def _where(c: Citation) -> str:
    parts = [c.title]
    if c.date:
        parts.append(c.date)
    if c.section:
        parts.append(c.section)
    if c.page:
        parts.append(f"page {c.page}")
    return " · ".join(parts)


def terminal(answer: Answer) -> str:
    """What `qa ask` prints: the answer, then each citation with its source and offsets."""
    lines = [answer.text, ""]
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {_where(c)}")
            lines.append(f"      {c.source}  chars {c.start}-{c.end}  score {c.score:.2f}")
    if answer.scope is not None:
        lines.append(answer.scope.describe() + ".")
    if answer.did_you_mean:
        lines.append(f"Did you mean: {answer.did_you_mean}")
    level, _ = confidence_label(answer.confidence)
    lines.append(f"Confidence {answer.confidence:.2f} ({level})" + (" — abstained" if answer.abstained else ""))
    return "\n".join(lines)


def _seen_text(seen: AnswerSeen | None) -> str:
    """One answer of a standing question on a line: its short answer, quote and where it is from."""
    if seen is None:
        return "not answered yet"
    if not seen.answered:
        return f"refused (confidence {seen.confidence:.2f})"
    bold = f"**{seen.short_answer}** — " if seen.short_answer else ""
    where = " · ".join(p for p in (seen.title, seen.date) if p)
    return f'{bold}"{seen.quote}" ({where}; {seen.doc_id} chars {seen.start}-{seen.end})'


def standing_text(items: Sequence[StandingQuestion], changes_only: bool) -> str:
    """What `qa watch list` and `qa watch status` print: each standing question with its state since last seen,
    its latest answer, and the one last seen when they differ."""
    if not items:
        return (
            "Nothing changed since last seen."
            if changes_only
            else 'No standing questions. Keep one with: qa watch add "QUESTION"'
        )
    lines = []
    for item in items:
        scope = _filters_text(Filters(doc_ids=item.doc_ids, date_from=item.date_from, date_to=item.date_to))
        filtered = f" (filters: {scope})" if item.doc_ids or item.date_from or item.date_to else ""
        lines.append(f"[{item.id}] {item.question}  — {item.state}{filtered}")
        if item.error:
            lines.append(f"    latest re-check failed: {item.error}")
        if item.state != "unchanged" and item.seen is not None:
            lines.append(f"    seen: {_seen_text(item.seen)}")
            lines.append(f"    now:  {_seen_text(item.latest)}")
        else:
            lines.append(f"    {_seen_text(item.latest)}")
        if item.latest is not None and item.latest.checked:
            lines.append(f"    checked {item.latest.checked} against {item.latest.generation}")
    return "\n".join(lines)


def _filters_text(filters: Filters) -> str:
    parts = []
    if filters.doc_ids:
        parts.append("briefings " + ", ".join(f"`{d}`" for d in filters.doc_ids))
    if filters.date_from or filters.date_to:
        parts.append(f"dated {filters.date_from or 'any'} to {filters.date_to or 'any'}")
    return "; ".join(parts) or "none (all briefings)"


def _citation_lines(c: Citation) -> list[str]:
    return [
        "",
        f"#### [{c.n}] {c.title}",
        f"- document: `{c.doc_id}` (sha256 `{c.sha256}`)",
        f"- date: {c.date or 'unknown'}; section: {c.section or '—'}",
        f"- characters {c.start}–{c.end}; score {c.score:.4f}",
        "",
        "> " + " ".join(c.quote.split()),
    ]


def _standing_lines(standing: Sequence[StandingQuestion]) -> list[str]:
    """The standing questions in a pack: each with its state since last seen, its answer now and (when it moved)
    the answer last seen, each pinned to its document, offsets and hash."""
    if not standing:
        return []
    lines = ["## Standing questions", ""]
    for item in standing:
        lines.append(f"- [{item.id}] {item.question} — {item.state}")
        for name, seen in (("seen", item.seen), ("now", item.latest)) if item.state != "unchanged" else (
            ("now", item.latest),
        ):  # fmt: skip
            pinned = (
                f" ({seen.doc_id} chars {seen.start}–{seen.end}, sha256 {seen.sha256})"
                if seen and seen.answered
                else ""
            )
            lines.append(f"  - {name}: {_seen_text(seen)}{pinned}")
    return [*lines, ""]


def conversation_markdown(turns: Sequence[Turn], exported_at: str, standing: Sequence[StandingQuestion] = ()) -> str:
    """The whole conversation as one verification pack: each question as asked and as resolved, its filters,
    scope, index version and time, the answer, and each quote with its document hash and offsets; then the
    standing questions with what changed since last seen."""
    lines = ["# Verification pack: conversation", "", f"Exported {exported_at}; {len(turns)} questions.", ""]
    for number, turn in enumerate(turns, 1):
        lines += [
            f"## {number}. {turn.question}",
            "",
            f"- asked: {turn.asked_at}",
            f"- filters: {_filters_text(turn.filters)}",
        ]
        if turn.answer is None:
            lines += [f"- error: {turn.error or 'no answer'}", ""]
            continue
        answer = turn.answer
        lines.append(f"- resolved as: {answer.resolved_question or answer.question}")
        if answer.scope is not None:
            lines.append(f"- scope: {answer.scope.describe()}")
        lines.append(f"- index version: {answer.index_version}")
        lines.append(f"- confidence: {answer.confidence:.2f}" + (" — abstained" if answer.abstained else ""))
        lines += [
            "",
            "### Answer",
            "",
            answer.text,
            "",
            "### Citations" if answer.citations else "### Closest passages",
        ]
        for c in answer.citations or answer.nearest:
            lines += _citation_lines(c)
        lines.append("")
        if answer.changes is not None:  # the whole diff, not only the lines the answer shows
            lines += ["### Every change", "", diff_markdown(answer.changes).replace("### ", "#### ", 1)]
    lines += _standing_lines(standing)
    return "\n".join(lines).rstrip("\n") + "\n"


def conversation_json(turns: Sequence[Turn], exported_at: str, standing: Sequence[StandingQuestion] = ()) -> str:
    payload = {
        "pack": "briefing-qa conversation",
        "format": 1,
        "exported_at": exported_at,
        "turns": [turn.model_dump(mode="json") for turn in turns],
        "standing": [item.model_dump(mode="json") for item in standing],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def write_conversation_pack(
    root: Path,
    turns: Sequence[Turn],
    exported_at: str,
    keep: int = PACKS_KEPT,
    standing: Sequence[StandingQuestion] = (),
) -> list[Path]:
    """`conversation.md` and `conversation.json` in a new folder under `root` (with the standing questions, if any);
    the newest `keep` packs stay."""
    folder = Path(tempfile.mkdtemp(prefix="pack-", dir=root))
    _prune(root, keep - 1)
    md, js = folder / "conversation.md", folder / "conversation.json"
    md.write_text(conversation_markdown(turns, exported_at, standing), encoding="utf-8")
    js.write_text(conversation_json(turns, exported_at, standing), encoding="utf-8")
    return [md, js]


def _prune(root: Path, keep: int) -> None:
    """Remove all but the newest `keep` pack folders under `root` (besides the one just made)."""
    folders = sorted((p for p in root.glob("pack-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
    for old in folders[: max(0, len(folders) - 1 - keep)]:
        shutil.rmtree(old, ignore_errors=True)
