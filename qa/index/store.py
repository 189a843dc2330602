"""The index on disk: immutable generations, a manifest with checksums, and an atomic pointer.

Layout of an index folder:

    CURRENT               the name of the live generation, replaced atomically
    gen-000001/
        manifest.json     format version, model, dimension, settings, counts, sha256 of each file
        vectors.faiss     a FAISS IndexFlatIP over L2-normalised passage vectors (row i = passage i)
        documents.jsonl   one Document per line (with its extracted text)
        passages.jsonl    one Passage per line
        sentences.jsonl   one Sentence per line
        sentences.npy     float32 L2-normalised sentence vectors (row i = sentence i), NumPy format

A generation is written into a temporary folder, every file fsynced and read back, the folder
renamed, and only then is CURRENT replaced. Readers verify checksums and counts before using a
generation, so a crash at any point leaves the previous generation served. No pickle anywhere.
This module does not decide what goes into a generation: see `indexing`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.errors import IndexCorruptError, IndexFormatError, IndexLockedError, IndexNotFoundError
from qa.records import Document, Passage, Sentence
from qa.text.documents import content_hash

FORMAT_VERSION = 2  # 2: sentence vectors stored with the generation
CURRENT = "CURRENT"
FILES = ("vectors.faiss", "documents.jsonl", "passages.jsonl", "sentences.jsonl", "sentences.npy")
KEEP_GENERATIONS = 2


@dataclass
class Generation:
    """One loaded, verified generation. Read-only once built."""

    name: str
    manifest: dict[str, Any]
    documents: list[Document]
    passages: list[Passage]
    sentences: list[Sentence]
    index: Any  # faiss.Index
    sentence_vectors: np.ndarray  # row i: sentence i
    doc_by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doc_by_id = {doc.doc_id: i for i, doc in enumerate(self.documents)}

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


def _jsonl(records: Sequence[Any]) -> bytes:
    return "".join(record.model_dump_json() + "\n" for record in records).encode("utf-8")


def _npy(matrix: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(matrix, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def build_faiss(vectors: np.ndarray, dimension: int) -> Any:
    index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


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
        payloads = {
            "vectors.faiss": faiss.serialize_index(build_faiss(vectors, dimension)).tobytes(),
            "documents.jsonl": _jsonl(documents),
            "passages.jsonl": _jsonl(passages),
            "sentences.jsonl": _jsonl(sentences),
            "sentences.npy": _npy(sentence_vectors.reshape(len(sentences), dimension)),
        }
        for filename, data in payloads.items():
            write_file(tmp / filename, data)
        manifest = {
            "format_version": FORMAT_VERSION,
            "generation": name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": model,
            "dimension": dimension,
            "settings": settings,
            "corpus": corpus,
            "counts": {"documents": len(documents), "passages": len(passages), "sentences": len(sentences)},
            "files": {filename: content_hash(data) for filename, data in payloads.items()},
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


def _read_jsonl(data: bytes, model: type[Any]) -> list[Any]:
    return [model.model_validate_json(line) for line in data.decode("utf-8").splitlines() if line]


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
    """Load and verify a generation (the current one by default); raise, never half-load."""
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
    blobs: dict[str, bytes] = {}
    for filename in FILES:
        try:
            data = (index_dir / name / filename).read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"Index file {name}/{filename} is missing: {exc}. {rebuild}") from exc
        if content_hash(data) != manifest.get("files", {}).get(filename):
            raise IndexCorruptError(f"Index file {name}/{filename} fails its checksum. {rebuild}")
        blobs[filename] = data
    try:
        documents = _read_jsonl(blobs["documents.jsonl"], Document)
        passages = _read_jsonl(blobs["passages.jsonl"], Passage)
        sentences = _read_jsonl(blobs["sentences.jsonl"], Sentence)
        index = faiss.deserialize_index(np.frombuffer(blobs["vectors.faiss"], dtype=np.uint8))
        sentence_vectors = np.load(io.BytesIO(blobs["sentences.npy"]), allow_pickle=False)
    except Exception as exc:
        raise IndexCorruptError(f"Index generation {name} cannot be read: {exc}. {rebuild}") from exc
    counts = manifest.get("counts", {})
    if (
        counts.get("documents") != len(documents)
        or counts.get("passages") != len(passages)
        or counts.get("sentences") != len(sentences)
        or int(index.ntotal) != len(passages)
        or sentence_vectors.shape != (len(sentences), int(index.d))
    ):
        raise IndexCorruptError(f"Index generation {name} has inconsistent counts. {rebuild}")
    return Generation(
        name=name,
        manifest=manifest,
        documents=documents,
        passages=passages,
        sentences=sentences,
        index=index,
        sentence_vectors=sentence_vectors,
    )
