"""Build `Document` records: read a file, extract its text, find its title and date, hash it.

Titles come from the first heading (or first line); dates from the title first, then from the
top of the text ("July 2025 Update", "12 July 2025", "2025-07-12"). Pure except `read_document`,
which reads one file. It does not split sentences or chunk: see `structure` and `chunking`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from qa.records import Document, Extracted, Section
from qa.text.loaders import extract
from qa.text.structure import heading_title

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_YEAR = r"((?:19|20)\d\d)"
_DATE_PATTERNS = (
    (re.compile(r"\b" + _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b"), ("y", "m", "d")),
    (re.compile(r"\b(0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I), ("d", "M", "y")),
    (re.compile(r"\b" + _MONTH + r"\s+(0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b", re.I), ("M", "d", "y")),
    (re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I), ("M", "y")),
)  # fmt: skip
_YEAR_ONLY = re.compile(r"\b" + _YEAR + r"\b")


def find_date(text: str, allow_year_only: bool = False) -> str | None:
    """The first date found in `text`, as an ISO string of the precision given; else None."""
    best: tuple[int, str] | None = None
    for pattern, parts in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            fields = dict(zip(parts, match.groups(), strict=True))
            year = fields["y"]
            month = (
                int(fields["m"]) if "m" in fields else _MONTHS[fields["M"].lower().rstrip(".")] if "M" in fields else 0
            )
            iso = f"{year}-{month:02d}" + (f"-{int(fields['d']):02d}" if "d" in fields else "")
            if best is None or match.start() < best[0]:
                best = (match.start(), iso)
            break
    if best is not None:
        return best[1]
    if allow_year_only:
        year_only = _YEAR_ONLY.search(text)
        if year_only:
            return year_only.group(1)
    return None


def find_title(
    text: str, headings: Sequence[Section], structured: bool, fallback: str
) -> tuple[str, tuple[int, int] | None]:
    """The title and its span: the first top heading near the start, else the first line."""
    if headings:
        first = min(headings, key=lambda h: (h.level, h.start))
        if first.start < 2000:
            return heading_title(first.title), (first.start, first.end)
    if structured:
        return fallback, None
    for found in re.finditer(r"[^\n]+", text):
        line = found.group().strip()
        if line:
            if len(line) > 200 or len(line.split()) > 25:
                return fallback, None
            start = found.start() + (len(found.group()) - len(found.group().lstrip()))
            return heading_title(line), (start, start + len(line))
    return fallback, None


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$", re.M)


def front_matter(text: str) -> dict[str, str]:
    """The `key: value` lines of a leading `---` block (YAML-style front matter), keys lower-cased, quotes
    removed; {} when the text has none. Only plain one-line values are read."""
    block = _FRONT_MATTER.match(text[:4000])
    if block is None:
        return {}
    return {k.lower(): v.strip().strip("\"'").strip() for k, v in _FIELD.findall(block.group(1)) if v.strip()}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_document(doc_id: str, data: bytes, extracted: Extracted, fmt: str) -> Document:
    stem = Path(doc_id).stem.replace("_", " ").replace("-", " ").strip() or doc_id
    title, _ = find_title(extracted.text, extracted.headings, extracted.structured, stem)
    date = find_date(title, allow_year_only=True) or find_date(extracted.text[:1500])
    return Document(
        doc_id=doc_id,
        source=doc_id,
        title=title,
        date=date,
        text=extracted.text,
        sha256=content_hash(data),
        format=fmt,
        headings=extracted.headings,
        pages=extracted.pages,
        structured=extracted.structured,
        series=front_matter(extracted.text).get("series") or None,
    )


def read_document(root: Path, path: Path) -> Document:
    """Read and extract one file; raises UnreadableFileError (or OSError) with a reason."""
    data = path.read_bytes()
    doc_id = path.relative_to(root).as_posix()
    extracted = extract(path, data)
    return build_document(doc_id, data, extracted, path.suffix.lower().lstrip("."))
