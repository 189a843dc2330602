"""Sync a corpus folder into a new index commit, writing only what changed.

Files are matched to the current commit by relative path and sha256 of their bytes: unchanged
documents stay where they are, in their segments, untouched; new and changed ones are extracted,
chunked, embedded and written as new segments (`segment_passages` at most each, so a build of any
size holds one segment's records in memory at a time); changed and vanished files' old documents are
marked removed. Small segments, and those mostly removed, are then merged into one without embedding
anything again. A file that cannot be read is skipped and reported with its reason; it never aborts
the run. The commit is written atomically (see `qa.index.store`), so a crash leaves the previous one
served.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import CorpusError, IndexCorruptError, IndexFormatError, IndexNotFoundError
from qa.index.corpus import list_corpus, safe_name
from qa.index.embedding import Embedder
from qa.index.reading import BoundedReader
from qa.index.segment import Part, Segment, open_segment
from qa.index.store import (
    SEGMENTS,
    Generation,
    current_name,
    load_generation,
    new_segment,
    prune,
    read_manifest,
    read_words,
    upgrade_older,
    write_commit,
    writer_lock,
)
from qa.index.words import PieceIds
from qa.settings import Settings
from qa.text.chunking import CHUNKING_VERSION, chunk_document, searchable, sentence_embed_text
from qa.text.documents import content_hash
from qa.text.loaders import SUPPORTED_SUFFIXES, UnreadableFileError
from qa.text.structure import field_path_of
from qa.text.vocabulary import WordCounts

SEGMENT_PASSAGES = 100_000  # a segment holds at most about this many passages (a build's memory bound)
MERGE_SMALL = 4  # this many small segments (under a tenth of the bound) are merged into one
MERGE_REMOVED = 0.5  # a segment with over this share of its passages removed is rewritten without them


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
    embedded_fields: int = 0  # field paths ("Population: total") of the new lines embedded (each once per worker)
    segments_written: int = 0
    segments_merged: int = 0
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
                f"{self.sentences} sentences ({self.embedded} passages and {self.embedded_sentences} sentences embedded this run; "
                f"{self.segments_written} segment(s) written, {self.segments_merged} merged)."
            )
        else:
            lines.append(f"Index is up to date: {self.documents} documents, {self.passages} passages.")
        return "\n".join(lines)


def _previous(
    index_dir: Path, model_id: str, settings: Settings, rebuild: bool, report: IndexReport
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
            upgraded = upgrade_older(index_dir)
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
    fingerprint = index_fingerprint(settings, model_id)
    if rebuild:
        report.notes.append("--rebuild: every file is embedded again")
        return generation, False
    if generation.manifest.get("settings") != fingerprint:
        report.notes.append("model or chunking settings changed since the last build; rebuilding everything")
        return generation, False
    return generation, True


def index_fingerprint(settings: Settings, model_id: str) -> dict[str, Any]:
    """What an index records of how it was built: a generation built otherwise is not reused or opened."""
    return {
        "chunking_version": CHUNKING_VERSION,
        "model": model_id,
        "passage_max_words": settings.passage_max_words,
        "passage_max_pieces": settings.passage_max_pieces,
        "passage_paragraph_words": settings.passage_paragraph_words,
        # recorded only when not the first way, so indexes written before the choice existed stay valid
        **({"sentence_vectors": settings.sentence_vectors} if settings.sentence_vectors != "separate" else {}),
    }


Step = Callable[[str, int, int], None]  # (what is being done, how many done, of how many)
_STEP_TEXTS = 256  # texts embedded between two progress reports


def _embed(
    embedder: Embedder, texts: list[str], progress: bool, step: Step | None = None, what: str = ""
) -> np.ndarray:
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


def sentence_spans(part: Part) -> list[list[tuple[int, int]]]:
    """Where each sentence's embedded words sit in its passage's text (found in order; (0, 0) if not found)."""
    text = part.document.text
    out: list[list[tuple[int, int]]] = []
    for passage in part.passages:
        cursor, own = 0, []
        for sid in range(passage.first_sentence, passage.last_sentence + 1):
            s = part.sentences[sid]
            wanted = searchable(text[s.start : s.end])
            at = passage.text.find(wanted, cursor) if wanted else -1
            own.append((at, at + len(wanted)) if at >= 0 else (0, 0))
            cursor = at + len(wanted) if at >= 0 else cursor
        out.append(own)
    return out


def _embed_pooled(
    embedder: Embedder, parts: Sequence[Part], progress: bool, step: Step | None
) -> tuple[np.ndarray, np.ndarray]:
    """Passage vectors and, from the same forward passes, sentence vectors pooled over each sentence's span; a
    sentence cut off by the model's length limit is embedded on its own."""
    texts = [p.text for part in parts for p in part.passages]
    spans = [own for part in parts for own in sentence_spans(part)]
    vectors_parts: list[np.ndarray] = []
    pooled: list[list[np.ndarray | None]] = []
    for lo in range(0, len(texts), _STEP_TEXTS):
        if step is not None:
            step("Embedding passages and sentences", lo, len(texts))
        batch_vectors, batch_pooled = embedder.embed_with_spans(
            texts[lo : lo + _STEP_TEXTS], spans[lo : lo + _STEP_TEXTS], progress
        )
        vectors_parts.append(batch_vectors)
        pooled += batch_pooled
    if step is not None:
        step("Embedding passages and sentences", len(texts), len(texts))
    vectors = np.concatenate(vectors_parts) if vectors_parts else np.zeros((0, embedder.dimension), np.float32)
    flat = [v for own in pooled for v in own]  # passages in order, sentences in order within each: sentence order
    order = [(part, s) for part in parts for s in part.sentences]
    if len(flat) != len(order):
        raise ValueError(f"{len(flat)} pooled vectors for {len(order)} sentences")
    missing = [i for i, v in enumerate(flat) if v is None]
    sentence_vectors = np.zeros((len(order), embedder.dimension), np.float32)
    for i, v in enumerate(flat):
        if v is not None:
            sentence_vectors[i] = v
    if missing:
        again = embedder.embed([sentence_embed_text(order[i][0].document, order[i][1]) for i in missing])
        sentence_vectors[missing] = again
    return vectors, sentence_vectors


