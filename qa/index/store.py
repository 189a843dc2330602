"""The index on disk: immutable generations, a manifest with checksums, and an atomic pointer.

Layout of an index folder:

    CURRENT                 the name of the live generation, replaced atomically
    gen-000001/
        manifest.json       format version, model, dimension, settings, counts, sha256 and size of each file
        vectors.faiss       a FAISS IndexFlatIP over L2-normalised passage vectors (row i = passage i)
        sentence_vectors.npy  float32 L2-normalised sentence vectors (row i = sentence i)
        passages.npy        one row a passage: doc, start, end, first and last sentence, section (NumPy records)
        sentences.npy       one row a sentence: doc, start, end, paragraph start and end, section, passage
        sections.json       the heading paths the rows name by number
        records.sqlite      the documents (metadata and extracted text) and the passages' searchable text
        vocabulary.json     the words and names the spelling check knows
        bm25-*.npy, bm25-vocab.json  the BM25 table (`qa.index.lexical`)

Opening a generation reads the manifest, checks every file's size, maps the arrays, the FAISS index
and the BM25 table (nothing is copied into memory until a search touches it), and reads the
documents' metadata; records are built when asked for, by number. Opening time does not grow with
the number of passages. Checksums are checked when a generation is written (every file is read back)
and on demand (`verify_generation`, `qa verify`), not at every open.

A generation is written into a temporary folder, every file fsynced and read back, the folder
renamed, and only then is CURRENT replaced; a crash at any point leaves the previous generation
served. No pickle anywhere. This module does not decide what goes into a generation: see `sync`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

import faiss
import numpy as np

from qa.errors import IndexCorruptError, IndexFormatError, IndexLockedError, IndexNotFoundError
from qa.index.lexical import FILES as LEXICAL_FILES
from qa.index.lexical import Lexical
from qa.records import Document, DocumentInfo, Passage, Section, Sentence
from qa.text.documents import content_hash
from qa.text.structure import line_label
from qa.text.vocabulary import Vocabulary, build_vocabulary

FORMAT_VERSION = 3  # 3: columns, memory-mapped; metadata in SQLite; BM25 and vocabulary stored
CURRENT = "CURRENT"
FILES = (
    "vectors.faiss",
    "sentence_vectors.npy",
    "passages.npy",
    "sentences.npy",
    "sections.json",
    "records.sqlite",
    "vocabulary.json",
    *LEXICAL_FILES,
)
KEEP_GENERATIONS = 2
T = TypeVar("T")
PASSAGE_ROW = np.dtype(
    [("doc", "<i4"), ("start", "<i8"), ("end", "<i8"), ("first_sentence", "<i4"), ("last_sentence", "<i4"), ("section", "<i4")]
)
SENTENCE_ROW = np.dtype(
    [("doc", "<i4"), ("start", "<i8"), ("end", "<i8"), ("para_start", "<i8"), ("para_end", "<i8"), ("section", "<i4"), ("passage", "<i4")]
)
_SCHEMA = """
CREATE TABLE documents (
  i INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL, date TEXT,
  sha256 TEXT NOT NULL, format TEXT NOT NULL, structured INTEGER NOT NULL, headings TEXT NOT NULL,
  pages TEXT NOT NULL, text TEXT NOT NULL, passages INTEGER NOT NULL, sentences INTEGER NOT NULL,
  labelled_lines INTEGER NOT NULL
);
CREATE TABLE passage_text (pid INTEGER PRIMARY KEY, text TEXT NOT NULL);
"""


class _Records:
    """The generation's SQLite file, opened read-only, one query at a time."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()


