"""A segment: whole documents, their passages, sentences, vectors and term counts, written once and never
changed. An index is a list of segments and the documents removed from them (see `qa.index.store`).

Layout of a segment folder (`segments/seg-000001/`):

    segment.json          counts, dimension, the dense index's kind, sha256 and size of each file
    vectors.faiss         passage vectors: exact (IndexFlatIP) or, for a large segment, an inverted file
    sentence_vectors.npy  float32 L2-normalised sentence vectors (row i = sentence i)
    passages.npy          one row a passage: doc, start, end, first and last sentence, section (NumPy records)
    sentences.npy         one row a sentence: doc, start, end, paragraph start and end, section, passage
    sections.json         the heading paths the rows name by number
    records.sqlite        the documents (metadata and extracted text) and the passages' searchable text
    terms-*.npy, terms.json  the term counts BM25 reads (`qa.index.lexical.TermTable`)
    fields.json, field_vectors.npy  the field paths of its lines ("Population: total") and their vectors,
                          embedded once here rather than for each question that reads the line
    stems.json, stem_ids.npy, …  the stemmed words of each sentence and paragraph, and the model's word pieces of
                          each sentence (`qa.index.words`; optional: older segments lack them)

Numbers inside a segment (documents, passages, sentences) start at 0; an opened index adds each segment's
offset. A segment is written into a temporary folder, each file fsynced and read back, then renamed into
place: a segment folder is always complete. Opening one checks sizes and maps the arrays; nothing is read
into memory until a search touches it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.errors import IndexCorruptError
from qa.index.lexical import FILES as TERM_FILES
from qa.index.lexical import TermTable
from qa.index.words import PIECE_FILES, STEM_FILES, WORD_FILES, StoredWords, piece_arrays, stem_arrays
from qa.records import Document, DocumentInfo, Passage, Section, Sentence
from qa.text.documents import content_hash
from qa.text.structure import line_label
from qa.text.tokens import tokenize

SEGMENT_FORMAT = 1
FILES = (
    "vectors.faiss",
    "sentence_vectors.npy",
    "passages.npy",
    "sentences.npy",
    "sections.json",
    "records.sqlite",
    *TERM_FILES,
    "fields.json",
    "field_vectors.npy",
)
PASSAGE_ROW = np.dtype(
    [
        ("doc", "<i4"),
        ("start", "<i8"),
        ("end", "<i8"),
        ("first_sentence", "<i4"),
        ("last_sentence", "<i4"),
        ("section", "<i4"),
    ]
)
SENTENCE_ROW = np.dtype(
    [
        ("doc", "<i4"),
        ("start", "<i8"),
        ("end", "<i8"),
        ("para_start", "<i8"),
        ("para_end", "<i8"),
        ("section", "<i4"),
        ("passage", "<i4"),
    ]
)
_SCHEMA = """
CREATE TABLE documents (
  i INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL, date TEXT,
  sha256 TEXT NOT NULL, format TEXT NOT NULL, structured INTEGER NOT NULL, headings TEXT NOT NULL,
  pages TEXT NOT NULL, text TEXT NOT NULL, passages INTEGER NOT NULL, sentences INTEGER NOT NULL,
  labelled_lines INTEGER NOT NULL, series TEXT
);
CREATE TABLE passage_text (pid INTEGER PRIMARY KEY, text TEXT NOT NULL);
"""
EXACT_UP_TO = 50_000  # passages searched exactly (IndexFlatIP); above, an inverted file
RECALL_AT_10 = 0.99  # what the inverted file must keep of the exact top 10, on the probe questions


@dataclass(frozen=True)
class Part:
    """One document and its records, numbered from 0 within it (as `chunk_document(document, 0)` makes them)."""

    document: Document
    passages: Sequence[Passage]
    sentences: Sequence[Sentence]


# --- writing -----------------------------------------------------------------------------------


def fsync_dir(path: Path) -> None:
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


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def build_faiss(
    vectors: np.ndarray, dimension: int, probes: np.ndarray | None = None, exact_up_to: int = EXACT_UP_TO
) -> Any:
    """Exact inner-product search up to `exact_up_to` vectors; above, an inverted file (IVF, flat lists) trained
    on a sample, searching the fewest lists (`nprobe`) that keep `RECALL_AT_10` of the exact top 10 for `probes`
    (question-like vectors; a sample of the vectors themselves when none are given): doubled until it does, then
    the fewest found between. Vectors with
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

    def kept(probed: int) -> bool:
        index.nprobe = probed
        _, found = index.search(queries, 10)
        return bool(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)]) >= RECALL_AT_10)

    short, nprobe = 0, 1  # `short`: the most lists known to fall short of the recall
    while nprobe < nlist and not kept(nprobe):
        short, nprobe = nprobe, min(nlist, nprobe * 2)
    while nprobe - short > 1:  # then the fewest between (recall only grows with the lists probed)
        middle = (short + nprobe) // 2
        short, nprobe = (short, middle) if kept(middle) else (middle, nprobe)
    if nprobe * 4 > nlist:  # it would scan over a quarter of the lists: little faster than exact search, and less exact
        del index
        return build_faiss(vectors, dimension, exact_up_to=n)
    index.nprobe = nprobe
    return index


