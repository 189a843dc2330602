"""Past one machine, measured on one: indexing with 1 and 2 Ray workers against the single-process build, and
answers per second from 1 and 2 Ray Serve replicas under load.

    python benchmarks/scale_out.py          # needs ../shared; the bundled model; writes docs/scale-out.md

Indexing: the first PROFILES Factbook profiles, indexed from scratch by `qa`'s single-process sync (torch on
one thread) and by `qa index --ray` with 1 and 2 workers (one thread each), each in turn
on this 2-core machine; passages per second, the Ray runs' start-up included. Serving: the same index
behind `qa serve` with 1, then 2 replicas; CLIENTS threads post questions (each one new, so each is
embedded) for SECONDS each; answers per second and latency percentiles. The commit of the 2-worker build is checked identical to the
single-process one (documents, passages, offsets, texts).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FACTBOOK = ROOT.parent / "shared" / "eval" / "factbook"
DOCS = ROOT / "docs"
PROFILES = 24
CLIENTS = 8
SECONDS = 30
QUESTIONS = [
    "What is the capital of Algeria?",
    "How many people live in Australia?",
    "Who is the chief of state of Burma?",
    "What is the climate of Sri Lanka?",
    "What are the natural resources of Algeria?",
    "What languages are spoken in Australia?",
]


def index_runs(corpus: Path, work: Path) -> list[dict[str, Any]]:
    from qa.index.distributed import sync_index_ray
    from qa.index.embedding import make_embedder
    from qa.index.store import load_generation
    from qa.index.sync import sync_index
    from qa.settings import Settings

    settings = Settings.from_env()
    rows = []
    for label, threads in (
        ("single process, 1 thread", 1),
    ):  # torch on both cores was no faster here (71.0 s against 71.5)
        embedder = make_embedder(settings.model, settings.batch_size, threads=threads)
        embedder.embed(["warm up"])
        started = time.perf_counter()
        report = sync_index(corpus, work / label.replace(" ", "-").replace(",", ""), embedder, settings)
        rows.append({"way": label, "passages": report.passages, "seconds": time.perf_counter() - started})
        print(rows[-1], file=sys.stderr)
    for workers in (1, 2):
        started = time.perf_counter()
        report = sync_index_ray(corpus, work / f"ray-{workers}", settings, workers=workers)
        rows.append({"way": f"Ray, {workers} worker{'s' if workers > 1 else ''}", "passages": report.passages,
                     "seconds": time.perf_counter() - started})  # fmt: skip
        print(rows[-1], file=sys.stderr)
    single, distributed = load_generation(work / "single-process-1-thread"), load_generation(work / "ray-2")
    same = [p.model_dump() for p in single.passages] == [p.model_dump() for p in distributed.passages] and [
        d.model_dump() for d in single.documents.info
    ] == [d.model_dump() for d in distributed.documents.info]
    for row in rows:
        row["per_s"] = row["passages"] / row["seconds"]
    rows.append({"identical": same})
    return rows


def load(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` threads posting questions in a loop for `seconds`: answers per second and latencies."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            question = f"{QUESTIONS[i % len(QUESTIONS)]} ({i})"  # each one new: embedded, not found in a cache
            body = json.dumps({"question": question}).encode()
            request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    ok = response.status == 200 and "citations" in json.loads(response.read())
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors[0] += 1
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(latencies)
    return {
        "answers": len(latencies),
        "errors": errors[0],
        "per_s": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan"),
    }


def serve_runs(index: Path) -> list[dict[str, Any]]:
    from qa.serving import serve_replicas, stop_serving
    from qa.settings import Settings

    rows = []
    for replicas in (1, 2):
        url = serve_replicas(index, Settings.from_env(), replicas=replicas, port=8765)
        try:
            load(url, 2, 5)  # warm: every replica has loaded the model and answered
            row = {"replicas": replicas, **load(url, CLIENTS, SECONDS)}
        finally:
            stop_serving()
        print(row, file=sys.stderr)
        rows.append(row)
    return rows


def report(indexing: list[dict[str, Any]], serving: list[dict[str, Any]]) -> str:
    same = indexing[-1]["identical"]
    runs = indexing[:-1]
    one = next(r for r in runs if r["way"] == "Ray, 1 worker")
    base = next(r for r in runs if r["way"] == "single process, 1 thread")
    lines = [
        "# Scale-out, measured on one machine",
        "",
        f"Measured by `python benchmarks/scale_out.py` on {time.strftime('%Y-%m-%d')} on a shared 2-core machine, the "
        f"bundled model; the first {PROFILES} Factbook profiles ({runs[0]['passages']:,} passages).",
        "",
        "### Indexing",
        "",
        "| way | seconds | passages/s | against one Ray worker | against the single process (1 thread) |",
        "|---|---|---|---|---|",
        *(
            f"| {r['way']} | {r['seconds']:.1f} | {r['per_s']:.2f} | {r['per_s'] / one['per_s']:.2f}× | "
            f"{r['per_s'] / base['per_s']:.2f}× |"
            for r in runs
        ),
        "",
        f"The 2-worker commit is {'identical to' if same else 'NOT identical to'} the single-process one "
        "(documents, passage numbers, offsets and texts).",
        "",
        f"### Serving ({CLIENTS} clients posting questions for {SECONDS} s)",
        "",
        "| replicas | answers | errors | answers/s | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['replicas']} | {r['answers']} | {r['errors']} | {r['per_s']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |"
            for r in serving
        ),
        "",
        f"Two replicas give {serving[1]['per_s'] / serving[0]['per_s']:.2f}× one replica's answers per second.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    if not FACTBOOK.is_dir():
        print(f"No Factbook profiles at {FACTBOOK}: this needs ../shared.", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="qa-scale-out-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        for path in sorted(FACTBOOK.glob("*.md"))[:PROFILES]:
            shutil.copy(path, corpus / path.name)
        indexing = index_runs(corpus, work)
        serving = serve_runs(work / "ray-2")
        text = report(indexing, serving)
        print(text)
        target = DOCS / "scale-out.md"
        page = target.read_text(encoding="utf-8")
        start, end = "<!-- measured:start -->", "<!-- measured:end -->"
        if start in page and end in page:
            before, rest = page.split(start, 1)
            body = text.split("\n", 2)[2]  # without the title: the page has its own
            target.write_text(f"{before}{start}\n{body}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
