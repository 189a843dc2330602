"""The index on disk: segments written once, commits naming them, and an atomic pointer to the live commit.

Layout of an index folder:

    CURRENT                 the name of the live commit, replaced atomically
    segments/seg-000001/    whole documents with their passages, sentences, vectors and term counts
                            (`qa.index.segment`); never changed once written
    gen-000001/             a commit:
        manifest.json       format version, model, settings, counts, and the segments it is made of: each
                            with the sha256 of its segment.json and the documents removed from it since
        vocabulary.json     the words and names the spelling check knows (live documents only)
        words.json          their counts, so the next commit can take a removed document's words away

A re-index writes only what changed: new and changed files go into a new segment; a changed or removed
file's old document is marked removed in the new commit (a tombstone) and its passages count for nothing
from then on; small segments and those mostly removed are merged into one (their vectors copied, nothing
embedded again). Then the commit is written to a temporary folder, fsynced, renamed, and only then is
CURRENT replaced: a crash at any point leaves the previous commit served, and readers never see a
half-written one.

Opening a commit reads its manifest, opens each segment (sizes checked, arrays and FAISS indexes
memory-mapped) and numbers documents, passages and sentences across segments: `Generation` presents
them as one index. Checksums are checked when a file is written (read back) and on demand
(`verify_generation`, `qa verify`), not at every open. No pickle anywhere. What goes into a commit is
decided by `qa.index.sync`.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import io
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

import faiss
import numpy as np

from qa.errors import IndexCorruptError, IndexFormatError, IndexLockedError, IndexNotFoundError
from qa.index.lexical import Lexical
from qa.index.probes import question_probes
from qa.index.segment import (
    PASSAGE_ROW,
    SENTENCE_ROW,
    Part,
    Records,
    Segment,
    build_faiss,
    check_sizes,
    fsync_dir,
    open_segment,
    write_file,
    write_segment,
)
from qa.index.words import StoredWords
from qa.records import Document, DocumentInfo, Passage, Sentence
from qa.text.documents import content_hash
from qa.text.vocabulary import Vocabulary, WordCounts

FORMAT_VERSION = 4  # 4: segments and tombstones; 3: one set of memory-mapped columns; 2: JSON lines
CURRENT = "CURRENT"
SEGMENTS = "segments"
FILES = ("vocabulary.json", "words.json")  # a commit's own files, beside its manifest
KEEP_GENERATIONS = 2
T = TypeVar("T")
__all__ = ["PASSAGE_ROW", "SENTENCE_ROW", "Part", "build_faiss", "write_file"]


# --- the numbered view over segments --------------------------------------------------------------


class _Table(Sequence[T]):
    """Records by number, each built when first asked for and kept in a bounded cache (a plain dict: the hot path
    of answering reads the same few hundred sentences many times a question). Iterating yields the live
    records only; indexing reaches any number, a removed document's too."""

    def __init__(self, kept: int, size: int, live: np.ndarray | None = None) -> None:
        self._cache: dict[int, T] = {}
        self._kept, self._size, self._live = kept, size, live

    def _read(self, i: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[T]:
        numbers = range(self._size) if self._live is None else np.flatnonzero(self._live).tolist()
        for i in numbers:
            yield self[i]

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        try:
            return self._cache[i]  # type: ignore[index]
        except (KeyError, TypeError):
            pass
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        j = int(i) % len(self)
        if len(self._cache) >= self._kept:
            self._cache.clear()
        record = self._cache[j] = self._read(j)
        return record


@dataclass(frozen=True)
class _Layout:
    """Where each segment's numbers start, and each segment's documents' numbers in the index (-1: removed)."""

    segments: list[Segment]
    passage_offsets: np.ndarray  # segment s: passages [offsets[s], offsets[s + 1])
    sentence_offsets: np.ndarray
    doc_numbers: list[np.ndarray]  # segment s, local document i → index document number, or -1
    refs: list[tuple[int, int]]  # index document number → (segment, local document)

    # the offsets as Python lists: bisect on a list of a few numbers costs a tenth of a NumPy call
    passage_starts: list[int] = field(init=False)
    sentence_starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "passage_starts", self.passage_offsets.tolist())
        object.__setattr__(self, "sentence_starts", self.sentence_offsets.tolist())

    def passage_segment(self, pid: int) -> int:
        return bisect.bisect_right(self.passage_starts, pid) - 1

    def sentence_segment(self, sid: int) -> int:
        return bisect.bisect_right(self.sentence_starts, sid) - 1


