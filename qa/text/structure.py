"""Find a document's blocks (paragraphs, field lines, list items), its section headings, and the
sentences that may be quoted.

Pure: works on the extracted text and the headings a loader saw. Web leftovers ("Scroll to Top",
"Mexico Map", a "Further Reading" list) and headings are never quotable: headings become the
section path of the sentences below them instead. It does not group sentences into passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qa.text.sentences import split_sentences, trim_span

_JUNK = re.compile(
    r"^(?:scroll to top|back to top|top of page|further reading|read more|read next|related(?: articles| posts"
    r"| reading| stories| content)?|see also|share(?: this)?(?: article| post| page)?|print(?: this)?(?: page)?"
    r"|advertisement|sponsored|follow us.*|skip to (?:main )?content|menu|home"
    # a call to subscribe, not "Subscribers rose…"; a notice, not "Copyright enforcement remains weak."
    r"|(?:subscribe|sign up)(?: now| today| here)?(?: (?:to|for) (?:our|the|this|a|free) [\w ’'-]{0,40})?\W*"
    r"|cookies?(?: policy| settings| preferences| notice)?\W*|accept(?: all)?(?: cookies)?|all rights reserved.*|©.*"
    r"|copyright\s*(?:©|\(c\)|\d{4}).*|tags?:.*"
    r"|previous(?: post| article)?|next(?: post| article)?|click here.*|loading\W*"
    r"|(?:[\w'’.-]+ ){0,3}(?:map|photo|image|picture|chart|graphic)s?|(?:image|photo|picture|credit)s?:.*"
    r"|further image.*)$",
    re.IGNORECASE,
)
_READING_LIST = re.compile(r"^(?:further reading|related(?: .*)?|see also|read more|read next)$", re.IGNORECASE)
# A field line, `**label:** value` (a bullet before it allowed); group 1 is the label, the match ends at the value
FIELD_LINE = re.compile(r"^\s*(?:[-*+]\s+)?\*\*([^*\n]{1,80})\*\*\s*:?\s*")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S")
_KEY_VALUE = re.compile(r"^\s*[A-Za-z][\w /()-]{0,40}:\s+\S")
_TERMINAL = re.compile(r"[.!?…:;\"'”’)\]]\s*$")
_WORDISH = re.compile(r"[^\W_]{2,}")
# An unpunctuated block this long is prose (a paragraph ending in a citation or a dropped formula), not a
# caption, a byline or a link title
_PROSE_WORDS = 25


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # "heading" | "paragraph" | "item" | "junk" | "fragment"
    section: tuple[str, ...]
    level: int = 0


@dataclass(frozen=True)
class SentenceSpan:
    start: int
    end: int
    para_start: int
    para_end: int
    section: tuple[str, ...]


def _lines(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def heading_title(text: str) -> str:
    """A heading line without its Markdown hashes: "## Trade #" → "Trade"."""
    return re.sub(r"^#{1,6}\s+", "", text).strip().strip("#").strip()


def _is_guessed_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 12
        and not _TERMINAL.search(line)
        and (line[0].isupper() or line[0].isdigit())
        and not _LIST_ITEM.match(line)
    )


def _is_prose(text: str, start: int, end: int) -> bool:
    """Whether a block that does not end like a sentence is still prose: it holds a whole sentence
    before its last words ("… to the firebox. See: Mechanical stoker"), or is too long for a caption."""
    return len(split_sentences(text, start, end)) > 1 or len(text[start:end].split()) >= _PROSE_WORDS


def find_blocks(
    text: str,
    headings: Sequence[tuple[int, int, int, str]] = (),
    structured: bool = False,
    title_span: tuple[int, int] | None = None,
) -> list[Block]:
    """Split `text` into typed blocks, each with the heading path above it.

    `headings` are (level, start, end, title) spans a loader found; when a document has none and
    is not `structured`, short unpunctuated lines standing alone are taken as headings.
    `title_span` marks the document title, which is never part of a section path.
    """
    heading_at = {start: (level, end, title) for level, start, end, title in headings}
    lines = list(_lines(text))
    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    para: list[tuple[int, int]] = []
    in_reading_list = False

    def section() -> tuple[str, ...]:
        return tuple(title for _, title in stack)

    def flush() -> None:
        nonlocal in_reading_list
        if not para:
            return
        start, end = para[0][0], para[-1][1]
        para.clear()
        body = text[start:end]
        single_line = "\n" not in body
        if _JUNK.match(body.strip()) or not _WORDISH.search(body):
            if _READING_LIST.match(body.strip()):
                in_reading_list = True
            blocks.append(Block(start, end, "junk", section()))
        elif not structured and single_line and _is_guessed_heading(body) and not in_reading_list:
            level = 2
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, body.strip()))
            blocks.append(Block(start, end, "heading", section(), level))
        elif not structured and not _TERMINAL.search(body) and not _is_prose(text, start, end):
            blocks.append(Block(start, end, "fragment", section()))
        else:
            blocks.append(Block(start, end, "paragraph", section()))

    for raw_start, raw_end in lines:
        start, end = trim_span(text, raw_start, raw_end)
        if title_span is not None and title_span[0] <= start < title_span[1]:
            flush()
            blocks.append(Block(start, end, "heading", (), 1))
            continue
        if start == end:
            flush()
            continue
        if start in heading_at or raw_start in heading_at:
            flush()
            level, _, title = heading_at.get(start) or heading_at[raw_start]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading_title(title)))
            in_reading_list = bool(_READING_LIST.match(title.strip()))
            blocks.append(Block(start, end, "heading", section(), level))
            continue
        line = text[start:end]
        if FIELD_LINE.match(line) or _LIST_ITEM.match(line) or (structured and _KEY_VALUE.match(line)):
            flush()
            kind = "junk" if _JUNK.match(re.sub(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+", "", line)) else "item"
            if not structured and kind == "item" and in_reading_list:
                kind = "junk"
            blocks.append(Block(start, end, kind, section()))
            continue
        para.append((start, end))
    flush()
    return blocks


_PLAIN_LABEL = re.compile(r"([a-z][a-z -]{0,24}):\s")


def field_path_of(section: tuple[str, ...], text: str) -> str:
    """What a line is an answer to, in a document with headings: its heading, and its own label if it has
    one ("Population: total", "Executive branch: chief of state", "Capital: note"); "" for a sentence under no
    heading. `text` is the sentence's text."""
    if not section:
        return ""
    plain = _PLAIN_LABEL.match(text)
    label = line_label(text) or (plain.group(1) if plain else "")
    return f"{section[-1]}: {label}" if label else section[-1]


def line_label(sentence: str) -> str:
    """The label of a `**label:** value` line ("male" for "**male:** 81.8 years"); "" for other lines."""
    match = FIELD_LINE.match(sentence)
    return match.group(1).strip().rstrip(":").strip() if match else ""


def quotable_sentences(text: str, blocks: Sequence[Block]) -> list[SentenceSpan]:
    """The sentences of the paragraph and item blocks, with their paragraph and section."""
    spans: list[SentenceSpan] = []
    for block in blocks:
        if block.kind not in ("paragraph", "item"):
            continue
        pieces = [(block.start, block.end)] if block.kind == "item" else split_sentences(text, block.start, block.end)
        for start, end in pieces:
            if _WORDISH.search(text, start, end):
                spans.append(SentenceSpan(start, end, block.start, block.end, block.section))
    return spans
