"""The embedding backends side by side, in one run: PyTorch (sentence-transformers) against ONNX Runtime over the
same bundled weights (`qa.index.onnx_backend`).

    python -m benchmarks.backends            # prints the table and writes docs/backends.md (needs ../shared)

Texts: the passages and sentences the product cuts from the first 10 Factbook profiles; questions: the fixed
Factbook questions. Each measure alternates the two backends text by text (or pass by pass), so a busy machine
slows both alike; medians and ratios are quoted. Agreement: the cosine between the two backends' vectors of
every text (1.0 is the same vector).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.fixed_questions import FACTBOOK_QUESTIONS
from benchmarks.harness import DOCS, FACTBOOK, needs
from qa.index.embedding import SentenceTransformerEmbedder
from qa.settings import DEFAULT_MODEL, Settings
from qa.text.chunking import chunk_document
from qa.text.documents import read_document

PROFILES = 10
ROUNDS = 3  # whole passes over the passages, alternating backends


def texts_of_profiles(settings: Settings) -> tuple[list[str], list[str]]:
    """The passages and sentences of the first `PROFILES` Factbook profiles, as the product cuts them."""
    passages: list[str] = []
    sentences: list[str] = []
    for i, path in enumerate(sorted(FACTBOOK.glob("*.md"))[:PROFILES]):
        document = read_document(FACTBOOK, path)
        chunked = chunk_document(document, i, settings.passage_max_words, settings.passage_max_pieces)
        passages += [p.text for p in chunked.passages]
        sentences += [document.text[s.start : s.end] for s in chunked.sentences]
    return passages, sentences


def measure() -> dict[str, dict[str, float]]:
    settings = Settings()
    passages, sentences = texts_of_profiles(settings)
    questions = [q for q, _ in FACTBOOK_QUESTIONS][:60]
    backends = {
        name: SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=1, backend=name)
        for name in ("torch", "onnx")
    }
    for embedder in backends.values():
        embedder.embed(["warm up"])
    query: dict[str, list[float]] = {name: [] for name in backends}
    for q in questions:
        for name, embedder in backends.items():
            t = time.perf_counter()
            embedder.embed([q])
            query[name].append(time.perf_counter() - t)
    encode: dict[str, dict[str, list[float]]] = {name: {"passages": [], "sentences": []} for name in backends}
    vectors: dict[str, dict[str, np.ndarray]] = {name: {} for name in backends}
    for _ in range(ROUNDS):
        for kind, texts in (("passages", passages), ("sentences", sentences)):
            for name, embedder in backends.items():
                t = time.perf_counter()
                vectors[name][kind] = embedder.embed(texts)
                encode[name][kind].append(time.perf_counter() - t)
    out: dict[str, dict[str, float]] = {}
    for name in backends:
        out[name] = {
            "query_p50_ms": round(statistics.median(query[name]) * 1000, 2),
            "passages_per_s": round(len(passages) / statistics.median(encode[name]["passages"]), 1),
            "sentences_per_s": round(len(sentences) / statistics.median(encode[name]["sentences"]), 1),
        }
    agreement = np.concatenate(
        [(vectors["onnx"][k] * vectors["torch"][k]).sum(axis=1) for k in ("passages", "sentences")]
    )
    out["texts"] = {"passages": len(passages), "sentences": len(sentences), "questions": len(questions)}
    out["agreement"] = {"min": float(agreement.min()), "mean": float(agreement.mean())}
    return out


def table(result: dict[str, dict[str, float]]) -> str:
    torch, onnx, texts = result["torch"], result["onnx"], result["texts"]
    rows = [
        ("a question encoded, p50 ms (lower is faster)", "query_p50_ms", torch["query_p50_ms"] / onnx["query_p50_ms"]),
        ("passages encoded per second", "passages_per_s", onnx["passages_per_s"] / torch["passages_per_s"]),
        ("sentences encoded per second", "sentences_per_s", onnx["sentences_per_s"] / torch["sentences_per_s"]),
    ]
    lines = [
        f"Measured by `python -m benchmarks.backends` on {time.strftime('%Y-%m-%d')}: {texts['passages']:.0f} "
        f"passages and {texts['sentences']:.0f} sentences of the first {PROFILES} Factbook profiles, "
        f"{texts['questions']:.0f} questions; one thread, batches of {Settings().batch_size}, the two backends "
        "alternating in one run.",
        "",
        "| measure | PyTorch | ONNX Runtime | ONNX speed-up |",
        "|---|---|---|---|",
        *(f"| {label} | {torch[key]} | {onnx[key]} | {ratio:.2f}× |" for label, key, ratio in rows),
        f"| cosine between the two backends' vectors, min / mean | | {result['agreement']['min']:.6f} / "
        f"{result['agreement']['mean']:.6f} | |",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    if not needs(FACTBOOK):
        return 2
    text = table(measure())
    print(text)
    Path(DOCS / "backends.md").write_text(
        "# Embedding backends\n\nThe bundled model run by PyTorch and by ONNX Runtime (the default, "
        "`QA_BACKEND`): the same weights, exported once and cached beside them (`qa/index/onnx_backend.py`). "
        "The vectors agree to float rounding, so the quality tables hold as measured and an index built by one "
        "backend is read by the other. An 8-bit quantised export was tried and not adopted: its vectors' "
        "cosine to PyTorch's was about 0.96 on the sample briefing's sentences, too far to keep the held-out "
        "tables without re-measuring every index.\n\n" + text,
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
