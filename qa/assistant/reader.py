"""A reader of one index generation, pinned for the whole of a question (a point-in-time reader).

`IndexReader` holds a loaded generation and what is derived from it once: its BM25 table and vocabulary
(mapped when the generation was opened), its series, the documents that are field profiles, the scope of
an unfiltered question, and the view answering over time reads. It never changes: a newer generation is a
new reader, and a question in flight keeps the reader it started with, so its retrieval, answering,
over-time checks, scope and citations all come from one generation.

It does not search, embed or answer: `qa.assistant.retrieve` and the routes do, reading it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.answering.evidence import make_citation
from qa.answering.features import profiles_from_counts
from qa.errors import IndexMismatchError, QAError
from qa.index.lexical import Lexical
from qa.index.store import Generation
from qa.index.sync import index_fingerprint
from qa.records import Citation, Document, DocumentInfo, Filters, IndexStatus, Scope, SeriesInfo
from qa.search.retrieval import describe_scope, document_matches
from qa.settings import Settings
from qa.text.series import Series, group_series
from qa.text.vocabulary import Vocabulary


class HoldingDocuments(AbstractSet[int]):
    """The live documents holding a term, as a set read lazily: membership is a binary search in the posting of
    the document's segment, emptiness the term's document frequency; only iterating gathers them all."""

    def __init__(self, generation: Generation, lexical: Lexical, term: str) -> None:
        self._generation, self._lexical, self._term = generation, lexical, term

    def __contains__(self, doc: object) -> bool:
        if not isinstance(doc, int) or not 0 <= doc < len(self._generation.documents):
            return False
        lo, hi = self._generation.document_passages(doc)
        return self._lexical.held_within(self._term, lo, hi)

    def __bool__(self) -> bool:
        return self._lexical.holds(self._term)

    def _all(self) -> frozenset[int]:
        docs = self._generation.passage_docs  # passages_with yields live passages only: no removed document's
        return frozenset(np.unique(docs[self._lexical.passages_with(self._term)]).tolist())

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._all()))

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True, eq=False)
class IndexReader:
    """One generation and what is derived from it (each computed at most once, on first use)."""

    generation: Generation

    @property
    def name(self) -> str:
        return self.generation.name

    @property
    def version(self) -> str:
        """What an answer records of the index it came from: the generation and when it was built."""
        return f"{self.generation.name} ({self.generation.manifest.get('created_at', '')})"

    @property
    def lexical(self) -> Lexical:
        return self.generation.lexical

    @property
    def vocabulary(self) -> Vocabulary:
        return self.generation.vocabulary

    @property
    def infos(self) -> Sequence[DocumentInfo]:
        return self.generation.documents.info

    @cached_property
    def series(self) -> list[Series]:
        """The generation's series of dated briefings (`qa.text.series`), a briefing alone a series of one."""
        return group_series([(d.doc_id, d.title, d.date, d.series) for d in self.infos])

    @cached_property
    def series_by_doc(self) -> dict[str, Series]:
        return {m.doc_id: s for s in self.series for m in s.members}

    @cached_property
    def profiles(self) -> frozenset[int]:
        """The documents that are field profiles (from the counts stored when the generation was written)."""
        return profiles_from_counts(self.infos)

    def term_documents(self, terms: Iterable[str]) -> dict[str, AbstractSet[int]]:
        """The documents holding each term (an empty set: no briefing uses it), from the BM25 postings: each asked
        of one document at a time (`HoldingDocuments`), so a common term's long posting is never gathered."""
        return {t: HoldingDocuments(self.generation, self.lexical, t) for t in dict.fromkeys(terms)}

    @cached_property
    def whole_scope(self) -> Scope:
        return describe_scope(self.infos, Filters())

    def scope(self, filters: Filters) -> Scope:
        """What a question under `filters` searches (the whole index counted once per reader)."""
        return self.whole_scope if filters.is_empty() else describe_scope(self.infos, filters)

    def in_scope(self, doc_id: str, filters: Filters) -> bool:
        index = self.generation.doc_by_id.get(doc_id)
        return index is not None and document_matches(self.infos[index], filters)

    def series_infos(self) -> list[SeriesInfo]:
        infos = {d.doc_id: d for d in self.infos}
        return [SeriesInfo(name=g.name, members=tuple(infos[m.doc_id] for m in g.members)) for g in self.series]

    # --- the corpus, as the shells show it ------------------------------------------------------------------

    def document_or_error(self, doc_id: str) -> Document:
        index = self.generation.doc_by_id.get(doc_id)
        if index is None:
            raise QAError(f"No document '{doc_id}' in the index.")
        return self.generation.documents[index]

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The extracted text of each of `doc_ids` this generation holds (others are left out)."""
        by_id, documents = self.generation.doc_by_id, self.generation.documents
        return {d: documents[by_id[d]].text for d in doc_ids if d in by_id}

    def newest(self, count: int) -> list[Document]:
        """The `count` most recently dated documents, with their text."""
        order = sorted(range(len(self.infos)), key=lambda i: self.infos[i].date or "", reverse=True)
        return [self.generation.documents[i] for i in order[:count]]

    def status(self) -> IndexStatus:
        generation = self.generation
        counts = generation.manifest.get("counts", {})
        return IndexStatus(
            generation=generation.name,
            built_at=str(generation.manifest.get("created_at", "")),
            model=str(generation.manifest.get("model", "")),
            documents=len(generation.documents),
            passages=int(counts.get("passages", len(generation.passages))),
            sentences=int(counts.get("sentences", len(generation.sentences))),
        )

    # --- the view answering over time and the diffs read (`TimeView`, `SentenceSource`) --------------------

    def series_of(self, doc_id: str) -> Series | None:
        return self.series_by_doc.get(doc_id)

    def document(self, doc_id: str) -> Document:
        return self.generation.documents[self.generation.doc_by_id[doc_id]]

    def info(self, doc_id: str) -> DocumentInfo:
        return self.infos[self.generation.doc_by_id[doc_id]]

    def spans(self, doc_id: str) -> list[tuple[int, int]]:
        sentences = self.generation.sentences
        return [
            (sentences[i].start, sentences[i].end) for i in sentences.of_document(self.generation.doc_by_id[doc_id])
        ]

    def kin(self, doc_id: str, span: tuple[int, int], other: str) -> tuple[int, int] | None:
        """In `other`, the span of the sentence nearest in meaning to the sentence at `span` of `doc_id` (the
        highest cosine of the stored sentence vectors); None when either has no such sentence."""
        sentences, by_id = self.generation.sentences, self.generation.doc_by_id
        if doc_id not in by_id or other not in by_id:
            return None
        own = [i for i in sentences.of_document(by_id[doc_id]) if (sentences[i].start, sentences[i].end) == span]
        theirs = list(sentences.of_document(by_id[other]))
        if not own or not theirs:
            return None
        vectors = self.generation.sentence_vectors
        cosines = [float(np.dot(vectors[own[0]], vectors[i])) for i in theirs]
        best = theirs[int(np.argmax(cosines))]
        return sentences[best].start, sentences[best].end

    def citation(self, n: int, doc_id: str, start: int, end: int) -> Citation:
        """Citation `n` of the sentence of `doc_id` at exactly `start`–`end` (no score: it ranks nothing)."""
        sentences = self.generation.sentences
        for sid in sentences.of_document(self.generation.doc_by_id[doc_id]):
            if (sentences[sid].start, sentences[sid].end) == (start, end):
                return make_citation(self.generation, n, sid, 0.0)
        raise ValueError(f"no sentence of {doc_id} at {start}–{end}")


def check_compatible(generation: Generation, model_id: str, settings: Settings, index_dir: Path) -> None:
    """Refuse a generation built with another model or chunking configuration than `settings`, naming the fix."""
    built_with = generation.manifest.get("model")
    rebuild = f"Rebuild it with `qa index CORPUS_DIR --index {index_dir} --rebuild`"
    if built_with != model_id:
        raise IndexMismatchError(
            f"The index in '{index_dir}' was built with the model '{built_with}', but the configured "
            f"model is '{model_id}'. {rebuild}, or set QA_MODEL={built_with}."
        )
    expected = index_fingerprint(settings, model_id)
    recorded = generation.manifest.get("settings") or {}
    differing = sorted(k for k in expected if recorded.get(k) != expected[k])
    if differing:
        details = ", ".join(f"{k} {recorded.get(k)!r} (now {expected[k]!r})" for k in differing)
        raise IndexMismatchError(
            f"The index in '{index_dir}' was built with other chunking settings: {details}. {rebuild}."
        )
