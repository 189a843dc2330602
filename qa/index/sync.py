"""Sync a corpus folder into a new index generation, embedding only new or changed files.

Files are matched to the current generation by relative path and sha256 of their bytes:
unchanged documents keep their passages, sentences and vectors; new and changed ones are
extracted, chunked and embedded; files gone from the folder leave the index. A file that cannot
be read is skipped and reported with its reason; it never aborts the run. The new generation is
written atomically (see `qa.index.store`), so a crash leaves the previous one served.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import CorpusError, IndexCorruptError, IndexFormatError, IndexNotFoundError
from qa.index.corpus import list_corpus, safe_name
from qa.index.embedding import Embedder
from qa.index.reading import BoundedReader
from qa.index.store import (
    Generation,
    current_name,
    load_generation,
    prune,
    upgrade_version_2,
    write_generation,
    writer_lock,
)
from qa.records import Document, Passage, Sentence
from qa.settings import Settings
from qa.text.chunking import CHUNKING_VERSION, chunk_document, sentence_embed_text
from qa.text.documents import content_hash
from qa.text.loaders import SUPPORTED_SUFFIXES, UnreadableFileError


@dataclass
class IndexReport:
    corpus: str
    index: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generation: str | None = None
    documents: int = 0
    passages: int = 0
    sentences: int = 0
    embedded: int = 0
    embedded_sentences: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        lines = [f"Indexed '{self.corpus}' into '{self.index}' in {self.seconds:.1f} s."]
        for label, names in (("added", self.added), ("updated", self.updated), ("removed", self.removed)):
            shown = [safe_name(n) for n in names[:8]]
            lines.append(f"  {label:9} {len(names):4}" + (f"  {', '.join(shown)}" if names else ""))
            if len(names) > 8:
                lines[-1] += f", … ({len(names) - 8} more)"
        lines.append(f"  {'unchanged':9} {len(self.unchanged):4}")
        lines.append(f"  {'skipped':9} {len(self.skipped):4}")
        lines.extend(f"    - {safe_name(name)}: {reason}" for name, reason in self.skipped)
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.generation:
            lines.append(
                f"Generation {self.generation}: {self.documents} documents, {self.passages} passages, "
                f"{self.sentences} sentences ({self.embedded} passages and {self.embedded_sentences} sentences embedded this run)."
            )
        else:
            lines.append(f"Index is up to date: {self.documents} documents, {self.passages} passages.")
        return "\n".join(lines)


@dataclass
class _Part:
    document: Document
    passages: list[Passage]
    sentences: list[Sentence]
    vectors: np.ndarray | None  # passage vectors; None: still to embed
    sentence_vectors: np.ndarray | None = None


def _previous(
    index_dir: Path, embedder: Embedder, settings: Settings, rebuild: bool, report: IndexReport
) -> tuple[Generation | None, bool]:
    """The current generation (if readable) and whether its passages and vectors can be reused."""
    if current_name(index_dir) is None:
        return None, False
    try:
        generation = load_generation(index_dir)
    except IndexNotFoundError:
        return None, False
    except IndexFormatError:
        try:
            upgraded = upgrade_version_2(index_dir)
        except (IndexCorruptError, OSError, ValueError) as exc:
            report.notes.append(f"the index of an older format could not be upgraded ({exc}); rebuilding everything")
            return None, False
        if upgraded is None:
            report.notes.append("the index was written by another version of this program; rebuilding everything")
            return None, False
        report.notes.append(f"the index was upgraded to the current format as {upgraded} (nothing embedded again)")
        generation = load_generation(index_dir)
    except IndexCorruptError as exc:
        report.notes.append(f"the current index could not be reused ({exc}); rebuilding everything")
        return None, False
    fingerprint = index_fingerprint(settings, embedder.model_id)
    if rebuild:
        report.notes.append("--rebuild: every file is embedded again")
        return generation, False
    if generation.manifest.get("settings") != fingerprint:
        report.notes.append("model or chunking settings changed since the last build; rebuilding everything")
        return generation, False
    return generation, True


def _reused_parts(generation: Generation) -> dict[str, _Part]:
    vectors = generation.vectors()
    by_doc: dict[int, _Part] = {i: _Part(doc, [], [], None) for i, doc in enumerate(generation.documents)}
    rows: dict[int, list[int]] = {i: [] for i in by_doc}
    sentence_rows: dict[int, list[int]] = {i: [] for i in by_doc}
    for passage in generation.passages:
        by_doc[passage.doc].passages.append(passage)
        rows[passage.doc].append(passage.pid)
    for sentence in generation.sentences:
        by_doc[sentence.doc].sentences.append(sentence)
        sentence_rows[sentence.doc].append(sentence.sid)
    for i, part in by_doc.items():
        part.vectors = vectors[rows[i]]
        part.sentence_vectors = generation.sentence_vectors[sentence_rows[i]]
    return {part.document.doc_id: part for part in by_doc.values()}


def _renumber(part: _Part, doc: int, sid0: int, pid0: int) -> tuple[list[Passage], list[Sentence]]:
    old_sid0 = min((s.sid for s in part.sentences), default=0)
    old_pid0 = min((p.pid for p in part.passages), default=0)
    passages = [
        p.model_copy(
            update={
                "pid": p.pid - old_pid0 + pid0,
                "doc": doc,
                "first_sentence": p.first_sentence - old_sid0 + sid0,
                "last_sentence": p.last_sentence - old_sid0 + sid0,
            }
        )
        for p in part.passages
    ]
    sentences = [
        s.model_copy(update={"sid": s.sid - old_sid0 + sid0, "doc": doc, "passage": s.passage - old_pid0 + pid0})
        for s in part.sentences
    ]
    return passages, sentences


def index_fingerprint(settings: Settings, model_id: str) -> dict[str, Any]:
    """What an index records of how it was built: a generation built otherwise is not reused or opened."""
    return {
        "chunking_version": CHUNKING_VERSION,
        "model": model_id,
        "passage_max_words": settings.passage_max_words,
        "passage_max_pieces": settings.passage_max_pieces,
        "passage_paragraph_words": settings.passage_paragraph_words,
    }


Step = Callable[[str, int, int], None]  # (what is being done, how many done, of how many)
_STEP_TEXTS = 256  # texts embedded between two progress reports


def _embed(embedder: Embedder, texts: list[str], progress: bool, step: Step | None = None, what: str = "") -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dimension), np.float32)
    if step is None:
        return embedder.embed(texts, progress=progress)
    parts = []
    for lo in range(0, len(texts), _STEP_TEXTS):
        step(what, lo, len(texts))
        parts.append(embedder.embed(texts[lo : lo + _STEP_TEXTS], progress=progress))
    step(what, len(texts), len(texts))
    return np.concatenate(parts)


def sync_index(
    corpus: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings | None = None,
    rebuild: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
    step: Step | None = None,
) -> IndexReport:
    """Bring the index in `index_dir` in line with the files in `corpus`. `step` (what, done, total) hears of the
    reading and embedding as they go (the web page's progress bar)."""
    settings = settings or Settings()
    started = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.is_dir():
        raise CorpusError(f"Corpus folder '{corpus}' does not exist. Create it and put briefings in it.")
    report = IndexReport(corpus=str(corpus), index=str(index_dir))
    files, report.skipped = list_corpus(corpus)
    with writer_lock(index_dir), BoundedReader(settings.read_seconds) as reader:
        previous, reusable = _previous(index_dir, embedder, settings, rebuild, report)
        old = _reused_parts(previous) if previous is not None and reusable else {}
        before = {d.doc_id for d in previous.documents} if previous is not None else set()
        parts: list[_Part] = []
        for done, path in enumerate(files):
            if step is not None:
                step("Reading briefings", done, len(files))
            doc_id = path.relative_to(corpus).as_posix()
            try:
                size = path.stat().st_size
                if size > reader.max_bytes:
                    report.skipped.append((doc_id, f"too large: {size:,} bytes (limit {reader.max_bytes:,})"))
                    continue
                data = path.read_bytes()
            except OSError as exc:
                report.skipped.append((doc_id, f"cannot read: {exc.strerror or exc}"))
                continue
            known = old.get(doc_id)
            if known is not None and known.document.sha256 == content_hash(data):
                parts.append(known)
                report.unchanged.append(doc_id)
                continue
            try:
                document = reader.read(corpus, path)
            except (UnreadableFileError, OSError) as exc:
                report.skipped.append((doc_id, str(exc)))
                continue
            chunked = chunk_document(
                document,
                0,
                settings.passage_max_words,
                settings.passage_max_pieces,
                paragraph_min_words=settings.passage_paragraph_words,
            )
            if not chunked.sentences:
                report.skipped.append((doc_id, "no quotable sentences found"))
                continue
            parts.append(_Part(document, chunked.passages, chunked.sentences, None))
            (report.updated if doc_id in before else report.added).append(doc_id)
        kept = {part.document.doc_id for part in parts}
        report.removed = sorted(before - kept)
        report.skipped.sort()
        if not parts and previous is None:
            reasons = "; ".join(f"{name}: {why}" for name, why in report.skipped[:5])
            raise CorpusError(
                f"No readable briefings in '{corpus}'"
                + (f" ({reasons})" if reasons else " (the folder is empty)")
                + f". Supported types: {', '.join(SUPPORTED_SUFFIXES)}."
            )
        if previous is not None and reusable and not report.changed:
            prune(index_dir, grace_seconds=0.0)  # the lock is ours: any temporary folder is a killed run's
            report.documents, report.passages = len(previous.documents), len(previous.passages)
            report.sentences = len(previous.sentences)
            report.seconds = time.perf_counter() - started
            return report

        pending = [part for part in parts if part.vectors is None]
        texts = [p.text for part in pending for p in part.passages]
        sentence_texts = [sentence_embed_text(part.document, s) for part in pending for s in part.sentences]
        log(f"Embedding {len(texts)} passages and {len(sentence_texts)} sentences from {len(pending)} documents…")
        fresh = _embed(embedder, texts, progress, step, "Embedding passages")
        fresh_sentences = _embed(embedder, sentence_texts, progress, step, "Embedding sentences")
        offset = sentence_offset = 0
        for part in pending:
            part.vectors = fresh[offset : offset + len(part.passages)]
            part.sentence_vectors = fresh_sentences[sentence_offset : sentence_offset + len(part.sentences)]
            offset += len(part.passages)
            sentence_offset += len(part.sentences)
        report.embedded = len(texts)
        report.embedded_sentences = len(sentence_texts)

        documents: list[Document] = []
        passages: list[Passage] = []
        sentences: list[Sentence] = []
        vectors: list[np.ndarray] = []
        sentence_vectors: list[np.ndarray] = []
        for doc_index, part in enumerate(parts):
            ps, ss = _renumber(part, doc_index, len(sentences), len(passages))
            documents.append(part.document)
            passages.extend(ps)
            sentences.extend(ss)
            assert part.vectors is not None and part.sentence_vectors is not None
            vectors.append(part.vectors)
            sentence_vectors.append(part.sentence_vectors)
        empty = np.zeros((0, embedder.dimension), np.float32)
        matrix = np.vstack(vectors) if vectors else empty
        sentence_matrix = np.vstack(sentence_vectors) if sentence_vectors else empty
        fingerprint = index_fingerprint(settings, embedder.model_id)
        report.generation = write_generation(
            index_dir,
            documents,
            passages,
            sentences,
            matrix,
            sentence_matrix,
            embedder.model_id,
            fingerprint,
            embedder.dimension,
            str(corpus.resolve()),
        )
        report.documents, report.passages, report.sentences = len(documents), len(passages), len(sentences)
        report.seconds = time.perf_counter() - started
        return report
