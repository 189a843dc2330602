"""The learned reader: the bundled MiniLM read as a cross-encoder, its few trained matrices merged in at load.

`reader.json` (what was fitted, on what, and the blend: how many sentences are re-ranked and how much the
reader's score counts, `qa.answering.reader.Blend`) and `reader.npz` (a low-rank adapter of the query, key and
value maps of every layer and a linear head over the mean-pooled token vectors, in float16) sit beside this
module, made by `python -m benchmarks.fit_reader` on tune data. Loading builds the bundled model, adds each
layer's B·A (scaled by alpha / rank) to its weights, and scores each (question, text) pair in one batch.

Only read when `QA_READER=on`: it imports PyTorch and costs a forward pass per sentence re-ranked
(`docs/reader.md` says how much, and what it gains).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from qa.errors import WeightsError
from qa.index.embedding import resolve_model_path

READER_FILE = Path(__file__).with_name("reader.json")
READER_ARRAYS = Path(__file__).with_name("reader.npz")
FORMAT_VERSION = 1


class ReaderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rank: int
    alpha: float
    targets: tuple[str, ...]
    max_tokens: int


class ReaderFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int
    fitted_on: str
    command: str
    model: str
    config: ReaderConfig
    top: int
    weight: float
    scores: dict[str, float] = {}


def read_reader_file(path: Path = READER_FILE) -> ReaderFile:
    try:
        data = ReaderFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise WeightsError(f"Cannot read the learned reader '{path}': {exc}. Restore it from git.") from exc
    if data.format_version != FORMAT_VERSION:
        raise WeightsError(f"'{path}' is format version {data.format_version}; this code reads {FORMAT_VERSION}.")
    return data


def pair_logits(tokenizer: Any, encoder: Any, head: Any, question: str, texts: Sequence[str], max_tokens: int) -> Any:
    """The reader's score of each (question, text) pair, as a tensor: the pair as two segments, its token vectors
    mean-pooled over the real tokens, the head on top. Gradients flow when the caller allows them (the fit)."""
    batch = tokenizer(
        [question] * len(texts),
        list(texts),
        truncation="longest_first",
        max_length=max_tokens,
        padding=True,
        return_tensors="pt",
    )
    out = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
    pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
    return head(pooled).squeeze(-1)


def merged_weight(weight: np.ndarray, a: np.ndarray, b: np.ndarray, scale: float) -> np.ndarray:
    """A linear map's weight (out × in) with its low-rank update B·A (B: out × r, A: r × in) added."""
    return weight + scale * (b.astype(np.float32) @ a.astype(np.float32))


class CrossReader:
    """`PairScorer` over the bundled model and the shipped adapter; thread-safe, loaded on first use."""

    def __init__(self, model: str, threads: int | None = 1, path: Path = READER_FILE) -> None:
        """`path`: the reader's `reader.json`; its arrays are the `.npz` of the same name beside it."""
        self.info = read_reader_file(path)
        if self.info.model != model:
            raise WeightsError(
                f"The learned reader '{path}' was fitted over {self.info.model}, not {model}: set QA_READER=off, or "
                "fit it again with `python -m benchmarks.fit_reader`."
            )
        self._model, self._threads, self._arrays = model, threads, path.with_suffix(".npz")
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, Any] | None = None

    @property
    def top(self) -> int:
        return self.info.top

    @property
    def weight(self) -> float:
        return self.info.weight

    def _load(self) -> tuple[Any, Any, Any]:
        try:  # the adapter first: a missing or broken file is said before the model is loaded
            with np.load(self._arrays) as stored:
                arrays = {name: stored[name] for name in stored.files}
        except (OSError, ValueError) as exc:
            raise WeightsError(
                f"Cannot read the learned reader's arrays '{self._arrays}': {exc}. Restore it from git."
            ) from exc
        import torch
        from transformers import AutoModel, AutoTokenizer

        if self._threads:
            torch.set_num_threads(self._threads)
        directory = resolve_model_path(self._model)
        tokenizer = AutoTokenizer.from_pretrained(directory)
        encoder = AutoModel.from_pretrained(directory)
        config = self.info.config
        scale = config.alpha / config.rank
        with torch.no_grad():
            for name in sorted(n.removesuffix(".a") for n in arrays if n.endswith(".a")):
                linear = encoder.encoder.get_submodule(name)  # "layer.0.attention.self.query"
                merged = merged_weight(linear.weight.numpy(), arrays[f"{name}.a"], arrays[f"{name}.b"], scale)
                linear.weight.copy_(torch.from_numpy(merged))
            head = torch.nn.Linear(encoder.config.hidden_size, 1)
            head.weight.copy_(torch.from_numpy(arrays["head.weight"].astype(np.float32)))
            head.bias.copy_(torch.from_numpy(arrays["head.bias"].astype(np.float32)))
        encoder.eval()
        return tokenizer, encoder, head

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        import torch

        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
        tokenizer, encoder, head = self._loaded
        with torch.inference_mode():
            logits = pair_logits(tokenizer, encoder, head, question, texts, self.info.config.max_tokens)
            return [float(x) for x in logits]
