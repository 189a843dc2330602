"""The words of a segment's sentences and paragraphs, worked out once when the segment is written.

Answering reads, for every candidate sentence, the set of its stemmed words and of its paragraph's
(`qa.text.tokens.tokenize`), and the model's word pieces of its text (the word match). Tokenising and
stemming them anew for each question was a third of an answer's Python time; stored here, a question reads
them from memory-mapped arrays:

    stems.json            the segment's distinct stems (position = stem number)
    stem_ids.npy          int32 stem numbers, sorted within each row, the rows one after another
    stem_starts.npy       int64 where each row starts (one more than rows): the sentences' rows, then the paragraphs'
    sentence_paragraphs.npy  int32 each sentence's paragraph row
    piece_ids.npy, piece_starts.npy  the model's word-piece numbers of each sentence (only when the embedder has a
                          fixed word-piece table; the piece vectors are then rows of it)

Optional files: a segment written before them, or by an embedder without word pieces, lacks them and answering
tokenises those sentences itself, to the same sets. It does not search or score.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qa.records import Document, Sentence
from qa.text.tokens import tokenize

STEM_FILES = ("stems.json", "stem_ids.npy", "stem_starts.npy", "sentence_paragraphs.npy")
PIECE_FILES = ("piece_ids.npy", "piece_starts.npy")
WORD_FILES = (*STEM_FILES, *PIECE_FILES)
KEPT = 65_536  # decoded rows kept per segment (a few MB)
PieceIds = Callable[[Sequence[str]], "list[np.ndarray] | None"]  # texts → each one's word-piece numbers


def _rows(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of numbers as one flat array and where each starts (a compressed sparse row layout)."""
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=starts[1:])
    flat = np.fromiter((x for r in rows for x in r), dtype=np.int32, count=int(starts[-1]))
    return flat, starts


def stem_arrays(documents: Sequence[tuple[Document, Sequence[Sentence]]]) -> dict[str, np.ndarray | list[str]]:
    """The stem files' contents for these documents' sentences (numbered through them in order), paragraphs
    counted once each."""
    stems: dict[str, int] = {}

    def numbered(text: str) -> list[int]:
        return sorted({stems.setdefault(t, len(stems)) for t in tokenize(text)})

    sentence_rows: list[list[int]] = []
    paragraph_rows: list[list[int]] = []
    sentence_paragraphs: list[int] = []
    for document, sentences in documents:
        text, paragraphs = document.text, {}
        for s in sentences:
            sentence_rows.append(numbered(text[s.start : s.end]))
            key = (s.para_start, s.para_end)
            if key not in paragraphs:
                paragraphs[key] = len(paragraph_rows)
                paragraph_rows.append(numbered(text[s.para_start : s.para_end]))
            sentence_paragraphs.append(paragraphs[key])
    ids, starts = _rows([*sentence_rows, *paragraph_rows])
    shift = len(sentence_rows)
    return {
        "stems.json": list(stems),
        "stem_ids.npy": ids,
        "stem_starts.npy": starts,
        "sentence_paragraphs.npy": np.asarray(sentence_paragraphs, dtype=np.int32) + np.int32(shift),
    }


def piece_arrays(pieces: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """The piece files' contents: each sentence's word-piece numbers, in sentence order."""
    ids, starts = _rows([np.asarray(r).tolist() for r in pieces])
    return {"piece_ids.npy": ids, "piece_starts.npy": starts}


class StoredWords:
    """One segment's stored words, read by local sentence number; the arrays are mapped when first read."""

    def __init__(self, load: Callable[[str], np.ndarray], stems: Callable[[], list[str]], pieces: bool) -> None:
        self._load, self._stems_of, self.has_pieces = load, stems, pieces
        self._names: list[str] | None = None
        self._arrays: dict[str, np.ndarray] = {}
        self._decoded: dict[int, frozenset[str]] = {}  # rows read lately: answering reads the same ones again
        # the arrays are mapped once, by one thread: numpy reads each file's header with `ast.literal_eval`, and
        # CPython 3.11 compiling in two threads at once can raise SystemError ("AST constructor recursion depth
        # mismatch"), seen when questions answered in threads first read a segment's words together
        self._loading = threading.Lock()

    @classmethod
    def open(cls, folder: Path, load: Callable[[Path], np.ndarray], pieces: bool) -> StoredWords:
        return cls(
            lambda name: load(folder / name),
            lambda: [str(s) for s in json.loads((folder / "stems.json").read_bytes())],
            pieces,
        )

    def _array(self, name: str) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None:
            with self._loading:
                array = self._arrays.get(name)
                if array is None:
                    array = self._arrays[name] = self._load(name).view(np.ndarray)
        return array

    def _row(self, row: int) -> frozenset[str]:
        found = self._decoded.get(row)
        if found is not None:
            return found
        if self._names is None:
            with self._loading:
                if self._names is None:
                    self._names = self._stems_of()
        starts, names = self._array("stem_starts.npy"), self._names
        ids = self._array("stem_ids.npy")[int(starts[row]) : int(starts[row + 1])].tolist()
        if len(self._decoded) >= KEPT:
            self._decoded.clear()
        found = self._decoded[row] = frozenset([names[i] for i in ids])
        return found

    def sentence(self, local: int) -> frozenset[str]:
        """The stems of a sentence's text: `frozenset(tokenize(text))`."""
        return self._row(local)

    def paragraph(self, local: int) -> frozenset[str]:
        """The stems of the text of a sentence's paragraph."""
        return self._row(int(self._array("sentence_paragraphs.npy")[local]))

    def pieces(self, local: int) -> np.ndarray | None:
        """A sentence's word-piece numbers (None: none stored)."""
        if not self.has_pieces:
            return None
        starts = self._array("piece_starts.npy")
        return np.asarray(self._array("piece_ids.npy")[int(starts[local]) : int(starts[local + 1])], dtype=np.int64)
