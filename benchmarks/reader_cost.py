"""What a learned reader over the bundled model would cost per question here: a cross-encoder reads the question
and one candidate sentence together in one forward pass of the same MiniLM, so its cost is that of encoding the
pair as one text (a scoring head adds a dot product). Measured on ONNX Runtime, one thread, alternating with the
question's own encode and with `ask()`, for the top 1, 3 and 5 sentences `ask()` quotes from.

    python -m benchmarks.reader_cost        # needs ../shared and the cached Factbook index; writes docs/reader-cost.md

The speed issue's bound for an answer with a reader is 2.0x the bare question encode; the table says how far a
re-ranker of k sentences would take `ask()` from it, whatever its weights (no training is needed to know the cost).
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.fixed_questions import FACTBOOK_QUESTIONS
from benchmarks.harness import CACHE, DOCS, FACTBOOK, needs
from qa.assistant import Assistant
from qa.index.embedding import SentenceTransformerEmbedder
from qa.settings import DEFAULT_MODEL, Settings

TOPS = (1, 3, 5)


def main() -> int:
    if not needs(FACTBOOK):
        return 2
    index = CACHE / "factbook" / "index"
    if not (index / "CURRENT").is_file():
        print("No cached Factbook index: python -m benchmarks.factbook builds it.", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=1, backend="onnx")
    bare = SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=1, backend="torch")
    assistant = Assistant.open(index, embedder=embedder, settings=settings)
    questions = [q for q, _ in FACTBOOK_QUESTIONS][:60]
    for q in questions[:5]:
        assistant.ask(q)
        bare.embed([q])
    asks, encodes, pairs = [], [], {k: [] for k in TOPS}  # type: ignore[var-annotated]
    for q in questions:
        assistant.encoder.forget()
        started = time.perf_counter()
        answer = assistant.ask(q)
        asks.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare.embed([q])
        encodes.append(time.perf_counter() - started)
        quoted = [c.quote for c in answer.citations + answer.nearest] or [q]
        for k in TOPS:
            texts = [f"{q} {s}" for s in (quoted * k)[:k]]  # the pair as one text: question, then sentence
            started = time.perf_counter()
            embedder.embed(texts)
            pairs[k].append(time.perf_counter() - started)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    ask, encode = ms(asks), ms(encodes)
    lines = [
        "# What a learned reader would cost",
        "",
        f"Measured by `python -m benchmarks.reader_cost` on {time.strftime('%Y-%m-%d')}: {len(questions)} fixed Factbook "
        "questions over all 82 profiles, one thread; each question's pairs are its own quoted sentences (repeated "
        "when fewer), encoded on ONNX Runtime in one batch, as a cross-encoder over the bundled MiniLM would read "
        "them. Medians.",
        "",
        f"`ask()` today: {ask:.1f} ms; the bare PyTorch question encode: {encode:.1f} ms ({ask / encode:.2f}×).",
        "",
        "| sentences re-ranked | reader ms | `ask()` with it, ms | × the bare encode | bound |",
        "|---|---|---|---|---|",
        *(
            f"| {k} | {ms(pairs[k]):.1f} | {ask + ms(pairs[k]):.1f} | {(ask + ms(pairs[k])) / encode:.2f}× | ≤ 2.0× |"
            for k in TOPS
        ),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (DOCS / "reader-cost.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
