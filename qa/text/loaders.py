"""Turn a briefing file into plain text plus the structure its format shows (headings, pages).

Supported: .txt, .md/.markdown, .html/.htm, .pdf, .docx. Every loader is bounded (bytes,
characters, pages, zip entries) and raises `UnreadableFileError` with a reason instead of guessing.
This module does not split sentences, find titles or dates, or chunk: see `documents` and `chunking`.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from qa.records import Extracted, Section

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_CHARS = 5_000_000
MAX_PDF_PAGES = 2000
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UnreadableFileError(Exception):
    """The file cannot be turned into text; the message says why."""


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes) -> str:
    """BOM first, then strict UTF-8, then a detector; no answer means binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(f"bad {encoding} text after a byte-order mark: {exc}") from exc
    wide = _utf16_without_bom(data)
    if wide is not None:
        return wide
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect(data)
    if "\x00" in text:
        raise UnreadableFileError("looks binary (NUL characters), not text")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark, told by its zero bytes: Latin-script text in UTF-16LE has a
    zero in (nearly) every odd byte and none in the even ones (UTF-16BE the other way round); else None."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.01 * len(other):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return text if "\x00" not in text else None
    return None


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFileError("looks binary: no text encoding fits")
    return str(best)


def _check_size(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise UnreadableFileError(f"too long: {len(text):,} characters (limit {MAX_CHARS:,})")
    return text


def load_text(data: bytes) -> Extracted:
    return Extracted(text=_check_size(normalise_newlines(decode_bytes(data))))


def load_markdown(data: bytes) -> Extracted:
    text = _check_size(normalise_newlines(decode_bytes(data)))
    headings = tuple(
        Section(level=len(m.group(1)), start=m.start(), end=m.end(), title=m.group(2).strip())
        for m in _MD_HEADING.finditer(text)
    )
    return Extracted(text=text, headings=headings, structured=True)


_DROP_TAGS = ("script", "style", "template", "noscript", "iframe", "object", "svg", "head", "nav", "footer")
_BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "section", "article", "header", "aside",
    "blockquote", "pre", "br", "dd", "dt", "figcaption", "main", "h1", "h2", "h3", "h4", "h5", "h6",
)  # fmt: skip
_MARK = "\u0000H{}\u0000"
_MARK_RE = re.compile("\u0000H([1-6])\u0000")


class _HtmlText(HTMLParser):
    """The text of an HTML page in one pass: block tags become paragraph breaks, headings carry a level mark, and
    what a reader never sees (scripts, styles, navigation) is left out. Linear in the page's size, however deep
    its nesting: no tree is built, so 100,000 nested `<div>`s cost what 100,000 siblings do."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []  # the drop tags open around the current text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_TAGS:
            self.hidden.append(tag)
        elif tag in _BLOCK_TAGS and not self.hidden:
            heading = len(tag) == 2 and tag[0] == "h" and tag[1].isdigit()
            self.parts.append("\n\n" + (_MARK.format(tag[1]) if heading else ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS and not self.hidden:  # `<br/>`; a self-closed drop tag hides nothing
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            if tag in self.hidden:  # close it, and any drop tag left open inside it
                del self.hidden[len(self.hidden) - 1 - self.hidden[::-1].index(tag) :]
        elif tag in _BLOCK_TAGS and not self.hidden:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def load_html(data: bytes) -> Extracted:
    parser = _HtmlText()
    parser.feed(decode_bytes(data))
    parser.close()
    return _assemble_blocks(_blocks_with_marks("".join(parser.parts)))


def _blocks_with_marks(raw: str) -> list[tuple[int, str]]:
    """Collapse whitespace; return (heading level or 0, block text) pairs."""
    blocks: list[tuple[int, str]] = []
    for chunk in re.split(r"\n\s*\n", raw.replace("\r", "\n")):
        level = 0
        mark = _MARK_RE.search(chunk)
        if mark:
            level = int(mark.group(1))
            chunk = _MARK_RE.sub("", chunk)
        chunk = chunk.replace("\x00", "")
        lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in chunk.split("\n")]
        text = " ".join(line for line in lines if line) if level else "\n".join(line for line in lines if line)
        if text:
            blocks.append((level, text))
    return blocks


def _assemble_blocks(blocks: list[tuple[int, str]], pages: tuple[int, ...] = ()) -> Extracted:
    parts: list[str] = []
    headings: list[Section] = []
    pos = 0
    for level, text in blocks:
        if parts:
            parts.append("\n\n")
            pos += 2
        if level:
            headings.append(Section(level=level, start=pos, end=pos + len(text), title=text))
        parts.append(text)
        pos += len(text)
    text = _check_size("".join(parts))
    return Extracted(text=text, headings=tuple(headings), pages=pages, structured=bool(headings))


def load_pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFileError("encrypted PDF: a password is needed")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnreadableFileError(f"too many pages: {len(reader.pages)} (limit {MAX_PDF_PAGES})")
        parts: list[str] = []
        pages: list[int] = []
        pos = 0
        for page in reader.pages:
            page_text = normalise_newlines(page.extract_text() or "").strip()
            if parts:
                parts.append("\n\n")
                pos += 2
            pages.append(pos)
            parts.append(page_text)
            pos += len(page_text)
            if pos > MAX_CHARS:
                raise UnreadableFileError(f"too long: over {MAX_CHARS:,} characters")
    except UnreadableFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
        raise UnreadableFileError(f"broken PDF: {exc}") from exc
    text = "".join(parts)
    if not text.strip():
        raise UnreadableFileError("the PDF has no extractable text (scanned images need OCR first)")
    return Extracted(text=text, pages=tuple(pages))


def check_zip(data: bytes) -> None:
    """Refuse zip bombs before a DOCX parser unpacks anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(f"not a valid DOCX (zip) file: {exc}") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UnreadableFileError(f"DOCX has too many parts: {len(infos)}")
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > MAX_ZIP_UNPACKED or unpacked / packed > MAX_ZIP_RATIO:
        raise UnreadableFileError("DOCX unpacks to too much data (possible zip bomb)")


def load_docx(data: bytes) -> Extracted:
    check_zip(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken parts
        raise UnreadableFileError(f"broken DOCX: {exc}") from exc
    blocks: list[tuple[int, str]] = []
    for paragraph in document.paragraphs:
        text = re.sub(r"[ \t\u00a0]+", " ", paragraph.text).strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = 0
        if style == "Title":
            level = 1
        elif style.startswith("Heading"):
            digits = style.removeprefix("Heading").strip()
            level = min(6, int(digits)) if digits.isdigit() else 2
        blocks.append((level, text))
    return _assemble_blocks(blocks)


LOADERS: dict[str, Callable[[bytes], Extracted]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def extract(path: Path, data: bytes) -> Extracted:
    """Pick the loader by file suffix; raise UnreadableFileError with a reason on failure."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnreadableFileError(f"unsupported file type '{path.suffix or '(none)'}'")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFileError(f"too large: {len(data):,} bytes (limit {MAX_FILE_BYTES:,})")
    if not data.strip():
        raise UnreadableFileError("empty file")
    extracted = loader(data)
    if not extracted.text.strip():
        raise UnreadableFileError("no text in the file")
    return extracted