def dense_description(index: Any) -> dict[str, Any]:
    """What a segment records of its dense index: its kind and, for an inverted file, lists and probes."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return {"kind": "exact (IndexFlatIP)"}
    return {"kind": "inverted file (IVF, flat lists)", "nlist": int(ivf.nlist), "nprobe": int(ivf.nprobe),
            "recall_at_10_target": RECALL_AT_10}  # fmt: skip


def _columns(parts: Sequence[Part]) -> tuple[np.ndarray, np.ndarray, list[tuple[str, ...]], list[int]]:
    """The records as rows numbered through the segment, their heading paths numbered; each document's
    count of labelled field lines."""
    numbers: dict[tuple[str, ...], int] = {}
    prows = np.zeros(sum(len(p.passages) for p in parts), dtype=PASSAGE_ROW)
    srows = np.zeros(sum(len(p.sentences) for p in parts), dtype=SENTENCE_ROW)
    labelled = []
    pid = sid = 0
    for doc, part in enumerate(parts):
        for p in part.passages:
            section = numbers.setdefault(tuple(p.section), len(numbers))
            prows[pid + p.pid] = (doc, p.start, p.end, sid + p.first_sentence, sid + p.last_sentence, section)
        text = part.document.text
        count = 0
        for s in part.sentences:
            section = numbers.setdefault(tuple(s.section), len(numbers))
            srows[sid + s.sid] = (doc, s.start, s.end, s.para_start, s.para_end, section, pid + s.passage)
            count += bool(line_label(text[s.start : s.end]))
        labelled.append(count)
        pid += len(part.passages)
        sid += len(part.sentences)
    return prows, srows, list(numbers), labelled


def _records(parts: Sequence[Part], labelled: Sequence[int]) -> bytes:
    """The SQLite file: documents with their text and counts, passages' searchable text."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_document_row(i, part, labelled[i]) for i, part in enumerate(parts)),
        )
        texts = (p.text for part in parts for p in part.passages)
        db.executemany("INSERT INTO passage_text VALUES (?, ?)", enumerate(texts))
        db.commit()
        return bytes(db.serialize())
    finally:
        db.close()


def _document_row(i: int, part: Part, labelled: int) -> tuple[Any, ...]:
    d = part.document
    headings = json.dumps([h.model_dump() for h in d.headings])
    return (i, d.doc_id, d.source, d.title, d.date, d.sha256, d.format, int(d.structured), headings,
            json.dumps(list(d.pages)), d.text, len(part.passages), len(part.sentences), labelled, d.series)  # fmt: skip


