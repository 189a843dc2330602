"""Past one machine, measured on one: indexing with 1 and 2 Ray workers against the single-process build, and
answers per second from 1 and 2 Ray Serve replicas under load.

    python -m benchmarks.scale_out                    # needs ../shared; the bundled model; writes docs/scale-out.md
    python -m benchmarks.scale_out --part serving     # again, one part only (--part report: the table only)

Indexing: the first PROFILES Factbook profiles, indexed from scratch by `qa`'s single-process sync (torch on
one thread) and by `qa index --ray` with 1 and 2 workers (one thread each), each in turn on this 2-core
machine; passages per second, the Ray runs' start-up included. The commit of the 2-worker build is checked
identical to the single-process one (documents, passages, offsets, texts). Serving: that index behind
`qa serve` with 1, then 2 replicas, behind each of Ray Serve's two ingresses, under the load script's
clients (`benchmarks/load.py`: CLIENTS at once on one event loop, each question new so that each is
embedded) for SECONDS each; answers per second and latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from benchmarks.harness import ROOT

FACTBOOK = ROOT.parent / "shared" / "eval" / "factbook"
DOCS = ROOT / "docs"
CACHE = ROOT / "benchmarks" / ".cache" / "scale-out"
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


class PeakMemory:
    """Samples, every quarter second while inside, the resident memory of this process and of each Ray indexing
    worker; keeps the peaks (MB)."""

    def __init__(self) -> None:
        self.own = self.worker = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        from benchmarks.load import rss_mb

        while not self._stop.wait(0.25):
            self.own = max(self.own, rss_mb(os.getpid()))  # max(peak, nan) keeps the peak
            for proc in Path("/proc").iterdir():
                try:
                    if proc.name.isdigit() and b"SegmentMaker" in (proc / "cmdline").read_bytes().split(b"\0")[0]:
                        self.worker = max(self.worker, rss_mb(int(proc.name)))
                except OSError:
                    continue


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
        with PeakMemory() as memory:
            report = sync_index(corpus, work / label.replace(" ", "-").replace(",", ""), embedder, settings)
        rows.append({"way": label, "passages": report.passages, "seconds": time.perf_counter() - started,
                     "memory_mb": memory.own})  # fmt: skip
        print(rows[-1], file=sys.stderr)
    for workers in (1, 2):
        started = time.perf_counter()
        with PeakMemory() as memory:
            report = sync_index_ray(corpus, work / f"ray-{workers}", settings, workers=workers)
        rows.append(
            {
                "way": f"Ray, {workers} worker{'s' if workers > 1 else ''}",
                "passages": report.passages,
                "seconds": time.perf_counter() - started,
                "memory_mb": memory.worker,
            }
        )  # fmt: skip  (this process, the driver, holds the model above)
        print(rows[-1], file=sys.stderr)
    single, distributed = load_generation(work / "single-process-1-thread"), load_generation(work / "ray-2")
    same = [p.model_dump() for p in single.passages] == [p.model_dump() for p in distributed.passages] and [
        d.model_dump() for d in single.documents.info
    ] == [d.model_dump() for d in distributed.documents.info]
    for row in rows:
        row["per_s"] = row["passages"] / row["seconds"]
    rows.append({"identical": same})
    return rows


def serve_runs(index: Path) -> list[dict[str, Any]]:
    """`qa serve` with 1 and 2 replicas behind each ingress, under the load script (`benchmarks/load.py`)."""
    import subprocess

    rows = []
    for ingress in ("haproxy", "python"):
        for replicas in (1, 2):
            # each in a process of its own: Ray Serve's ingress is chosen when Ray starts
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.scale_out", "--serve-one", str(index), str(replicas), ingress],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(row, file=sys.stderr)
            rows.append(row)
    return rows


def serve_one(index: Path, replicas: int, ingress: str) -> dict[str, Any]:
    from benchmarks.load import Phase, ask_json, run_phase
    from qa.serving import serve_replicas, stop_serving
    from qa.settings import Settings

    url = serve_replicas(index, Settings.from_env(), replicas=replicas, port=8765, ingress=ingress)  # type: ignore[arg-type]
    try:
        asyncio.run(run_phase(url, Phase(2, 5), ask_json, QUESTIONS, fresh=True))  # warm: every replica answered
        phase = Phase(CLIENTS, SECONDS)
        asyncio.run(run_phase(url, phase, ask_json, QUESTIONS, fresh=True))
    finally:
        stop_serving()
    ordered = sorted(phase.answered)
    return {
        "ingress": ingress,
        "replicas": replicas,
        "answers": len(ordered),
        "errors": len(phase.errors),
        "per_s": len(ordered) / SECONDS,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan"),
    }


def _memory(row: dict[str, Any]) -> str:
    """The peak resident memory of the process that embeds: the single process, or the largest Ray worker."""
    if "memory_mb" in row:
        return f"{row['memory_mb']:,.0f}"
    return "–"


INGRESS = {"haproxy": "HAProxy (default)", "python": "Python proxy"}


def one_replica(rows: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in rows if r["ingress"] == row["ingress"] and r["replicas"] == 1)


def report(indexing: list[dict[str, Any]], serving: list[dict[str, Any]]) -> str:
    same = indexing[-1]["identical"]
    runs = indexing[:-1]
    one = next(r for r in runs if r["way"] == "Ray, 1 worker")
    base = next(r for r in runs if r["way"] == "single process, 1 thread")
    lines = [
        "# Scale-out, measured on one machine",
        "",
        f"Measured by `python -m benchmarks.scale_out` on {time.strftime('%Y-%m-%d')} on a shared 2-core machine, the "
        f"bundled model; the first {PROFILES} Factbook profiles ({runs[0]['passages']:,} passages).",
        "",
        "### Indexing",
        "",
        "| way | seconds | passages/s | against one Ray worker | against the single process (1 thread) "
        "| peak memory MB (the process, or each worker) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['way']} | {r['seconds']:.1f} | {r['per_s']:.2f} | {r['per_s'] / one['per_s']:.2f}× | "
            f"{r['per_s'] / base['per_s']:.2f}× | {_memory(r)} |"
            for r in runs
        ),
        "",
        f"The 2-worker commit is {'identical to' if same else 'NOT identical to'} the single-process one "
        "(documents, passage numbers, offsets and texts).",
        "",
        f"### Serving (`benchmarks/load.py`'s clients: {CLIENTS} at once, every question new, for {SECONDS} s)",
        "",
        "| ingress | replicas | answers | errors | answers/s | p50 ms | p95 ms | against one replica |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {INGRESS[r['ingress']]} | {r['replicas']} | {r['answers']} | {r['errors']} | {r['per_s']:.1f} | "
            f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['per_s'] / one_replica(serving, r)['per_s']:.2f}× |"
            for r in serving
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    if sys.argv[1:2] == ["--serve-one"]:
        print(json.dumps(serve_one(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["all", "indexing", "serving", "report"], default="all",
                        help="measure only this part (the other's last results, in benchmarks/.cache, fill the "
                             "table), or none: the table again")  # fmt: skip
    args = parser.parse_args()
    if not FACTBOOK.is_dir():
        print(f"No Factbook profiles at {FACTBOOK}: this needs ../shared.", file=sys.stderr)
        return 2
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.part in ("all", "indexing"):
        work = Path(tempfile.mkdtemp(prefix="qa-scale-out-"))
        try:
            corpus = work / "corpus"
            corpus.mkdir()
            for path in sorted(FACTBOOK.glob("*.md"))[:PROFILES]:
                shutil.copy(path, corpus / path.name)
            (CACHE / "indexing.json").write_text(json.dumps(index_runs(corpus, work)), encoding="utf-8")
            shutil.rmtree(CACHE / "index", ignore_errors=True)
            shutil.copytree(work / "ray-2", CACHE / "index")  # what the replicas serve
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if args.part in ("all", "serving"):
        if not (CACHE / "index").is_dir():
            print("No index measured yet: run with --part indexing first.", file=sys.stderr)
            return 2
        (CACHE / "serving.json").write_text(json.dumps(serve_runs(CACHE / "index")), encoding="utf-8")
    if not all((CACHE / f"{part}.json").is_file() for part in ("indexing", "serving")):
        return 0
    text = report(*(json.loads((CACHE / f"{part}.json").read_text()) for part in ("indexing", "serving")))
    print(text)
    target = DOCS / "scale-out.md"
    page = target.read_text(encoding="utf-8")
    start, end = "<!-- measured:start -->", "<!-- measured:end -->"
    if start in page and end in page:
        before, rest = page.split(start, 1)
        body = text.split("\n", 2)[2]  # without the title: the page has its own
        target.write_text(f"{before}{start}\n{body}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