@dataclass
class _Writer:
    """Collects new documents and writes them as segments of at most `limit` passages, embedding each batch."""

    index_dir: Path
    embedder: Embedder
    limit: int
    report: IndexReport
    progress: bool
    log: Callable[[str], None]
    step: Step | None
    words: WordCounts
    pooled: bool = False
    pending: list[Part] = field(default_factory=list)
    written: list[dict[str, Any]] = field(default_factory=list)
    known_fields: dict[str, np.ndarray] = field(default_factory=dict)  # field paths embedded by this run

    def add(self, part: Part) -> None:
        self.pending.append(part)
        if sum(len(p.passages) for p in self.pending) >= self.limit:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        parts, self.pending = self.pending, []
        made = make_segment(
            self.index_dir,
            None,
            parts,
            self.embedder,
            self.pooled,
            self.progress,
            self.log,
            self.step,
            self.known_fields,
        )
        self.written.append(made.segment)
        self.words.add(made.words)
        self.report.embedded += made.passages
        self.report.embedded_sentences += made.sentences
        self.report.embedded_fields += made.fields
        self.report.segments_written += 1


@dataclass(frozen=True)
class Made:
    """A segment written from new documents: what a commit records of it, their words, what was embedded."""

    segment: dict[str, Any]
    words: WordCounts
    passages: int
    sentences: int
    fields: int