class DocumentTable(_Table[Document]):
    """The live documents by number, sorted by doc_id: `info` (metadata, all in memory), `[i]` the whole
    document (read when asked)."""

    def __init__(self, layout: _Layout) -> None:
        self._layout = layout
        self.info: list[DocumentInfo] = [layout.segments[s].infos[i] for s, i in layout.refs]
        super().__init__(256, len(self.info))

    def _read(self, i: int) -> Document:
        s, local = self._layout.refs[i]
        return self._layout.segments[s].document(local)

    def place(self, i: int) -> tuple[int, int]:
        """Where live document `i` is stored: (its segment's position, its number within that segment)."""
        return self._layout.refs[i]

    def passages_of(self, i: int) -> tuple[int, int]:
        """The numbers of live document `i`'s passages: [first, last + 1), all in one segment."""
        s, local = self._layout.refs[i]
        first = self._layout.segments[s].first_passage
        start = self._layout.passage_starts[s]
        return start + int(first[local]), start + int(first[local + 1])


class PassageTable(_Table[Passage]):
    """The passages by number, built from their row (memory-mapped) when asked for."""

    def __init__(self, layout: _Layout, live: np.ndarray | None) -> None:
        self._layout = layout
        super().__init__(16384, int(layout.passage_offsets[-1]), live)

    def _read(self, i: int) -> Passage:
        layout = self._layout
        s = layout.passage_segment(i)
        segment, local = layout.segments[s], i - layout.passage_starts[s]
        doc, start, end, first, last, section = segment.plain_prows[local].item()
        shift = int(layout.sentence_offsets[s])
        return Passage.model_construct(
            pid=i, doc=int(layout.doc_numbers[s][doc]), start=start, end=end, first_sentence=first + shift,
            last_sentence=last + shift, section=segment.sections[section], text=segment.passage_text(local),
        )  # fmt: skip


class SentenceTable(_Table[Sentence]):
    """The sentences by number, built from their row (memory-mapped) when asked for."""

    def __init__(self, layout: _Layout, live: np.ndarray | None) -> None:
        self._layout = layout
        super().__init__(65536, int(layout.sentence_offsets[-1]), live)

    def _read(self, i: int) -> Sentence:
        layout = self._layout
        s = layout.sentence_segment(i)
        segment, local = layout.segments[s], i - layout.sentence_starts[s]
        doc, start, end, para_start, para_end, section, passage = segment.plain_srows[local].item()
        return Sentence.model_construct(
            sid=i, doc=int(layout.doc_numbers[s][doc]), start=start, end=end, para_start=para_start,
            para_end=para_end, section=segment.sections[section], passage=passage + int(layout.passage_offsets[s]),
        )  # fmt: skip

    def with_stored_words(self) -> list[tuple[int, int]]:
        """The sentence numbers [first, last + 1) of each segment that stores its sentences' words."""
        starts = self._layout.sentence_starts
        return [(starts[s], starts[s + 1]) for s, seg in enumerate(self._layout.segments) if seg.words is not None]

    def stored_words(self, i: int) -> tuple[StoredWords, int] | None:
        """The stored words of sentence `i`'s segment and its number there (None: that segment stores none)."""
        s = self._layout.sentence_segment(i)
        words = self._layout.segments[s].words
        return None if words is None else (words, i - self._layout.sentence_starts[s])

    def of_document(self, doc: int) -> range:
        """The sentence numbers of one document (a document's sentences are stored together)."""
        s, local = self._layout.refs[doc]
        segment, shift = self._layout.segments[s], int(self._layout.sentence_offsets[s])
        return range(shift + int(segment.first_sentence[local]), shift + int(segment.first_sentence[local + 1]))


