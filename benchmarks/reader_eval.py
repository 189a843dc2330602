"""What the learned reader gains and costs, on held-out questions it never trained or chose on.

    python -m benchmarks.reader_eval        # after reader_groups and fit_reader; writes docs/reader.md

1. The first sentence right: each held-out answerable question's best `KEPT` sentences by today's score
   (`benchmarks/.cache/reader/heldout.jsonl`), re-ordered by the shipped reader's blend, against today's order;
   the same for the tune "choose" fold (where the blend was chosen) beside it.
2. The cost: the reader's forward pass over a question's `top` sentences, against the question's own encode by
   the bundled model (ONNX Runtime, as answering encodes it), alternating, one thread, medians.
The whole answer with the reader on (its confidence and refusals too) is measured by
`QA_READER=on python -m benchmarks.quality --no-ablations --no-write`.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.fit_reader import first_right, read_rows
from benchmarks.harness import DOCS, real_embedder
from qa.answering.reader import Blend
from qa.index.reader import CrossReader, read_reader_file
from qa.settings import DEFAULT_MODEL

TIMED = 60  # questions timed


def main() -> int:
    info = read_reader_file()
    reader = CrossReader(DEFAULT_MODEL, threads=1)
    blend = Blend(info.top, info.weight)
    lines = []
    for split, fold in (("tune", "choose"), ("heldout", None)):
        rows = [r for r in read_rows(split) if fold is None or r["fold"] == fold]
        scores = [reader.score(r["question"], r["texts"][: blend.top]) for r in rows]
        for source in ("squad", "factbook"):
            mine = [(r, s) for r, s in zip(rows, scores, strict=True) if r["source"] == source]
            rs, ss = [r for r, _ in mine], [s for _, s in mine]
            today, read = first_right(rs, ss, Blend(blend.top, 0.0)), first_right(rs, ss, blend)
            name = f"{split} ({fold} fold)" if fold else split
            lines.append(f"| {source} {name} | {len(rs)} | {today:.3f} | {read:.3f} | {read - today:+.3f} |")
            print(lines[-1], file=sys.stderr, flush=True)
    rows = read_rows("heldout")[:: max(1, len(read_rows("heldout")) // TIMED)][:TIMED]
    embedder = real_embedder()
    embedder.embed(["warm up"])
    reader.score("warm up", ["warm up"])
    encode_ms, reader_ms = [], []
    for r in rows:
        started = time.perf_counter()
        embedder.embed([r["question"]])
        encode_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reader.score(r["question"], r["texts"][: blend.top])
        reader_ms.append((time.perf_counter() - started) * 1000)
    encode, read = statistics.median(encode_ms), statistics.median(reader_ms)
    today = datetime.date.today().isoformat()
    text = f"""# The learned reader

Measured by `python -m benchmarks.reader_eval` on {today}. The reader is the bundled MiniLM read as a cross-encoder
(the question and a sentence's title, headings and text as one pair), with a low-rank adapter of its attention
maps and a linear head fitted by `python -m benchmarks.fit_reader` on the tune rows' "train" fold
(`benchmarks/reader_groups.py`: two in three SQuAD tune articles and Factbook tune countries); how many sentences
it re-orders ({blend.top}) and its weight in the blend ({blend.weight}) were chosen on the "choose" fold, which
it never trained on. `QA_READER=on` turns it on; it is off by default (below: what it costs).

#### The first sentence right, among each answerable question's best sentences by today's score

| questions | count | today | with the reader | change |
|---|---|---|---|---|
{chr(10).join(lines)}

#### What it costs (one thread, {len(rows)} held-out questions, medians)

| step | ms |
|---|---|
| the question's encode (ONNX Runtime) | {encode:.1f} |
| the reader over the best {blend.top} sentences (PyTorch) | {read:.1f} |
| ratio | {read / encode:.1f}× |

Fitted: {info.scores}.
"""
    (DOCS / "reader.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
