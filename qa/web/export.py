"""Plain-text and Markdown renderings of an answer: the terminal view and the verification pack.

Pure: turns an `Answer` into strings. It does not decide what the answer says.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from qa.records import Answer, Citation


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
    lines.append(f"Confidence {answer.confidence:.2f}" + (" (abstained)" if answer.abstained else ""))
    return "\n".join(lines)


def verification_markdown(answer: Answer) -> str:
    """A verification pack in Markdown: each quote with document id, hash, offsets, score."""
    lines = [
        "# Verification pack",
        "",
        f"**Question:** {answer.question}",
        f"**Index version:** {answer.index_version}",
        f"**Confidence:** {answer.confidence:.2f}" + (" — abstained" if answer.abstained else ""),
        "",
        "## Answer",
        "",
        answer.text,
        "",
        "## Citations",
    ]
    for c in answer.citations or answer.nearest:
        lines += [
            "",
            f"### [{c.n}] {c.title}",
            f"- document: `{c.doc_id}` (sha256 `{c.sha256}`)",
            f"- date: {c.date or 'unknown'}; section: {c.section or '—'}",
            f"- characters {c.start}–{c.end}; score {c.score:.4f}",
            "",
            "> " + " ".join(c.quote.split()),
        ]
    return "\n".join(lines) + "\n"


def verification_json(answer: Answer) -> str:
    return json.dumps(answer.model_dump(mode="json"), indent=2, ensure_ascii=False)


PACKS_KEPT = 200  # verification packs kept on disk for download; older ones are removed as new ones come


def write_verification_pack(root: Path, answer: Answer, number: int, keep: int = PACKS_KEPT) -> list[Path]:
    """`answer-NNN.md` and `.json` in a new folder under `root` (two chats may both be at answer 1); only the
    newest `keep` packs stay under `root`."""
    folder = Path(tempfile.mkdtemp(prefix="pack-", dir=root))
    _prune(root, keep - 1)
    md, js = folder / f"answer-{number:03d}.md", folder / f"answer-{number:03d}.json"
    md.write_text(verification_markdown(answer), encoding="utf-8")
    js.write_text(verification_json(answer), encoding="utf-8")
    return [md, js]


def _prune(root: Path, keep: int) -> None:
    """Remove all but the newest `keep` pack folders under `root` (besides the one just made)."""
    folders = sorted((p for p in root.glob("pack-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
    for old in folders[: max(0, len(folders) - 1 - keep)]:
        shutil.rmtree(old, ignore_errors=True)