class StemsBySentence(Mapping[int, frozenset[str]]):
    """The stored stems of each sentence (or of its paragraph) by sentence number, read when asked for."""

    def __init__(self, sentences: SentenceTable, paragraph: bool) -> None:
        self._sentences, self._paragraph = sentences, paragraph

    def __getitem__(self, sid: int) -> frozenset[str]:
        found = self._sentences.stored_words(sid) if 0 <= sid < len(self._sentences) else None
        if found is None:
            raise KeyError(sid)
        words, local = found
        return words.paragraph(local) if self._paragraph else words.sentence(local)

    def __iter__(self) -> Iterator[int]:
        for first, last in self._sentences.with_stored_words():
            yield from range(first, last)

    def __len__(self) -> int:
        return sum(last - first for first, last in self._sentences.with_stored_words())


class Rows:
    """Rows of per-segment matrices by index number (the sentence vectors): `rows[i]`, `shape`."""

    def __init__(self, parts: Sequence[np.ndarray], offsets: np.ndarray, dimension: int) -> None:
        self._parts, self._offsets = [p.view(np.ndarray) for p in parts], offsets.tolist()
        self.shape = (int(offsets[-1]), dimension)
        self.dtype = np.dtype(np.float32)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, i: int) -> np.ndarray:
        s = bisect.bisect_right(self._offsets, i) - 1
        return self._parts[s][i - self._offsets[s]]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = np.concatenate(self._parts) if self._parts else np.zeros(self.shape, np.float32)
        return whole if dtype is None else whole.astype(dtype)


class Dense:
    """The segments' FAISS indexes as one: `parts` (first passage number, index) for searching
    (`qa.search.retrieval.segmented_search`), vectors by passage number."""

    def __init__(self, parts: Sequence[tuple[int, Any]], dimension: int) -> None:
        self.parts, self.d = list(parts), dimension
        self.ntotal = sum(int(index.ntotal) for _, index in self.parts)
        self._offsets = np.asarray([offset for offset, _ in self.parts] + [self.ntotal], dtype=np.int64)

    def reconstruct(self, pid: int) -> np.ndarray:
        s = int(np.searchsorted(self._offsets, pid, "right")) - 1
        offset, index = self.parts[s]
        return np.asarray(index.reconstruct(int(pid) - offset), dtype=np.float32)

    def vectors(self) -> np.ndarray:
        """All passage vectors, row i for passage i (removed documents' too)."""
        blocks = [index.reconstruct_n(0, int(index.ntotal)) for _, index in self.parts if index.ntotal]
        return np.concatenate(blocks).astype(np.float32) if blocks else np.zeros((0, self.d), np.float32)