def write_segment(
    segments_dir: Path,
    name: str,
    parts: Sequence[Part],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    dimension: int,
    fields: Mapping[str, np.ndarray] | None = None,
    pieces: Sequence[np.ndarray] | None = None,
    probes: np.ndarray | None = None,
) -> dict[str, Any]:
    """Write a complete segment as `segments_dir/name`; what a commit records of it (name, counts, the sha256
    of its segment.json). Each file is made, written, read back and hashed in turn, so one file's bytes are
    held at a time. `pieces`: each sentence's word-piece numbers by the embedder, stored (none stored without
    them). `probes`: question vectors an inverted file's probe count is chosen with (`qa.index.probes`; without
    them, the segment's own sentences)."""
    passages = sum(len(p.passages) for p in parts)
    sentences = sum(len(p.sentences) for p in parts)
    if len(vectors) != passages or len(sentence_vectors) != sentences:
        raise ValueError(
            f"{len(vectors)} vectors for {passages} passages, {len(sentence_vectors)} for {sentences} sentences"
        )
    segments_dir.mkdir(parents=True, exist_ok=True)
    tmp = segments_dir / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        prows, srows, sections, labelled = _columns(parts)
        sentence_matrix = np.asarray(sentence_vectors, dtype=np.float32).reshape(sentences, dimension)
        dense = build_faiss(vectors, dimension, probes=sentence_matrix if probes is None else probes)
        hashes: dict[str, str] = {}
        sizes: dict[str, int] = {}

        def put(filename: str, data: bytes) -> None:
            write_file(tmp / filename, data)
            hashes[filename], sizes[filename] = content_hash(data), len(data)

        described = dense_description(dense)
        put("vectors.faiss", faiss.serialize_index(dense).tobytes())
        del dense
        put("sentence_vectors.npy", npy(sentence_matrix))
        put("passages.npy", npy(prows))
        put("sentences.npy", npy(srows))
        put("sections.json", json.dumps(sections, ensure_ascii=False).encode("utf-8"))
        put("records.sqlite", _records(parts, labelled))
        terms = TermTable.build(tokenize(p.text) for part in parts for p in part.passages)
        for filename, data in terms.payloads().items():
            put(filename, data)
        del terms
        paths = sorted(fields or {})
        put("fields.json", json.dumps(paths, ensure_ascii=False).encode("utf-8"))
        field_matrix = np.asarray([fields[p] for p in paths] if fields else np.zeros((0, dimension)), dtype=np.float32)
        put("field_vectors.npy", npy(field_matrix.reshape(len(paths), dimension)))
        for filename, value in stem_arrays([(part.document, part.sentences) for part in parts]).items():
            put(
                filename,
                json.dumps(value, ensure_ascii=False).encode("utf-8") if isinstance(value, list) else npy(value),
            )
        if pieces is not None:
            if len(pieces) != sentences:
                raise ValueError(f"word pieces for {len(pieces)} sentences, not {sentences}")
            for filename, array in piece_arrays(pieces).items():
                put(filename, npy(array))
        summary = {"documents": len(parts), "passages": passages, "sentences": sentences}
        meta = {"segment_format": SEGMENT_FORMAT, "name": name, "dimension": dimension, "dense": described,
                "counts": summary, "files": hashes, "sizes": sizes}  # fmt: skip
        data = json.dumps(meta, indent=2, sort_keys=True).encode()
        write_file(tmp / "segment.json", data)
        fsync_dir(tmp)
        os.rename(tmp, segments_dir / name)
        fsync_dir(segments_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"name": name, **summary, "sha256": content_hash(data)}


# --- reading -----------------------------------------------------------------------------------


class Records:
    """A segment's SQLite file, opened read-only, one query at a time."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()


def _map(path: Path) -> np.ndarray:
    """A stored array, memory-mapped (an empty one read: there is nothing to map)."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:
        return np.load(path, allow_pickle=False)


