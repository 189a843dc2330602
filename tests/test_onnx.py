"""The ONNX Runtime backend (`qa.index.onnx_backend`): the same vectors as PyTorch, a cached export checked by
hash, and PyTorch wherever the ONNX path cannot reproduce the model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.errors import QAError
from qa.index import onnx_backend
from qa.index.embedding import SentenceTransformerEmbedder, make_embedder, onnx_ready, resolve_model_path
from qa.index.onnx_backend import cached_model, mean_pool
from qa.settings import DEFAULT_MODEL


def test_mean_pooling_counts_only_the_real_tokens() -> None:
    tokens = np.array([[[1.0, 0.0], [0.0, 1.0], [9.0, 9.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    pooled = mean_pool(tokens, mask)
    assert np.allclose(pooled, [[2**-0.5, 2**-0.5]])  # the padding's (9, 9) left out, then unit length


def test_an_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(QAError, match="Unknown embedding backend 'tpu'"):
        make_embedder(DEFAULT_MODEL, backend="tpu")


def test_a_model_pooled_otherwise_runs_on_pytorch(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    modules = [{"type": f"sentence_transformers.models.{k}"} for k in ("Transformer", "Pooling", "Normalize")]
    (tmp_path / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}), "utf-8")
    assert not onnx_ready(tmp_path)
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}), "utf-8")
    assert onnx_ready(tmp_path)


@pytest.mark.slow
def test_onnx_vectors_spans_and_pieces_match_pytorchs() -> None:
    onnx = SentenceTransformerEmbedder(DEFAULT_MODEL, 4, threads=1, backend="onnx")
    torch = SentenceTransformerEmbedder(DEFAULT_MODEL, 4, threads=1, backend="torch")
    assert (onnx.backend, torch.backend) == ("onnx", "torch")
    texts = ["Mexico supplies Russia with coffee.", "A much longer sentence " * 40, "Lavrov met Fuente.", "Hi"]
    assert (onnx.embed(texts) * torch.embed(texts)).sum(axis=1).min() > 0.99999  # batches sorted by length too
    spans = [[(0, 6), (7, len(t))] for t in texts]
    (_, mine), (_, theirs) = onnx.embed_with_spans(texts, spans), torch.embed_with_spans(texts, spans)
    for row_a, row_b in zip(mine, theirs, strict=True):
        for a, b in zip(row_a, row_b, strict=True):
            assert (a is None) == (b is None) and (a is None or float(a @ b) > 0.99999)
    for a, b in zip(onnx.piece_vectors(texts), torch.piece_vectors(texts), strict=True):
        assert np.allclose(a, b)
    assert onnx.count_pieces(texts[1]) == torch.count_pieces(texts[1])
    assert onnx.max_seq_length == torch.max_seq_length and onnx.dimension == torch.dimension


@pytest.mark.slow
def test_the_export_is_cached_and_made_again_when_its_record_does_not_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model"
    shutil.copytree(resolve_model_path(DEFAULT_MODEL), model, ignore=shutil.ignore_patterns("onnx"))
    first = cached_model(model)
    assert first == model / "onnx" / "model.onnx" and first.stat().st_size > 1_000_000
    exports: list[Path] = []
    monkeypatch.setattr(onnx_backend, "export", lambda _dir, out: exports.append(out))
    assert cached_model(model) == first and exports == []  # the record matches: nothing exported
    record = model / "onnx" / "model.onnx.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**data, "weights_sha256": "0" * 64}), encoding="utf-8")  # other weights
    cached_model(model)
    assert exports == [first]
    with open(first, "ab") as handle:  # a damaged file: its hash no longer matches the record
        handle.write(b"x")
    cached_model(model)
    assert len(exports) == 2


TEXTS = [
    "Mexico supplies Russia with coffee, tequila and avocados.",
    "",
    " ",
    "Ça va? Москва 北京 🙂 naïve café — São Paulo\u200b\u00a0end",
    "word " * 400,  # longer than the window: cut
    "**population:** 130,739,927 (2024 est.)",
]


@pytest.mark.parametrize("max_length", [256, 16])
def test_the_tokenizers_file_gives_transformers_pieces_ids_and_offsets(max_length: int) -> None:
    from transformers import AutoTokenizer

    from qa.index.onnx_backend import FastTokenizer

    folder = resolve_model_path(DEFAULT_MODEL)
    theirs, mine = (
        AutoTokenizer.from_pretrained(str(folder), local_files_only=True),
        FastTokenizer(folder / "tokenizer.json"),
    )
    for lo in range(0, len(TEXTS), 4):  # batches of unequal lengths: padded to the longest
        batch = TEXTS[lo : lo + 4]
        kwargs = {"padding": True, "truncation": True, "max_length": max_length, "return_offsets_mapping": True}
        a, b = theirs(batch, return_tensors="np", **kwargs), mine(batch, return_tensors="np", **kwargs)
        for key in ("input_ids", "attention_mask", "token_type_ids", "offset_mapping"):
            assert np.array_equal(np.asarray(a[key]), b[key]), key
    whole = theirs(TEXTS, add_special_tokens=False, verbose=False)["input_ids"]
    assert whole == mine(TEXTS, add_special_tokens=False)["input_ids"] and len(whole[4]) == 400
    assert [theirs(t)["input_ids"] for t in TEXTS] == [mine(t)["input_ids"] for t in TEXTS]


@pytest.mark.slow
def test_asking_imports_neither_pytorch_nor_transformers(tmp_path: Path) -> None:
    # they cost a process seconds at start: the app, `qa ask` and each serving replica ask on ONNX Runtime alone
    import subprocess
    import sys

    cached_model(resolve_model_path(DEFAULT_MODEL))  # the export, made once, is PyTorch's work: made here first
    script = (
        "import sys\n"
        "from qa.index.embedding import make_embedder\n"
        "from qa.settings import DEFAULT_MODEL\n"
        "e = make_embedder(DEFAULT_MODEL)\n"
        "e.embed(['What does Mexico supply to Russia?']); e.piece_vectors(['coffee']); e.count_pieces('tea')\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert run.stdout.strip() == "[]"