@dataclass
class Generation:
    """One opened commit. Read-only."""

    name: str
    manifest: dict[str, Any]
    segments: list[Segment]
    documents: DocumentTable
    passages: PassageTable
    sentences: SentenceTable
    dense: Dense
    sentence_vectors: Rows
    lexical: Lexical
    vocabulary: Vocabulary
    passage_docs: np.ndarray  # passage i's document number; -1 for a removed document's passage
    live: np.ndarray | None  # passages still in the index (None: every one)
    removed: dict[str, frozenset[int]]  # segment name → its removed local documents
    doc_by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doc_by_id = {info.doc_id: i for i, info in enumerate(self.documents.info)}

    @property
    def index(self) -> Dense:
        return self.dense

    def vectors(self) -> np.ndarray:
        return self.dense.vectors()

    def field_vectors(self, paths: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those field paths the segments hold (embedded when they were written)."""
        found: dict[str, np.ndarray] = {}
        for segment in self.segments:
            stored = segment.fields()
            found.update((p, stored[p]) for p in paths if p not in found and p in stored)
            if len(found) == len(paths):
                break
        return found

    def sentence_words(self) -> tuple[Mapping[int, frozenset[str]], Mapping[int, frozenset[str]]]:
        """The stored stems of each sentence and of its paragraph (`qa.index.words`), by sentence number, read
        when asked for; a sentence of a segment that stores none is missing from both."""
        return StemsBySentence(self.sentences, False), StemsBySentence(self.sentences, True)

    def sentence_pieces(self, sids: Iterable[int]) -> dict[int, np.ndarray]:
        """The stored word-piece numbers of those sentences; a sentence whose segment stores none is left out."""
        out: dict[int, np.ndarray] = {}
        for sid in sids:
            found = self.sentences.stored_words(sid)
            if found is not None:
                pieces = found[0].pieces(found[1])
                if pieces is not None:
                    out[sid] = pieces
        return out

    def document_passages(self, doc: int) -> tuple[int, int]:
        """The numbers of a live document's passages: [first, last + 1), all in one segment."""
        return self.documents.passages_of(doc)

    def live_passages(self) -> np.ndarray | None:
        """The passages a search may return (None: all of them)."""
        return None if self.live is None else np.flatnonzero(self.live)

    def locate(self, doc_id: str) -> tuple[Segment, int] | None:
        """The segment and local number of a live document."""
        i = self.doc_by_id.get(doc_id)
        if i is None:
            return None
        s, local = self.documents.place(i)
        return self.segments[s], local


def _layout(segments: list[Segment], removed: Sequence[frozenset[int]]) -> _Layout:
    refs = sorted(
        (info.doc_id, s, i)
        for s, segment in enumerate(segments)
        for i, info in enumerate(segment.infos)
        if i not in removed[s]
    )
    doc_numbers = [np.full(len(segment.infos), -1, dtype=np.int64) for segment in segments]
    for g, (_, s, i) in enumerate(refs):
        doc_numbers[s][i] = g
    passages = np.cumsum([0] + [len(segment.prows) for segment in segments]).astype(np.int64)
    sentences = np.cumsum([0] + [len(segment.srows) for segment in segments]).astype(np.int64)
    return _Layout(segments, passages, sentences, doc_numbers, [(s, i) for _, s, i in refs])


# --- writing a commit ---------------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time: a second `qa index` on the same folder fails fast."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexLockedError(str(index_dir)) from exc
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def current_name(index_dir: Path) -> str | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def _next_name(folder: Path, prefix: str) -> str:
    numbers = [int(p.name[len(prefix) :]) for p in folder.glob(f"{prefix}*") if p.name[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:06d}"


def new_segment(
    index_dir: Path,
    parts: Sequence[Part],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    dimension: int,
    fields: Mapping[str, np.ndarray] | None = None,
    name: str | None = None,
    pieces: Sequence[np.ndarray] | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Write `parts` as a new segment of `index_dir` (named `name`, else the next free number); what a commit
    records of it. Call inside `writer_lock`, or with a name no other writer uses. `model`: the id of the model
    that made the vectors (its shipped probe questions, if any, choose an inverted file's probe count)."""
    folder = index_dir / SEGMENTS
    folder.mkdir(parents=True, exist_ok=True)
    name = name or _next_name(folder, "seg-")
    probes = question_probes(model) if model is not None else None
    return write_segment(folder, name, parts, vectors, sentence_vectors, dimension, fields, pieces, probes)


def write_commit(
    index_dir: Path,
    segments: Sequence[dict[str, Any]],
    words: WordCounts,
    model: str,
    settings: dict[str, Any],
    dimension: int,
    corpus: str | None = None,
) -> str:
    """Write a commit naming `segments` (each as `new_segment` returned it, with "removed": its removed local
    documents) and make it current. Call inside `writer_lock`."""
    name = _next_name(index_dir, "gen-")
    tmp = index_dir / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        hashes, sizes = {}, {}
        for filename, data in (("vocabulary.json", words.vocabulary().to_json()), ("words.json", words.to_json())):
            write_file(tmp / filename, data)
            hashes[filename], sizes[filename] = content_hash(data), len(data)
        listed = [{**s, "removed": sorted(int(i) for i in s.get("removed", ()))} for s in segments]
        manifest = {
            "format_version": FORMAT_VERSION,
            "generation": name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": model,
            "dimension": dimension,
            "settings": settings,
            "corpus": corpus,
            "counts": _live_counts(index_dir, listed),
            "segments": listed,
            "files": hashes,
            "sizes": sizes,
        }
        write_file(tmp / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        fsync_dir(tmp)
        final = index_dir / name
        os.rename(tmp, final)
        fsync_dir(index_dir)
        pointer = index_dir / f".{CURRENT}.tmp"
        write_file(pointer, (name + "\n").encode())
        os.replace(pointer, index_dir / CURRENT)
        fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prune(index_dir, keep=KEEP_GENERATIONS)
    return name


def _live_counts(index_dir: Path, segments: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Documents, passages and sentences of the live documents (a removed one's read from its segment's records)."""
    counts = {"documents": 0, "passages": 0, "sentences": 0}
    for s in segments:
        counts["documents"] += s["documents"] - len(s["removed"])
        counts["passages"] += s["passages"]
        counts["sentences"] += s["sentences"]
        if s["removed"]:
            records = Records(index_dir / SEGMENTS / s["name"] / "records.sqlite")
            marks = ",".join("?" * len(s["removed"]))
            gone = records.all(
                f"SELECT sum(passages), sum(sentences) FROM documents WHERE i IN ({marks})", *s["removed"]
            )
            counts["passages"] -= int(gone[0][0] or 0)
            counts["sentences"] -= int(gone[0][1] or 0)
    return counts


def prune(index_dir: Path, keep: int = KEEP_GENERATIONS, grace_seconds: float = 60.0) -> None:
    """Remove old commits (never the current one), the segments no kept commit names, and stale temporary
    folders."""
    live = current_name(index_dir)
    generations = sorted(p for p in index_dir.glob("gen-*") if p.is_dir())
    for old in generations[:-keep]:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)
    now = time.time()
    for tmp in [*index_dir.glob(".tmp-gen-*"), *(index_dir / SEGMENTS).glob(".tmp-seg-*")]:
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > grace_seconds:
                shutil.rmtree(tmp, ignore_errors=True)
    named: set[str] = set()
    kept = [p for p in index_dir.glob("gen-*") if p.is_dir()]
    for generation in kept:
        try:
            named.update(s["name"] for s in read_manifest(index_dir, generation.name).get("segments", []))
        except IndexCorruptError:
            return  # a commit that cannot be read: remove no segment it might name
    for segment in (index_dir / SEGMENTS).glob("seg-*"):
        if segment.name not in named:  # an old commit's, or a killed run's written before its commit
            shutil.rmtree(segment, ignore_errors=True)


# --- opening a commit ---------------------------------------------------------------------------


def read_manifest(index_dir: Path, name: str | None = None) -> dict[str, Any]:
    name = name or current_name(index_dir)
    if name is None:
        raise IndexNotFoundError(str(index_dir))
    try:
        manifest: dict[str, Any] = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"Index generation '{name}' in '{index_dir}' has no readable manifest: {exc}") from exc
    return manifest


def load_generation(index_dir: Path, name: str | None = None) -> Generation:
    """Open a commit (the current one by default): every segment it names present and complete, every file at
    its recorded size, the counts consistent; raise, never half-open. Contents are checked by
    `verify_generation`."""
    if not index_dir.is_dir():
        raise IndexNotFoundError(str(index_dir))
    name = name or current_name(index_dir)
    if name is None:
        raise IndexNotFoundError(str(index_dir))
    manifest = read_manifest(index_dir, name)
    rebuild = f"Rebuild it with: qa index CORPUS_DIR --index {index_dir} --rebuild"
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"Index '{index_dir}' has format version {manifest.get('format_version')}, "
            f"this program reads {FORMAT_VERSION}. {rebuild}"
        )
    try:
        check_sizes(index_dir / name, manifest.get("sizes", {}), FILES, f"generation {name}")
        listed = manifest.get("segments", [])
        segments = [open_segment(index_dir / SEGMENTS / s["name"], s.get("sha256")) for s in listed]
        removed = [frozenset(int(i) for i in s.get("removed", ())) for s in listed]
        vocabulary = Vocabulary.from_json((index_dir / name / "vocabulary.json").read_bytes())
    except IndexCorruptError as exc:
        raise IndexCorruptError(f"{exc} {rebuild}") from exc
    except Exception as exc:
        raise IndexCorruptError(f"Index generation {name} cannot be read: {exc}. {rebuild}") from exc
    dimension = int(manifest.get("dimension", 0))
    if any(int(segment.index.d) != dimension for segment in segments) or any(
        max(r, default=-1) >= len(segment.infos) for r, segment in zip(removed, segments, strict=True)
    ):
        raise IndexCorruptError(f"Index generation {name} does not match its segments. {rebuild}")
    layout = _layout(segments, removed)
    docs = [numbers[segment.plain_prows["doc"]] for numbers, segment in zip(layout.doc_numbers, segments, strict=True)]
    passage_docs = np.concatenate(docs).astype(np.int64) if docs else np.zeros(0, np.int64)
    live = passage_docs >= 0 if any(removed) else None
    sentence_live = None
    if live is not None:
        sentence_live = np.concatenate(
            [
                numbers[segment.plain_srows["doc"]] >= 0
                for numbers, segment in zip(layout.doc_numbers, segments, strict=True)
            ]
        )
    counts = manifest.get("counts", {})
    if counts.get("documents") != len(layout.refs) or counts.get("passages") != (
        len(passage_docs) if live is None else int(np.count_nonzero(live))
    ):
        raise IndexCorruptError(f"Index generation {name} has inconsistent counts. {rebuild}")
    offsets = layout.passage_offsets
    return Generation(
        name=name,
        manifest=manifest,
        segments=segments,
        documents=DocumentTable(layout),
        passages=PassageTable(layout, live),
        sentences=SentenceTable(layout, sentence_live),
        dense=Dense([(int(offsets[s]), segment.index) for s, segment in enumerate(segments)], dimension),
        sentence_vectors=Rows([segment.sentence_vectors for segment in segments], layout.sentence_offsets, dimension),
        lexical=Lexical(
            [(int(offsets[s]), segment.terms) for s, segment in enumerate(segments) if segment.terms is not None],
            int(offsets[-1]),
            live,
        ),
        vocabulary=vocabulary,
        passage_docs=passage_docs,
        live=live,
        removed={segment.name: r for segment, r in zip(segments, removed, strict=True)},
    )


def read_words(index_dir: Path, name: str) -> WordCounts:
    return WordCounts.from_json((index_dir / name / "words.json").read_bytes())


def verify_generation(index_dir: Path, name: str | None = None) -> list[str]:
    """Hash every file of a commit and of each segment it names against their manifests: the problems found
    (none: it is intact)."""
    name = name or current_name(index_dir)
    if name is None:
        raise IndexNotFoundError(str(index_dir))
    manifest = read_manifest(index_dir, name)
    problems = _verify_files(index_dir / name, manifest.get("files", {}), name)
    for listed in manifest.get("segments", []):
        folder = index_dir / SEGMENTS / listed["name"]
        where = f"{SEGMENTS}/{listed['name']}"
        try:
            data = (folder / "segment.json").read_bytes()
        except OSError as exc:
            problems.append(f"{where}/segment.json: cannot be read ({exc.strerror or exc})")
            continue
        if content_hash(data) != listed.get("sha256"):
            problems.append(f"{where}/segment.json: fails its checksum")
            continue
        problems += _verify_files(folder, json.loads(data).get("files", {}), where)
    return problems


def _verify_files(folder: Path, files: dict[str, str], where: str) -> list[str]:
    problems = []
    for filename, expected in sorted(files.items()):
        try:
            digest = _hash_file(folder / filename)
        except OSError as exc:
            problems.append(f"{where}/{filename}: cannot be read ({exc.strerror or exc})")
            continue
        if digest != expected:
            problems.append(f"{where}/{filename}: fails its checksum")
    return problems


def _hash_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- older formats --------------------------------------------------------------------------------


def upgrade_older(index_dir: Path) -> str | None:
    """Rewrite a current commit of format 2 (JSON lines) or 3 (one set of columns) as one segment of this
    format, vectors and all, without embedding anything again; checksums are checked first. The new commit's
    name, or None when the current one is of neither format. Call inside `writer_lock`."""
    name = current_name(index_dir)
    if name is None:
        return None
    manifest = read_manifest(index_dir, name)
    version = manifest.get("format_version")
    if version not in (2, 3):
        return None
    folder = index_dir / name
    problems = _verify_files(folder, manifest.get("files", {}), name)
    if problems:
        raise IndexCorruptError(f"Index generation {name} cannot be upgraded: {'; '.join(problems)}")
    dimension = int(manifest["dimension"])
    if version == 2:
        parts, vectors, sentence_vectors = _read_version_2(folder)
    else:
        parts, vectors, sentence_vectors = _read_version_3(folder)
    words = WordCounts.of(p.text for part in parts for p in part.passages)
    segment = new_segment(index_dir, parts, vectors, sentence_vectors, dimension, model=manifest.get("model"))
    return write_commit(
        index_dir, [segment], words, manifest["model"], manifest["settings"], dimension, manifest.get("corpus")
    )


def _split(documents: Sequence[Document], passages: Sequence[Passage], sentences: Sequence[Sentence]) -> list[Part]:
    """Records numbered through an index, as `Part`s numbered from 0 within each document."""
    by_doc: dict[int, tuple[list[Passage], list[Sentence]]] = {i: ([], []) for i in range(len(documents))}
    for p in passages:
        by_doc[p.doc][0].append(p)
    for s in sentences:
        by_doc[s.doc][1].append(s)
    parts = []
    for i, document in enumerate(documents):
        ps, ss = by_doc[i]
        p0 = min((p.pid for p in ps), default=0)
        s0 = min((s.sid for s in ss), default=0)
        parts.append(
            Part(
                document,
                [
                    p.model_copy(
                        update={
                            "pid": p.pid - p0,
                            "doc": 0,
                            "first_sentence": p.first_sentence - s0,
                            "last_sentence": p.last_sentence - s0,
                        }
                    )
                    for p in ps
                ],
                [s.model_copy(update={"sid": s.sid - s0, "doc": 0, "passage": s.passage - p0}) for s in ss],
            )
        )
    return parts


def _read_version_2(folder: Path) -> tuple[list[Part], np.ndarray, np.ndarray]:
    def lines(filename: str, model: type[Any]) -> list[Any]:
        data = (folder / filename).read_bytes()
        return [model.model_validate_json(line) for line in data.decode("utf-8").splitlines() if line]

    index = faiss.read_index(str(folder / "vectors.faiss"))
    vectors = index.reconstruct_n(0, int(index.ntotal)) if index.ntotal else np.zeros((0, index.d), np.float32)
    parts = _split(
        lines("documents.jsonl", Document), lines("passages.jsonl", Passage), lines("sentences.jsonl", Sentence)
    )
    return parts, vectors, np.load(io.BytesIO((folder / "sentences.npy").read_bytes()), allow_pickle=False)


def _read_version_3(folder: Path) -> tuple[list[Part], np.ndarray, np.ndarray]:
    """A format-3 generation holds the files of a segment but the term counts: read it as one."""
    segment = Segment(folder, {}, terms=False)
    parts, vectors, sentence_vectors = [], [], []
    for part, v, sv in segment.parts(range(len(segment.infos))):
        parts.append(part)
        vectors.append(v)
        sentence_vectors.append(sv)
    d = int(segment.index.d)
    return (
        parts,
        np.concatenate(vectors) if vectors else np.zeros((0, d), np.float32),
        np.concatenate(sentence_vectors) if sentence_vectors else np.zeros((0, d), np.float32),
    )