class _Table(Sequence[T]):
    """Records by number, each built when first asked for and kept in a bounded cache (a plain dict: the hot path
    of answering reads the same few hundred sentences many times a question)."""

    def __init__(self, kept: int) -> None:
        self._cache: dict[int, T] = {}
        self._kept = kept

    def _read(self, i: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

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


class DocumentTable(_Table[Document]):
    """The documents by number: `info` (metadata, all in memory), `[i]` the whole document (read when asked)."""

    def __init__(self, records: _Records, infos: list[DocumentInfo], heads: list[tuple[str, str, bool]]) -> None:
        self._records, self.info, self._heads = records, infos, heads
        super().__init__(256)

    def _read(self, i: int) -> Document:
        headings, pages, text = self._records.all("SELECT headings, pages, text FROM documents WHERE i = ?", i)[0]
        info, (source, fmt, structured) = self.info[i], self._heads[i]
        return Document.model_construct(
            doc_id=info.doc_id, source=source, title=info.title, date=info.date, text=text, sha256=info.sha256,
            format=fmt, headings=tuple(Section(**h) for h in json.loads(headings)), pages=tuple(json.loads(pages)),
            structured=structured,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.info)


class PassageTable(_Table[Passage]):
    """The passages by number, built from their row (memory-mapped) when asked for."""

    def __init__(self, rows: np.ndarray, sections: Sequence[tuple[str, ...]], texts: Any) -> None:
        self.rows, self._sections, self._texts = rows, sections, texts
        self._plain = rows.view(np.ndarray)  # still mapped; reads without the memmap wrapper's overhead
        super().__init__(16384)

    def _read(self, i: int) -> Passage:
        doc, start, end, first, last, section = self._plain[i].item()
        return Passage.model_construct(
            pid=i, doc=doc, start=start, end=end, first_sentence=first, last_sentence=last,
            section=self._sections[section], text=self._texts(i),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.rows)


class SentenceTable(_Table[Sentence]):
    """The sentences by number, built from their row (memory-mapped) when asked for."""

    def __init__(self, rows: np.ndarray, sections: Sequence[tuple[str, ...]]) -> None:
        self.rows, self._sections = rows, sections
        self._plain = rows.view(np.ndarray)
        super().__init__(65536)

    def _read(self, i: int) -> Sentence:
        doc, start, end, para_start, para_end, section, passage = self._plain[i].item()
        return Sentence.model_construct(
            sid=i, doc=doc, start=start, end=end, para_start=para_start, para_end=para_end,
            section=self._sections[section], passage=passage,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.rows)

    def of_document(self, doc: int) -> range:
        """The sentence numbers of one document (they are stored in document order)."""
        docs = self.rows["doc"]
        return range(int(np.searchsorted(docs, doc, "left")), int(np.searchsorted(docs, doc, "right")))


@dataclass
class Generation:
    """One opened generation. Read-only."""

    name: str
    manifest: dict[str, Any]
    documents: DocumentTable
    passages: PassageTable
    sentences: SentenceTable
    index: Any  # faiss.Index, memory-mapped
    sentence_vectors: np.ndarray  # row i: sentence i (memory-mapped)
    lexical: Lexical
    vocabulary: Vocabulary
    doc_by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doc_by_id = {info.doc_id: i for i, info in enumerate(self.documents.info)}

    def vectors(self) -> np.ndarray:
        """All passage vectors, row i for passage i."""
        n = int(self.index.ntotal)
        if n == 0:
            return np.zeros((0, int(self.index.d)), dtype=np.float32)
        return np.asarray(self.index.reconstruct_n(0, n), dtype=np.float32)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Write, flush, fsync, then read back and compare: a short or failed write raises OSError."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if path.read_bytes() != data:
        raise OSError(errno.EIO, f"read-back of {path} differs from what was written")


def _npy(matrix: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(matrix, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


EXACT_UP_TO = 50_000  # passages searched exactly (IndexFlatIP); above, an inverted file
RECALL_AT_10 = 0.99  # what the inverted file must keep of the exact top 10, on the probe questions


def build_faiss(vectors: np.ndarray, dimension: int, probes: np.ndarray | None = None, exact_up_to: int = EXACT_UP_TO) -> Any:
    """Exact inner-product search up to `exact_up_to` vectors; above, an inverted file (IVF, flat lists) trained
    on a sample, searching the fewest lists (`nprobe`) that keep `RECALL_AT_10` of the exact top 10 for `probes`
    (question-like vectors: the sentences'; a sample of the vectors themselves when none are given). Vectors with
    no clusters to find (over a quarter of the lists needed) stay exact."""
    n = len(vectors)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if n <= exact_up_to:
        flat = faiss.IndexFlatIP(dimension)
        if n:
            flat.add(vectors)
        return flat
    rng = np.random.default_rng(0)
    nlist = int(min(n // 39, max(16, 4 * np.sqrt(n))))
    index: Any = faiss.index_factory(dimension, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT)
    index.train(vectors[rng.choice(n, min(n, 64 * nlist), replace=False)])
    index.add(vectors)
    queries = probes if probes is not None and len(probes) else vectors
    queries = np.ascontiguousarray(queries[rng.choice(len(queries), min(len(queries), 300), replace=False)])
    exact = faiss.IndexFlatIP(dimension)
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    del exact
    nprobe = 1
    while nprobe < nlist:
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
        if recall >= RECALL_AT_10:
            break
        nprobe = min(nlist, nprobe * 2)
    if nprobe * 4 > nlist:  # it would scan over a quarter of the lists: no faster than exact search, and less exact
        del index
        return build_faiss(vectors, dimension, exact_up_to=n)
    index.nprobe = nprobe
    return index


def dense_description(index: Any) -> dict[str, Any]:
    """What the manifest records of the dense index: its kind and, for an inverted file, lists and probes."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return {"kind": "exact (IndexFlatIP)"}
    return {"kind": "inverted file (IVF, flat lists)", "nlist": int(ivf.nlist), "nprobe": int(ivf.nprobe),
            "recall_at_10_target": RECALL_AT_10}  # fmt: skip


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


def _next_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _columns(
    documents: Sequence[Document], passages: Sequence[Passage], sentences: Sequence[Sentence]
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, ...]]]:
    """The records as rows, their heading paths numbered."""
    numbers: dict[tuple[str, ...], int] = {}
    prows = np.zeros(len(passages), dtype=PASSAGE_ROW)
    for i, p in enumerate(passages):
        prows[i] = (p.doc, p.start, p.end, p.first_sentence, p.last_sentence, numbers.setdefault(tuple(p.section), len(numbers)))
    srows = np.zeros(len(sentences), dtype=SENTENCE_ROW)
    for i, t in enumerate(sentences):
        section = numbers.setdefault(tuple(t.section), len(numbers))
        srows[i] = (t.doc, t.start, t.end, t.para_start, t.para_end, section, t.passage)
    if len(srows) and np.any(np.diff(srows["doc"]) < 0):
        raise ValueError("sentences must be stored in document order")
    return prows, srows, list(numbers)


def _records(
    documents: Sequence[Document], passages: Sequence[Passage], sentences: Sequence[Sentence], prows: np.ndarray,
    srows: np.ndarray,
) -> bytes:
    """The SQLite file: documents with their text and counts, passages' searchable text."""
    labelled = [0] * len(documents)
    for t in sentences:
        if line_label(documents[t.doc].text[t.start : t.end]):
            labelled[t.doc] += 1
    per_doc_p = np.bincount(prows["doc"], minlength=len(documents)) if len(prows) else np.zeros(len(documents), int)
    per_doc_s = np.bincount(srows["doc"], minlength=len(documents)) if len(srows) else np.zeros(len(documents), int)
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_document_row(i, d, int(per_doc_p[i]), int(per_doc_s[i]), labelled[i]) for i, d in enumerate(documents)),
        )
        db.executemany("INSERT INTO passage_text VALUES (?, ?)", ((i, p.text) for i, p in enumerate(passages)))
        db.commit()
        return bytes(db.serialize())
    finally:
        db.close()


def _document_row(i: int, d: Document, passages: int, sentences: int, labelled: int) -> tuple[Any, ...]:
    headings = json.dumps([h.model_dump() for h in d.headings])
    return (i, d.doc_id, d.source, d.title, d.date, d.sha256, d.format, int(d.structured), headings,
            json.dumps(list(d.pages)), d.text, passages, sentences, labelled)  # fmt: skip


def write_generation(
    index_dir: Path,
    documents: Sequence[Document],
    passages: Sequence[Passage],
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    model: str,
    settings: dict[str, Any],
    dimension: int,
    corpus: str | None = None,
) -> str:
    """Write a complete generation and make it current. Call inside `writer_lock`."""
    if len(vectors) != len(passages):
        raise ValueError(f"{len(vectors)} vectors for {len(passages)} passages")
    if len(sentence_vectors) != len(sentences):
        raise ValueError(f"{len(sentence_vectors)} sentence vectors for {len(sentences)} sentences")
    name = _next_name(index_dir)
    tmp = index_dir / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        prows, srows, sections = _columns(documents, passages, sentences)
        texts = [p.text for p in passages]
        dense = build_faiss(vectors, dimension, probes=sentence_vectors.reshape(len(sentences), dimension))
        described = dense_description(dense)
        # each file is made, written, read back and hashed in turn, so one file's bytes are held at a time
        hashes: dict[str, str] = {}
        sizes: dict[str, int] = {}

        def put(filename: str, data: bytes) -> None:
            write_file(tmp / filename, data)
            hashes[filename], sizes[filename] = content_hash(data), len(data)

        put("vectors.faiss", faiss.serialize_index(dense).tobytes())
        del dense
        put("sentence_vectors.npy", _npy(sentence_vectors.reshape(len(sentences), dimension)))
        put("passages.npy", _rows(prows))
        put("sentences.npy", _rows(srows))
        put("sections.json", json.dumps(sections, ensure_ascii=False).encode("utf-8"))
        put("records.sqlite", _records(documents, passages, sentences, prows, srows))
        put("vocabulary.json", build_vocabulary(texts).to_json())
        for filename, data in Lexical.build(texts).payloads().items():
            put(filename, data)
        manifest = {
            "format_version": FORMAT_VERSION,
            "generation": name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": model,
            "dimension": dimension,
            "settings": settings,
            "corpus": corpus,
            "counts": {"documents": len(documents), "passages": len(passages), "sentences": len(sentences)},
            "dense": described,
            "files": hashes,
            "sizes": sizes,
        }
        write_file(tmp / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        _fsync_dir(tmp)
        final = index_dir / name
        os.rename(tmp, final)
        _fsync_dir(index_dir)
        pointer = index_dir / f".{CURRENT}.tmp"
        write_file(pointer, (name + "\n").encode())
        os.replace(pointer, index_dir / CURRENT)
        _fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prune(index_dir, keep=KEEP_GENERATIONS)
    return name


def _rows(rows: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, rows, allow_pickle=False)
    return buffer.getvalue()


def prune(index_dir: Path, keep: int = KEEP_GENERATIONS, grace_seconds: float = 60.0) -> None:
    """Remove old generations (never the current one) and stale temporary folders."""
    live = current_name(index_dir)
    generations = sorted(p for p in index_dir.glob("gen-*") if p.is_dir())
    for old in generations[:-keep]:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)
    now = time.time()
    for tmp in index_dir.glob(".tmp-gen-*"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > grace_seconds:
                shutil.rmtree(tmp, ignore_errors=True)


def read_manifest(index_dir: Path, name: str | None = None) -> dict[str, Any]:
    name = name or current_name(index_dir)
    if name is None:
        raise IndexNotFoundError(str(index_dir))
    try:
        manifest: dict[str, Any] = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"Index generation '{name}' in '{index_dir}' has no readable manifest: {exc}") from exc
    return manifest


def _map(path: Path) -> np.ndarray:
    """A stored array, memory-mapped (an empty one read: there is nothing to map)."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:
        return np.load(path, allow_pickle=False)


def _read_ahead(path: Path) -> None:
    """Ask the kernel to start reading a file into the page cache (it returns at once): the first searches then
    find the mapped pages there instead of waiting on the disk for each."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def open_dense(path: Path) -> Any:
    """The dense index, memory-mapped: a flat one's vectors, or an inverted file's lists (its passages can then be
    looked up by number: a direct map, built in C++ from the mapped lists)."""
    with open(path, "rb") as handle:
        kind = handle.read(4)
    if kind.startswith(b"IxF"):  # IndexFlat*
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.make_direct_map()
    return index


def load_generation(index_dir: Path, name: str | None = None) -> Generation:
    """Open a generation (the current one by default): every file present at its recorded size, the counts
    consistent; raise, never half-open. Contents are checked by `verify_generation`."""
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
    folder = index_dir / name
    sizes = manifest.get("sizes", {})
    for filename in FILES:
        try:
            size = (folder / filename).stat().st_size
        except OSError as exc:
            raise IndexCorruptError(f"Index file {name}/{filename} is missing: {exc}. {rebuild}") from exc
        if size != sizes.get(filename):
            raise IndexCorruptError(
                f"Index file {name}/{filename} is {size:,} bytes, not the {sizes.get(filename)} its manifest records "
                f"(cut short or replaced). {rebuild}"
            )
    for filename in ("vectors.faiss", "sentence_vectors.npy", "bm25-data.npy", "bm25-indices.npy"):
        _read_ahead(folder / filename)
    try:
        index = open_dense(folder / "vectors.faiss")
        sentence_vectors = _map(folder / "sentence_vectors.npy")
        prows, srows = _map(folder / "passages.npy"), _map(folder / "sentences.npy")
        sections = [tuple(path) for path in json.loads((folder / "sections.json").read_bytes())]
        records = _Records(folder / "records.sqlite")
        rows = records.all("SELECT doc_id, title, date, sha256, passages, sentences, source, format, structured, "
                           "length(text), labelled_lines FROM documents ORDER BY i")  # fmt: skip
        infos = [
            DocumentInfo(doc_id=r[0], title=r[1], date=r[2], sha256=r[3], passages=r[4], sentences=r[5], chars=r[9],
                         labelled_lines=r[10])  # fmt: skip
            for r in rows
        ]
        heads = [(r[6], r[7], bool(r[8])) for r in rows]

        def passage_text(pid: int) -> str:
            return str(records.all("SELECT text FROM passage_text WHERE pid = ?", pid)[0][0])

        lexical = Lexical.open(folder)
        vocabulary = Vocabulary.from_json((folder / "vocabulary.json").read_bytes())
    except Exception as exc:
        raise IndexCorruptError(f"Index generation {name} cannot be read: {exc}. {rebuild}") from exc
    counts = manifest.get("counts", {})
    if (
        prows.dtype != PASSAGE_ROW
        or srows.dtype != SENTENCE_ROW
        or counts.get("documents") != len(infos)
        or counts.get("passages") != len(prows)
        or counts.get("sentences") != len(srows)
        or int(index.ntotal) != len(prows)
        or lexical.size != len(prows)
        or sentence_vectors.shape != (len(srows), int(index.d))
    ):
        raise IndexCorruptError(f"Index generation {name} has inconsistent counts. {rebuild}")
    return Generation(
        name=name,
        manifest=manifest,
        documents=DocumentTable(records, infos, heads),
        passages=PassageTable(prows, sections, passage_text),
        sentences=SentenceTable(srows, sections),
        index=index,
        sentence_vectors=sentence_vectors,
        lexical=lexical,
        vocabulary=vocabulary,
    )


def upgrade_version_2(index_dir: Path) -> str | None:
    """Rewrite a current generation of format 2 (JSON lines, vectors in one file each) in this format, vectors
    and all, without embedding anything again; its checksums are checked first. The new generation's name, or
    None when the current one is not of format 2. Call inside `writer_lock`."""
    name = current_name(index_dir)
    if name is None:
        return None
    manifest = read_manifest(index_dir, name)
    if manifest.get("format_version") != 2:
        return None
    folder = index_dir / name
    blobs = {}
    for filename in ("vectors.faiss", "documents.jsonl", "passages.jsonl", "sentences.jsonl", "sentences.npy"):
        data = (folder / filename).read_bytes()
        if content_hash(data) != manifest.get("files", {}).get(filename):
            raise IndexCorruptError(f"Index file {name}/{filename} fails its checksum: it cannot be upgraded.")
        blobs[filename] = data

    def lines(data: bytes, model: type[Any]) -> list[Any]:
        return [model.model_validate_json(line) for line in data.decode("utf-8").splitlines() if line]

    index = faiss.deserialize_index(np.frombuffer(blobs["vectors.faiss"], dtype=np.uint8))
    vectors = index.reconstruct_n(0, int(index.ntotal)) if index.ntotal else np.zeros((0, index.d), np.float32)
    return write_generation(
        index_dir,
        lines(blobs["documents.jsonl"], Document),
        lines(blobs["passages.jsonl"], Passage),
        lines(blobs["sentences.jsonl"], Sentence),
        vectors,
        np.load(io.BytesIO(blobs["sentences.npy"]), allow_pickle=False),
        manifest["model"],
        manifest["settings"],
        int(manifest["dimension"]),
        manifest.get("corpus"),
    )


def verify_generation(index_dir: Path, name: str | None = None) -> list[str]:
    """Hash every file of a generation against its manifest: the problems found (none: it is intact)."""
    name = name or current_name(index_dir)
    if name is None:
        raise IndexNotFoundError(str(index_dir))
    manifest = read_manifest(index_dir, name)
    problems = []
    for filename, expected in sorted(manifest.get("files", {}).items()):
        path = index_dir / name / filename
        try:
            digest = _hash_file(path)
        except OSError as exc:
            problems.append(f"{name}/{filename}: cannot be read ({exc.strerror or exc})")
            continue
        if digest != expected:
            problems.append(f"{name}/{filename}: fails its checksum")
    return problems


def _hash_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
