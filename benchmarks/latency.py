"""Answer latency with and without the passage re-ranker and the word match, side by side in one run.

    python -m benchmarks.latency          # prints the table, writes docs/latency.md and the README headline

Uses the Factbook index the quality benchmark builds (`benchmarks/.cache/factbook/index`; run
`python -m benchmarks.quality` first) and questions of our own. The two configurations alternate
question by question, so a busy machine slows both alike; medians and their ratio are reported.
Question vectors are computed once up front: what is timed is retrieval plus answering.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.fixed_questions import FACTBOOK_QUESTIONS
from benchmarks.harness import CACHE, real_embedder
from benchmarks.harness import DOCS as OUT
from benchmarks.report import update_results, write_headline
from qa.assistant import Assistant
from qa.settings import Settings

ROUNDS = 5
FULL = "re-ranker (top 20)"


def main() -> int:
    index = CACHE / "factbook" / "index"
    if not (index / "CURRENT").is_file():
        print(f"No Factbook index at {index}: run `python -m benchmarks.quality` first.", file=sys.stderr)
        return 2
    embedder = real_embedder()
    settings = Settings.from_env()
    with_reranker = Assistant.open(index, embedder=embedder, settings=settings)
    without = Assistant.open(
        index, embedder=embedder, settings=settings.model_copy(update={"rerank_depth": settings.top_passages})
    )
    without.weights = replace(without.weights, rerank_weights={})
    no_word_match = Assistant.open(index, embedder=embedder, settings=settings)
    no_word_match.weights = no_word_match.weights.without_word_match()
    questions = [q for q, _ in FACTBOOK_QUESTIONS]
    configurations = {
        FULL: with_reranker,
        "re-ranker, without the word match": no_word_match,
        "fused order (top 5)": without,
    }
    for assistant in configurations.values():
        assistant.prime(questions)
        assistant.prime_fields()
    times: dict[str, list[float]] = {name: [] for name in configurations}
    for _ in range(ROUNDS):
        for question in questions:
            for name, assistant in configurations.items():
                started = time.perf_counter()
                assistant.ask(question)
                times[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times["fused order (top 5)"])
    lines = [
        f"Measured by `python -m benchmarks.latency` on {time.strftime('%Y-%m-%d')}: {len(questions)} Factbook "
        f"questions × {ROUNDS} rounds, question vectors precomputed, 1 thread, on a shared 2-core machine.",
        "",
        "| answering | median ms | p90 ms | ratio to fused order |",
        "|---|---|---|---|",
    ]
    for name, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        lines.append(
            f"| {name} | {statistics.median(values):.1f} | {p90:.1f} | {statistics.median(values) / base:.2f} |"
        )
    table = "\n".join(lines)
    print(table)
    (OUT / "latency.md").write_text("# Answer latency\n\n" + table + "\n")
    measured = {"measured": time.strftime("%Y-%m-%d"), "median_ms": round(statistics.median(times[FULL]), 1)}
    write_headline(update_results("latency", measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
