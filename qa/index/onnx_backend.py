"""The bundled model's transformer run by ONNX Runtime: the same weights, the same vectors, without PyTorch's
per-call overhead.

The ONNX file is exported once from the model folder's own weights (by PyTorch, which the project installs
anyway) and cached: beside the model when that folder is writable, else under the user's cache. A small JSON
record beside it names the SHA-256 of the weights it was made from and of the file itself; a missing, partial or
stale file (other weights, a different hash) is exported again, written aside and renamed into place, so a crash
or two processes at once never leave a half-written model in use. Nothing is downloaded.

Pooling and normalisation follow the model's own modules (mean over the real tokens, then L2), in NumPy; the
tokenizer is the model folder's `tokenizer.json`, read by the `tokenizers` library (so that a process that only
asks imports neither transformers nor PyTorch). Vectors match the PyTorch path to float rounding (cosine
≥ 0.99999: `tests/test_onnx.py`; 1.000000 over 4,730 Factbook texts: `python -m benchmarks.backends`), so an
index built by one is read by the other.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import QAError

EXPORT_VERSION = 1  # bump when the export's inputs, outputs or opset change: cached files are then made again
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def weights_file(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).is_file():
            return model_dir / name
    raise QAError(f"No model weights (model.safetensors) in '{model_dir}': cannot run it with ONNX Runtime.")


def cache_dir(model_dir: Path, weights_sha: str) -> Path:
    """Beside the model when its folder can be written, else the user's cache (keyed by the weights' hash)."""
    beside = model_dir / "onnx"
    try:
        beside.mkdir(exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=beside, delete=True)  # noqa: SIM115 - only a write test
        probe.close()
        return beside
    except OSError:
        place = Path.home() / ".cache" / "briefing-qa" / "onnx" / weights_sha[:16]
        place.mkdir(parents=True, exist_ok=True)
        return place


def cached_model(model_dir: Path) -> Path:
    """The ONNX file for `model_dir`'s weights: the cached one when its record matches them, else exported now."""
    weights = weights_file(model_dir)
    weights_sha = file_sha256(weights)
    place = cache_dir(model_dir, weights_sha)
    onnx_path, record_path = place / "model.onnx", place / "model.onnx.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if (
            record.get("export_version") == EXPORT_VERSION
            and record.get("weights_sha256") == weights_sha
            and onnx_path.is_file()
            and record.get("onnx_sha256") == file_sha256(onnx_path)
        ):
            return onnx_path
    except (OSError, ValueError):
        pass
    export(model_dir, onnx_path)
    record = {"export_version": EXPORT_VERSION, "weights_sha256": weights_sha, "onnx_sha256": file_sha256(onnx_path)}
    aside = record_path.with_suffix(f".{os.getpid()}.tmp")
    aside.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(aside, record_path)
    return onnx_path


def export(model_dir: Path, out: Path) -> None:
    """Export the model's transformer (token outputs, before pooling) to `out`, written aside then renamed."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)

    class TokenOutputs(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tokenizer(["a short text", "a somewhat longer text to pad the other"], padding=True, return_tensors="pt")
    aside = out.with_suffix(f".{os.getpid()}.tmp")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "token_outputs")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on the model's Python branches
        torch.onnx.export(
            TokenOutputs(model),
            tuple(sample[name] for name in INPUTS),
            str(aside),
            input_names=list(INPUTS),
            output_names=["token_outputs"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    os.replace(aside, out)


class FastTokenizer:
    """The model folder's `tokenizer.json` read by the `tokenizers` library alone: the pieces, ids and offsets of
    transformers' fast tokenizer (which wraps the same file) without importing transformers and PyTorch, which
    cost a process several seconds at start. Called as that tokenizer is called here: a batch padded to its longest
    text and cut at `max_length` (`padding=True, truncation=True`), or texts whole and unpadded."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        text = path.read_text(encoding="utf-8")
        self._whole = Tokenizer.from_str(text)
        self._whole.no_padding()
        self._whole.no_truncation()
        self._batched = Tokenizer.from_str(text)
        self._batched.no_truncation()
        own = self._batched.padding or {}  # the file's own pad token, padded to the longest text, on the right
        self._batched.enable_padding(
            pad_id=own.get("pad_id", 0), pad_type_id=own.get("pad_type_id", 0), pad_token=own.get("pad_token", "[PAD]")
        )
        self._cut_at: int | None = None

    def __call__(
        self,
        texts: str | Sequence[str],
        *,
        padding: bool = False,
        truncation: bool = False,
        max_length: int | None = None,
        add_special_tokens: bool = True,
        return_tensors: str | None = None,
        return_offsets_mapping: bool = False,
        verbose: bool = True,
    ) -> dict[str, Any]:
        del verbose  # transformers' switch for its length warning: none is printed here
        single = isinstance(texts, str)
        batch = [texts] if isinstance(texts, str) else list(texts)
        if padding or truncation:
            tokenizer = self._batched
            cut_at = max_length if truncation else None
            if cut_at != self._cut_at:
                if cut_at is None:
                    tokenizer.no_truncation()
                else:
                    tokenizer.enable_truncation(cut_at)
                self._cut_at = cut_at
        else:
            tokenizer = self._whole
        encodings = tokenizer.encode_batch(batch, add_special_tokens=add_special_tokens)
        out: dict[str, Any] = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        if return_offsets_mapping:
            out["offset_mapping"] = [e.offsets for e in encodings]
        if return_tensors == "np":
            out = {key: np.asarray(value, dtype=np.int64) for key, value in out.items()}
        elif single:
            out = {key: value[0] for key, value in out.items()}
        return out


class OnnxTransformer:
    """An ONNX Runtime session over the exported transformer, with the model folder's tokenizer."""

    def __init__(self, model_dir: Path, threads: int | None, max_length: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(cached_model(model_dir)), options, providers=["CPUExecutionProvider"])
        self.tokenizer = FastTokenizer(model_dir / "tokenizer.json")
        self.max_length = max_length

    def token_outputs(self, texts: Sequence[str], offsets: bool = False) -> tuple[np.ndarray, np.ndarray, Any]:
        """The token outputs of a batch (batch, tokens, dim), its attention mask, and the tokenizer's encoding."""
        encoded = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="np",
            return_offsets_mapping=offsets,
        )
        feed = {name: encoded[name].astype(np.int64) for name in INPUTS}
        outputs = self.session.run(["token_outputs"], feed)[0]
        return outputs, encoded["attention_mask"], encoded

    def embed(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors, in batches of texts of similar length (less padding)."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: np.ndarray | None = None
        for lo in range(0, len(order), batch_size):
            rows = order[lo : lo + batch_size]
            tokens, mask, _ = self.token_outputs([texts[i] for i in rows])
            vectors = mean_pool(tokens, mask)
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def mean_pool(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of each row's real token outputs, L2-normalised (the model's Pooling and Normalize modules)."""
    weights = mask[..., None].astype(np.float32)
    summed = (tokens * weights).sum(axis=1)
    means = summed / np.maximum(weights.sum(axis=1), 1e-9)
    return (means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)).astype(np.float32)
