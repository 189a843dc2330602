"""How many texts to embed per forward pass when indexing (`QA_BATCH_SIZE`).

    python -m benchmarks.batch_size         # needs ../shared; about 15 minutes; writes docs/batch-size.md
    python -m benchmarks.batch_size --render   # the table again from the last measurement

A batch is padded to its longest text, so a large batch of texts of unequal length spends much of its work on
padding; a small one pays more per-call overhead. This embeds the passages and the sentences of the first
PROFILES Factbook profiles with the bundled model at several batch sizes, on one thread (a Ray worker, a
replica) and on both cores (`qa index` alone on this machine), two ways: all the files in one call (a
single-process build: the model sorts the texts by length) and one call a file (a Ray task of one file).
Seconds of wall time, the best of REPEATS, all sizes interleaved in one process.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from benchmarks.harness import ROOT

FACTBOOK = ROOT.parent / "shared" / "eval" / "factbook"
DOCS = ROOT / "docs"
RESULTS = ROOT / "benchmarks" / ".cache" / "batch-size.json"  # the last measurement: `--render` writes it again
PROFILES = 4
SIZES = (64, 32, 16, 8)
REPEATS = 2


def texts_by_file() -> tuple[list[list[str]], list[list[str]]]:
    """The passages and the sentences (as they are embedded) of each profile."""
    from qa.index.reading import BoundedReader
    from qa.index.sync import read_part, sentence_embed_text
    from qa.settings import Settings

    settings = Settings.from_env()
    reader = BoundedReader(settings.read_seconds)
    passages, sentences = [], []
    for path in sorted(FACTBOOK.glob("*.md"))[:PROFILES]:
        part = read_part(reader, FACTBOOK, path, settings)
        assert not isinstance(part, str), part
        passages.append([p.text for p in part.passages])
        sentences.append([sentence_embed_text(part.document, s) for s in part.sentences])
    return passages, sentences


def timed(embed: Callable[[list[str]], Any], groups: list[list[str]], one_call: bool) -> float:
    started = time.perf_counter()
    if one_call:
        embed([t for g in groups for t in g])
    else:
        for group in groups:
            embed(group)
    return time.perf_counter() - started


def main() -> int:
    if not FACTBOOK.is_dir():
        print(f"No Factbook profiles at {FACTBOOK}: this needs ../shared.", file=sys.stderr)
        return 2
    if "--render" not in sys.argv:
        passages, sentences = texts_by_file()
        measured = {"rows": measure(passages, sentences), "passages": sum(map(len, passages)),
                    "sentences": sum(map(len, sentences))}  # fmt: skip
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(measured), encoding="utf-8")
    text = render(json.loads(RESULTS.read_text(encoding="utf-8")))
    print(text)
    (DOCS / "batch-size.md").write_text(text, encoding="utf-8")
    return 0


def measure(passages: list[list[str]], sentences: list[list[str]]) -> list[tuple[int, int, dict[str, float]]]:
    from qa.index.embedding import make_embedder
    from qa.settings import Settings

    model = Settings.from_env().model
    rows = []
    for threads in (1, 2):
        embedders = {size: make_embedder(model, size, threads=threads) for size in SIZES}
        for embedder in embedders.values():
            embedder.embed(["warm up"])
        best: dict[tuple[int, str], float] = {}
        for _ in range(REPEATS):
            for size, embedder in embedders.items():  # interleaved: the machine's drift falls on every size
                for kind, groups in (("passages", passages), ("sentences", sentences)):
                    for one_call in (True, False):
                        key = (size, f"{kind}, {'one call' if one_call else 'a call a file'}")
                        seconds = timed(embedder.embed, groups, one_call)
                        best[key] = min(best.get(key, seconds), seconds)
        for size in SIZES:
            rows.append((threads, size, {k: v for (s, k), v in best.items() if s == size}))
        print(rows[-len(SIZES) :], file=sys.stderr)
    return rows


def render(measured: dict[str, Any]) -> str:
    from qa.settings import Settings

    rows = measured["rows"]
    sizes = sorted({size for _, size, _ in rows}, reverse=True)
    columns = list(rows[0][2])
    lines = [
        "# Batch size when indexing",
        "",
        f"Measured by `python -m benchmarks.batch_size` on {time.strftime('%Y-%m-%d')} on a shared 2-core machine: "
        f"the bundled model embedding the {measured['passages']:,} passages and {measured['sentences']:,} sentences "
        f"of the first {PROFILES} Factbook profiles; seconds (best of {REPEATS}), and in brackets the speed against "
        f"a batch of {sizes[0]}.",
        "",
        "| threads | batch | " + " | ".join(columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for threads, size, cells in rows:
        base = next(c for t, s, c in rows if t == threads and s == sizes[0])
        lines.append(
            f"| {threads} | {size} | "
            + " | ".join(f"{cells[c]:.1f} ({base[c] / cells[c]:.2f}×)" for c in columns)
            + " |"
        )
    total = {size: sum(sum(c.values()) for _, s, c in rows if s == size) for size in sizes}
    fastest = min(total, key=lambda size: total[size])
    default = Settings().batch_size
    lines += [
        "",
        f"Over every column and both thread counts, a batch of {fastest} takes the least time in all "
        f"({total[fastest]:.0f} s against {total[sizes[0]]:.0f} s at {sizes[0]}). The default "
        f"(`QA_BATCH_SIZE`) is {default}"
        + (": that one." if default == fastest else f" ({total.get(default, float('nan')):.0f} s)."),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