def read_ahead(path: Path) -> None:
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


class Segment:
    """One opened segment, read-only; numbers local to it."""

    def __init__(self, folder: Path, meta: dict[str, Any], terms: bool = True) -> None:
        self.folder, self.meta, self.name = folder, meta, folder.name
        for filename in ("vectors.faiss", "sentence_vectors.npy", "terms-passages.npy", "terms-counts.npy"):
            read_ahead(folder / filename)
        self.index = open_dense(folder / "vectors.faiss")
        self.sentence_vectors = _map(folder / "sentence_vectors.npy")
        self.prows, self.srows = _map(folder / "passages.npy"), _map(folder / "sentences.npy")
        self.plain_prows, self.plain_srows = self.prows.view(np.ndarray), self.srows.view(np.ndarray)
        self.sections = [tuple(path) for path in json.loads((folder / "sections.json").read_bytes())]
        self.records = Records(folder / "records.sqlite")
        columns = {str(c[1]) for c in self.records.all("PRAGMA table_info(documents)")}
        series = "series" if "series" in columns else "NULL"  # a column segments written before it lack
        rows = self.records.all("SELECT doc_id, title, date, sha256, passages, sentences, source, format, structured, "
                                f"length(text), labelled_lines, {series} FROM documents ORDER BY i")  # fmt: skip
        self.infos = [
            DocumentInfo(
                doc_id=r[0],
                title=r[1],
                date=r[2],
                sha256=r[3],
                passages=r[4],
                sentences=r[5],
                chars=r[9],
                labelled_lines=r[10],
                series=r[11],
            )
            for r in rows
        ]
        self.heads = [(r[6], r[7], bool(r[8])) for r in rows]
        counts = np.asarray([(r[4], r[5]) for r in rows], dtype=np.int64).reshape(-1, 2)
        self.first_passage = np.concatenate(([0], np.cumsum(counts[:, 0])))  # document i: [first[i], first[i+1])
        self.first_sentence = np.concatenate(([0], np.cumsum(counts[:, 1])))
        self.terms = TermTable.open(folder) if terms else None
        self._fields: dict[str, np.ndarray] | None = None
        stored = meta.get("sizes", {})
        self.words = (
            StoredWords.open(folder, _map, all(f in stored for f in PIECE_FILES))
            if all(f in stored for f in STEM_FILES)
            else None
        )  # None: a segment written before the words were stored
        if (
            self.prows.dtype != PASSAGE_ROW
            or self.srows.dtype != SENTENCE_ROW
            or int(self.index.ntotal) != len(self.prows)
            or self.sentence_vectors.shape != (len(self.srows), int(self.index.d))
            or self.first_passage[-1] != len(self.prows)
            or self.first_sentence[-1] != len(self.srows)
            or (self.terms is not None and self.terms.size != len(self.prows))
        ):
            raise IndexCorruptError(f"Index segment {self.name} has inconsistent counts.")

    def fields(self) -> dict[str, np.ndarray]:
        """The field paths of this segment's lines and their vectors, stored when it was written (none in a
        segment read from an older format)."""
        if self._fields is None:
            try:
                paths = json.loads((self.folder / "fields.json").read_bytes())
                matrix = _map(self.folder / "field_vectors.npy").view(np.ndarray)
            except FileNotFoundError:
                paths, matrix = [], np.zeros((0, int(self.index.d)), np.float32)
            self._fields = {path: matrix[i] for i, path in enumerate(paths)}
        return self._fields

    def passage_text(self, pid: int) -> str:
        return str(self.records.all("SELECT text FROM passage_text WHERE pid = ?", pid)[0][0])

    def document(self, i: int) -> Document:
        headings, pages, text = self.records.all("SELECT headings, pages, text FROM documents WHERE i = ?", i)[0]
        info, (source, fmt, structured) = self.infos[i], self.heads[i]
        return Document.model_construct(
            doc_id=info.doc_id, source=source, title=info.title, date=info.date, text=text, sha256=info.sha256,
            format=fmt, headings=tuple(Section(**h) for h in json.loads(headings)), pages=tuple(json.loads(pages)),
            structured=structured, series=info.series,
        )  # fmt: skip

    def passage_texts(self, lo: int, hi: int) -> list[str]:
        return [
            str(r[0])
            for r in self.records.all("SELECT text FROM passage_text WHERE pid >= ? AND pid < ? ORDER BY pid", lo, hi)
        ]

    def parts(self, documents: Sequence[int]) -> Iterator[tuple[Part, np.ndarray, np.ndarray]]:
        """Documents of this segment as `Part`s numbered from 0, with their passage and sentence vectors (what a
        merge or an upgrade writes again, nothing embedded again)."""
        for i in documents:
            p0, p1 = int(self.first_passage[i]), int(self.first_passage[i + 1])
            s0, s1 = int(self.first_sentence[i]), int(self.first_sentence[i + 1])
            texts = self.passage_texts(p0, p1)
            passages = [
                Passage.model_construct(
                    pid=j - p0,
                    doc=0,
                    start=int(r["start"]),
                    end=int(r["end"]),
                    first_sentence=int(r["first_sentence"]) - s0,
                    last_sentence=int(r["last_sentence"]) - s0,
                    section=self.sections[int(r["section"])],
                    text=texts[j - p0],
                )
                for j, r in zip(range(p0, p1), self.plain_prows[p0:p1], strict=True)
            ]
            sentences = [
                Sentence.model_construct(
                    sid=j - s0,
                    doc=0,
                    start=int(r["start"]),
                    end=int(r["end"]),
                    para_start=int(r["para_start"]),
                    para_end=int(r["para_end"]),
                    section=self.sections[int(r["section"])],
                    passage=int(r["passage"]) - p0,
                )
                for j, r in zip(range(s0, s1), self.plain_srows[s0:s1], strict=True)
            ]
            vectors = self.index.reconstruct_n(p0, p1 - p0) if p1 > p0 else np.zeros((0, self.index.d), np.float32)
            yield Part(self.document(i), passages, sentences), vectors, np.asarray(self.sentence_vectors[s0:s1])


