"""Group a document's quotable sentences into passages that fit the embedding model.

A passage never cuts a sentence and never crosses a top-level section; in a structured document it
does not cut a field (a sub-section's lines) that would fit in a passage of its own, and starts a new
passage at a field too long for one, so a field's first lines follow its heading. Its searchable text
starts with the document title and section path, and names each sub-section (a Factbook field
such as "Population") before the sentences under it, so that "population of Mexico" finds
`**total:** 130,739,927` in the Mexico profile. Pure: no model, no index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.records import Document, Passage, Sentence
from qa.text.documents import find_title
from qa.text.structure import SentenceSpan, find_blocks, quotable_sentences

# Bump when sentence splitting, structure or chunking changes what goes into an index: indexes
# built by another version are rebuilt instead of reused.
CHUNKING_VERSION = 6

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_MARKUP = re.compile(r"\*\*|__|^\s*[-*+•]\s+", re.MULTILINE)


def estimate_pieces(text: str) -> int:
    """A cautious estimate of the model's word pieces for `text` (it reads at most 256)."""
    total = 0
    for token in _TOKEN.findall(text):
        if token.isdigit():
            total += 1 + (len(token) - 1) // 2
        elif token.isalpha():
            total += 1 + (len(token) - 1) // 6 + (0 if token.isascii() else 1)
        else:
            total += 1
    return total


def searchable(text: str) -> str:
    """Sentence text as embedded and searched: Markdown emphasis and bullets dropped."""
    return _MARKUP.sub("", text).strip()


def sentence_embed_text(document: Document, sentence: Sentence) -> str:
    """What a sentence's vector encodes: its text, led by its field name in structured documents."""
    text = searchable(document.text[sentence.start : sentence.end])
    if document.structured and sentence.section:
        return f"{sentence.section[-1]}: {text}"
    return text


@dataclass(frozen=True)
class Chunked:
    sentences: list[Sentence]
    passages: list[Passage]


def _header(document: Document, section: Sequence[str]) -> str:
    path = " > ".join(section)
    return f"{document.title}\n{path}\n" if path else f"{document.title}\n"


def _size(text: str, section: tuple[str, ...]) -> tuple[int, int]:
    """A sentence's words, and its word pieces in a passage (with its separator and field label)."""
    return len(text.split()), estimate_pieces(text) + 2 + (estimate_pieces(section[-1]) if section else 0)


def _field_sizes(spans: Sequence[SentenceSpan], sizes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """For the first sentence of each field (a run of sentences under one sub-section), the words and
    pieces of the whole field; (0, 0) for the others."""
    out = [(0, 0)] * len(spans)
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1].section == spans[i].section:
            j += 1
        out[i] = (sum(w for w, _ in sizes[i : j + 1]), sum(p for _, p in sizes[i : j + 1]))
        i = j + 1
    return out


def chunk_document(
    document: Document,
    doc_index: int,
    max_words: int,
    max_pieces: int,
    first_sid: int = 0,
    first_pid: int = 0,
    paragraph_min_words: int = 0,
) -> Chunked:
    """Sentences and passages of one document; ids continue from `first_sid` / `first_pid`.

    With `paragraph_min_words` > 0, prose (not structured documents) starts a new passage at each
    paragraph once the current passage holds that many words, so passages follow paragraphs.
    """
    _, title_span = find_title(document.text, document.headings, document.structured, document.title)
    if (
        title_span is not None
        and not document.text[: title_span[0]].strip()
        and not document.text[title_span[1] :].strip()
    ):
        title_span = None  # a one-line briefing: its line is its title and its text too, still quotable
    headings = [(h.level, h.start, h.end, h.title) for h in document.headings]
    blocks = find_blocks(document.text, headings, document.structured, title_span)
    spans = quotable_sentences(document.text, blocks)

    sentences: list[Sentence] = []
    passages: list[Passage] = []
    group: list[int] = []  # indexes into `spans`

    def key(section: tuple[str, ...]) -> tuple[str, ...]:
        return section[:1] if document.structured else section

    def emit() -> None:
        if not group:
            return
        pid = first_pid + len(passages)
        first = spans[group[0]]
        body: list[str] = []
        current: tuple[str, ...] = key(first.section)
        for i in group:
            span = spans[i]
            label = ""
            if span.section != current:
                current = span.section
                label = f"{span.section[-1]}: " if span.section else ""
            body.append(label + searchable(document.text[span.start : span.end]))
        sid0 = first_sid + group[0]
        passages.append(
            Passage(
                pid=pid,
                doc=doc_index,
                start=first.start,
                end=spans[group[-1]].end,
                first_sentence=sid0,
                last_sentence=first_sid + group[-1],
                section=key(first.section),
                text=_header(document, key(first.section)) + "\n".join(body),
            )
        )
        for i in group:
            span = spans[i]
            sentences.append(
                Sentence(
                    sid=first_sid + i,
                    doc=doc_index,
                    start=span.start,
                    end=span.end,
                    para_start=span.para_start,
                    para_end=span.para_end,
                    section=span.section,
                    passage=pid,
                )
            )
        group.clear()

    sizes = [_size(document.text[s.start : s.end], s.section) for s in spans]
    fields = _field_sizes(spans, sizes) if document.structured else [(0, 0)] * len(spans)
    words = pieces = 0
    for i, span in enumerate(spans):
        w, p = sizes[i]
        field_w, field_p = fields[i]
        new_paragraph = bool(group) and span.para_start != spans[group[-1]].para_start
        aligned = paragraph_min_words > 0 and not document.structured and new_paragraph and words >= paragraph_min_words
        header = estimate_pieces(_header(document, key(span.section)))
        # a field that fits in a passage of its own is not cut: it starts a new passage instead; one
        # too long for any passage starts a new one too, so that its first lines follow its heading
        keep_field = field_w <= max_words and header + field_p <= max_pieces
        if group and (
            key(spans[group[0]].section) != key(span.section)
            or words + w > max_words
            or pieces + p > max_pieces
            or aligned
            or (field_w > 0 and (not keep_field or words + field_w > max_words or pieces + field_p > max_pieces))
        ):
            emit()
        if not group:
            words = 0
            pieces = header
        group.append(i)
        words += w
        pieces += p
    emit()
    return Chunked(sentences, passages)