def make_segment(
    index_dir: Path,
    name: str | None,
    parts: Sequence[Part],
    embedder: Embedder,
    pooled: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
    step: Step | None = None,
    known_fields: MutableMapping[str, np.ndarray] | None = None,
) -> Made:
    """Embed `parts` (passages, sentences, field paths) and write them as one segment of `index_dir` (named
    `name`, else the next free number): the one way a segment is made, by `sync_index` and by a worker of
    `qa.index.distributed`. `known_fields`, when given, holds field-path vectors embedded for earlier segments
    (the same few hundred paths recur in every profile) and gains this segment's new ones."""
    texts = [p.text for part in parts for p in part.passages]
    sentence_texts = [sentence_embed_text(part.document, s) for part in parts for s in part.sentences]
    log(f"Embedding {len(texts)} passages and {len(sentence_texts)} sentences from {len(parts)} documents…")
    plan = getattr(step, "plan", None)  # a terminal's bars show the time left in both phases (`qa.progress`)
    if plan is not None and not pooled:
        plan([("Embedding passages", sum(map(len, texts))), ("Embedding sentences", sum(map(len, sentence_texts)))])
    if pooled:
        vectors, sentence_vectors = _embed_pooled(embedder, parts, progress, step)
    else:
        vectors = _embed(embedder, texts, progress, step, "Embedding passages")
        sentence_vectors = _embed(embedder, sentence_texts, progress, step, "Embedding sentences")
    paths = sorted(field_paths(parts))
    known = {} if known_fields is None else known_fields
    missing = [p for p in paths if p not in known]
    known.update(zip(missing, _embed(embedder, missing, False), strict=True))
    fields = {p: known[p] for p in paths}
    pieces = embedder.piece_ids([part.document.text[s.start : s.end] for part in parts for s in part.sentences])
    if step is not None:
        step("Writing the index", 0, 1)
    segment = new_segment(
        index_dir, parts, vectors, sentence_vectors, embedder.dimension, fields, name, pieces, embedder.model_id
    )
    return Made(segment, WordCounts.of(texts), len(texts), len(sentence_texts), len(missing))


def field_paths(parts: Sequence[Part]) -> set[str]:
    """The distinct field paths of the parts' lines (`qa.text.structure.field_path_of`)."""
    found = set()
    for part in parts:
        text = part.document.text
        for s in part.sentences:
            if s.section:
                found.add(field_path_of(tuple(s.section), text[s.start : s.end]))
    found.discard("")
    return found


def _document_words(segment: Segment, i: int) -> WordCounts:
    return WordCounts.of(segment.passage_texts(int(segment.first_passage[i]), int(segment.first_passage[i + 1])))