def open_segment(folder: Path, expected_sha256: str | None = None) -> Segment:
    """Open a segment: its segment.json (matching the commit's record of it), every file at its recorded size."""
    fix = "Rebuild the index with: qa index CORPUS_DIR --rebuild"
    try:
        data = (folder / "segment.json").read_bytes()
    except OSError as exc:
        raise IndexCorruptError(f"Index segment {folder.name} is missing or unreadable: {exc}. {fix}") from exc
    if expected_sha256 is not None and content_hash(data) != expected_sha256:
        raise IndexCorruptError(f"Index segment {folder.name} is not the one its commit records. {fix}")
    meta = json.loads(data)
    sizes = meta.get("sizes", {})
    check_sizes(folder, sizes, (*FILES, *(f for f in WORD_FILES if f in sizes)), f"segment {folder.name}")
    try:
        return Segment(folder, meta)
    except IndexCorruptError:
        raise
    except Exception as exc:
        raise IndexCorruptError(f"Index segment {folder.name} cannot be read: {exc}. {fix}") from exc


def check_sizes(folder: Path, sizes: dict[str, int], files: Sequence[str], what: str) -> None:
    for filename in files:
        try:
            size = (folder / filename).stat().st_size
        except OSError as exc:
            raise IndexCorruptError(f"Index file {folder.name}/{filename} ({what}) is missing: {exc}.") from exc
        if size != sizes.get(filename):
            raise IndexCorruptError(
                f"Index file {folder.name}/{filename} is {size:,} bytes, not the {sizes.get(filename)} its manifest records "
                f"(cut short or replaced)."
            )