def choose_merge(segments: list[dict[str, Any]], removed_passages: dict[str, int], limit: int) -> list[str]:
    """The segments to merge into one: all the small ones (under a tenth of `limit` live passages) once there are
    `MERGE_SMALL` of them, and any with over `MERGE_REMOVED` of its passages removed. Pure."""
    live = {s["name"]: s["passages"] - removed_passages.get(s["name"], 0) for s in segments}
    small = [s["name"] for s in segments if live[s["name"]] < max(1, limit // 10)]
    chosen = small if len(small) >= MERGE_SMALL else []
    chosen += [
        s["name"]
        for s in segments
        if s["name"] not in chosen
        and s["passages"]
        and removed_passages.get(s["name"], 0) > MERGE_REMOVED * s["passages"]
    ]
    return chosen


def _merge(
    index_dir: Path,
    segments: list[dict[str, Any]],
    limit: int,
    dimension: int,
    report: IndexReport,
    known: dict[str, Segment] | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Merge what `choose_merge` picks: their live documents copied, vectors and all, into one new segment.
    `known`: segments already open (the previous commit's), by name."""
    known = known or {}
    opened = {
        s["name"]: known.get(s["name"]) or open_segment(index_dir / SEGMENTS / s["name"], s.get("sha256"))
        for s in segments
    }
    removed_passages = {
        s["name"]: sum(opened[s["name"]].infos[i].passages for i in s["removed"]) for s in segments if s["removed"]
    }
    chosen = choose_merge(segments, removed_passages, limit)
    if len(chosen) < 2 and not any(removed_passages.get(name) for name in chosen):
        return segments
    parts: list[Part] = []
    vectors: list[np.ndarray] = []
    sentence_vectors: list[np.ndarray] = []
    pieces: list[np.ndarray] | None = []  # the stored word pieces carried over (None: a segment lacks them)
    fields: dict[str, np.ndarray] = {}
    for s in segments:
        if s["name"] in chosen:
            segment = opened[s["name"]]
            fields.update(segment.fields())
            live = _live(segment, s["removed"])
            parts += live.parts
            vectors += live.vectors
            sentence_vectors += live.sentence_vectors
            for i in live.kept:
                if pieces is not None:
                    pieces = _stored_pieces(segment, i, pieces)
    kept = [s for s in segments if s["name"] not in chosen]
    report.segments_merged += len(chosen)
    if not parts:
        return kept
    wanted = field_paths(parts)
    fields = {path: vector for path, vector in fields.items() if path in wanted}
    merged = new_segment(
        index_dir,
        parts,
        np.concatenate(vectors),
        np.concatenate(sentence_vectors),
        dimension,
        fields,
        pieces=pieces,
        model=model,
    )
    return [*kept, {**merged, "removed": []}]


@dataclass(frozen=True)
class _Live:
    """A segment's live documents: their local numbers, parts, and passage and sentence vectors (an array a
    document)."""

    kept: list[int]
    parts: list[Part]
    vectors: list[np.ndarray]
    sentence_vectors: list[np.ndarray]


def _live(segment: Segment, removed: Iterable[int]) -> _Live:
    """The documents of `segment` not in `removed`, read back with their vectors (for a merge or a rewrite)."""
    gone = set(removed)
    kept = [i for i in range(len(segment.infos)) if i not in gone]
    live = _Live(kept, [], [], [])
    for part, v, sv in segment.parts(kept):
        live.parts.append(part)
        live.vectors.append(v)
        live.sentence_vectors.append(sv)
    return live


def _stored_pieces(segment: Segment, i: int, pieces: list[np.ndarray]) -> list[np.ndarray] | None:
    """`pieces` with local document `i`'s sentences' stored word pieces added; None when the segment has none."""
    words = segment.words
    if words is None or not words.has_pieces:
        return None
    for local in range(int(segment.first_sentence[i]), int(segment.first_sentence[i + 1])):
        found = words.pieces(local)
        if found is None:
            return None
        pieces.append(found)
    return pieces


class SyncRun:
    """One sync's bookkeeping, shared by `sync_index` and the distributed build (`qa.index.distributed`): the
    current commit, which files changed, the tombstones and words of replaced documents, and the commit."""

    def __init__(self, corpus: Path, index_dir: Path, model_id: str, settings: Settings, rebuild: bool) -> None:
        self.corpus, self.index_dir, self.model_id, self.settings = corpus, index_dir, model_id, settings
        self.started = time.perf_counter()
        self.report = IndexReport(corpus=str(corpus), index=str(index_dir))
        self.previous, self.reusable = _previous(index_dir, model_id, settings, rebuild, self.report)
        self.before = set(self.previous.doc_by_id) if self.previous is not None else set()
        if self.previous is not None and self.reusable:
            self.segments = [{**s, "removed": set(s.get("removed", ()))} for s in self.previous.manifest["segments"]]
            self.words = read_words(index_dir, self.previous.name)
        else:
            self.segments, self.words = [], WordCounts()
        self._by_name = {s["name"]: s for s in self.segments}
        self.kept: set[str] = set()

    def changed(self, files: Sequence[Path], max_bytes: int, step: Step | None = None) -> Iterator[tuple[str, Path]]:
        """The files to read (new or changed), in order; unchanged ones are kept, unreadable ones reported."""
        for done, path in enumerate(files):
            if step is not None:
                step("Reading briefings", done, len(files))
            doc_id = path.relative_to(self.corpus).as_posix()
            try:
                size = path.stat().st_size
                if size > max_bytes:
                    self.report.skipped.append((doc_id, f"too large: {size:,} bytes (limit {max_bytes:,})"))
                    continue
                data = path.read_bytes()
            except OSError as exc:
                self.report.skipped.append((doc_id, f"cannot read: {exc.strerror or exc}"))
                continue
            previous = self.previous
            if (
                self.reusable
                and previous is not None
                and doc_id in previous.doc_by_id
                and previous.documents.info[previous.doc_by_id[doc_id]].sha256 == content_hash(data)
            ):
                self.kept.add(doc_id)
                self.report.unchanged.append(doc_id)
                continue
            yield doc_id, path

    def _wordless(self, pieces: bool) -> set[str]:
        """The kept segments written before their words were stored (their pieces too, when `pieces`)."""
        if self.previous is None or not self.reusable:
            return set()
        listed = {s["name"] for s in self.segments if len(s["removed"]) < s["documents"]}
        return {
            segment.name
            for segment in self.previous.segments
            if segment.name in listed and (segment.words is None or (pieces and not segment.words.has_pieces))
        }

    def accept(self, doc_id: str) -> None:
        """A new or changed document is in a new segment: its old version is retired."""
        self._retire(doc_id)
        self.kept.add(doc_id)
        (self.report.updated if doc_id in self.before else self.report.added).append(doc_id)

    def _retire(self, doc_id: str) -> None:
        """Mark the current commit's document removed, its words taken away."""
        located = self.previous.locate(doc_id) if self.previous is not None and self.reusable else None
        if located is not None:
            segment, i = located
            self._by_name[segment.name]["removed"].add(i)
            self.words.add(_document_words(segment, i), -1)

    def finish(
        self,
        written: Callable[[], list[dict[str, Any]]],
        dimension: int,
        segment_passages: int,
        step: Step | None = None,
        piece_ids: PieceIds | None = None,
    ) -> IndexReport:
        """Retire what vanished; then, unless nothing changed, take the new segments `written` makes, merge
        what the policy picks and write the commit. A kept segment written before words were stored with it
        (`qa.index.words`) is written again with them, nothing embedded again; `piece_ids`: the embedder's word
        pieces of texts, when it numbers them."""
        report, previous = self.report, self.previous
        wordless = self._wordless(piece_ids is not None)
        report.removed = sorted(self.before - self.kept)
        for doc_id in report.removed:
            self._retire(doc_id)
        report.skipped.sort()
        if not self.kept and previous is None:
            reasons = "; ".join(f"{name}: {why}" for name, why in report.skipped[:5])
            raise CorpusError(
                f"No readable briefings in '{self.corpus}'"
                + (f" ({reasons})" if reasons else " (the folder is empty)")
                + f". Supported types: {', '.join(SUPPORTED_SUFFIXES)}."
            )
        if previous is not None and self.reusable and not report.changed and not wordless:
            prune(self.index_dir, grace_seconds=0.0)  # the lock is ours: any temporary folder is a killed run's
            counts = previous.manifest.get("counts", {})
            report.documents, report.passages = counts.get("documents", 0), counts.get("passages", 0)
            report.sentences = counts.get("sentences", 0)
            report.seconds = time.perf_counter() - self.started
            return report
        listed = [*self.segments, *({**s, "removed": set()} for s in written())]
        listed = [s for s in listed if len(s["removed"]) < s["documents"]]  # a segment with nothing left goes
        if step is not None:
            step("Writing the index", 0, 1)
        known = {segment.name: segment for segment in previous.segments} if previous is not None else {}
        if wordless:
            listed = [
                _with_words(self.index_dir, s, known[s["name"]], dimension, piece_ids, self.model_id)
                if s["name"] in wordless
                else s
                for s in listed
            ]
            report.notes.append(
                f"{len(wordless)} segment(s) written again with their words stored (nothing embedded again)"
            )
        listed = _merge(self.index_dir, listed, segment_passages, dimension, report, known, self.model_id)
        fingerprint = index_fingerprint(self.settings, self.model_id)
        report.generation = write_commit(
            self.index_dir, listed, self.words, self.model_id, fingerprint, dimension, str(self.corpus.resolve())
        )
        counts = read_manifest(self.index_dir, report.generation)["counts"]
        report.documents, report.passages, report.sentences = (
            counts["documents"],
            counts["passages"],
            counts["sentences"],
        )
        report.seconds = time.perf_counter() - self.started
        return report


def _with_words(
    index_dir: Path,
    listed: dict[str, Any],
    segment: Segment,
    dimension: int,
    piece_ids: PieceIds | None,
    model: str,
) -> dict[str, Any]:
    """A segment's live documents written again as a new segment, its words stored (`qa.index.words`): what a commit
    records of it."""
    live = _live(segment, listed["removed"])
    parts, vectors, sentence_vectors = live.parts, live.vectors, live.sentence_vectors
    wanted = field_paths(parts)
    fields = {path: vector for path, vector in segment.fields().items() if path in wanted}
    texts = [part.document.text[s.start : s.end] for part in parts for s in part.sentences]
    made = new_segment(
        index_dir,
        parts,
        np.concatenate(vectors) if vectors else np.zeros((0, dimension), np.float32),
        np.concatenate(sentence_vectors) if sentence_vectors else np.zeros((0, dimension), np.float32),
        dimension,
        fields,
        pieces=piece_ids(texts) if piece_ids is not None else None,
        model=model,
    )
    return {**made, "removed": set()}


def read_part(reader: BoundedReader, corpus: Path, path: Path, settings: Settings) -> Part | str:
    """A file read and chunked, or the reason it is skipped."""
    try:
        document = reader.read(corpus, path)
    except (UnreadableFileError, OSError) as exc:
        return str(exc)
    chunked = chunk_document(
        document,
        0,
        settings.passage_max_words,
        settings.passage_max_pieces,
        paragraph_min_words=settings.passage_paragraph_words,
    )
    if not chunked.sentences:
        return "no quotable sentences found"
    return Part(document, chunked.passages, chunked.sentences)


def sync_index(
    corpus: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings | None = None,
    rebuild: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
    step: Step | None = None,
    segment_passages: int = SEGMENT_PASSAGES,
) -> IndexReport:
    """Bring the index in `index_dir` in line with the files in `corpus`. `step` (what, done, total) hears of the
    reading and embedding as they go (the web page's progress bar)."""
    settings = settings or Settings()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.is_dir():
        raise CorpusError(f"Corpus folder '{corpus}' does not exist. Create it and put briefings in it.")
    files, skipped = list_corpus(corpus)
    with writer_lock(index_dir), BoundedReader(settings.read_seconds) as reader:
        run = SyncRun(corpus, index_dir, embedder.model_id, settings, rebuild)
        run.report.skipped = skipped
        pooled = settings.sentence_vectors == "pooled"
        writer = _Writer(index_dir, embedder, segment_passages, run.report, progress, log, step, run.words, pooled)
        for doc_id, path in run.changed(files, reader.max_bytes, step):
            part = read_part(reader, corpus, path, settings)
            if isinstance(part, str):
                run.report.skipped.append((doc_id, part))
                continue
            run.accept(doc_id)
            writer.add(part)

        def written() -> list[dict[str, Any]]:
            writer.flush()
            return writer.written

        pieces = embedder.piece_ids if embedder.numbers_pieces else None
        return run.finish(written, embedder.dimension, segment_passages, step, pieces)
