"""Load on the served app: many clients asking at once over HTTP, with the real model.

    python -m benchmarks.load                      # serves the app over the sample index, runs both phases
    python -m benchmarks.load --url http://127.0.0.1:7860 --phases 50:60

Each client asks the `/ask` endpoint (Gradio's call API: POST, then read the event stream) in a loop for
the phase's seconds. An admitted request must end in an answer; a request the queue has no room for
must end in a clean "busy" refusal, quickly. Prints, and writes to `docs/load.md` and the README, per phase: requests,
answered, busy, errors, answers per second, p50/p95 latency of answers and of refusals, and the app's
resident memory before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import ROOT

QUESTIONS = (
    "What does Mexico supply to Russia?",
    "Who did Lavrov meet?",
    "What sectors hold the greatest potential for bilateral relations?",
    "Is Mexico a member of BRICS?",
    "What technology could Russia offer for Mexico's local deposits?",
    "When was the Russia-Mexico investment treaty signed?",
)


@dataclass
class Phase:
    clients: int
    seconds: float
    answered: list[float] = field(default_factory=list)  # latencies, s
    busy: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def ask_once(client: object, url: str, question: str) -> tuple[str, float, str]:
    """One question: ("answered" | "busy" | "error", seconds, detail)."""
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    started = time.perf_counter()
    try:
        posted = await client.post(f"{url}/gradio_api/call/ask", json={"data": [question]})
        if posted.status_code == 503:  # the queue is full: Gradio's clean refusal, before any work
            return "busy", time.perf_counter() - started, posted.text[:200]
        if posted.status_code != 200:
            return "error", time.perf_counter() - started, f"HTTP {posted.status_code}"
        event_id = posted.json()["event_id"]
        event = ""
        async with client.stream("GET", f"{url}/gradio_api/call/ask/{event_id}") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = line.split(":", 1)[1].strip()
                    elapsed = time.perf_counter() - started
                    if event == "complete":
                        payload = json.loads(data)[0]
                        ok = isinstance(payload, dict) and "text" in payload
                        return ("answered" if ok else "error"), elapsed, "" if ok else data[:200]
                    busy = "queue" in data.lower() and "full" in data.lower()
                    return ("busy" if busy else "error"), elapsed, data[:200]
        return "error", time.perf_counter() - started, "the stream ended without a result"
    except Exception as exc:  # a client-side failure is a finding, not a crash of the benchmark
        return "error", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:200]


async def ask_json(client: object, url: str, question: str) -> tuple[str, float, str]:
    """One question to a JSON endpoint (`qa serve`'s `POST /ask`): ("answered" | "error", seconds, detail)."""
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    started = time.perf_counter()
    try:
        response = await client.post(url, json={"question": question})
        ok = response.status_code == 200 and "citations" in response.json()
        return ("answered" if ok else "error"), time.perf_counter() - started, "" if ok else response.text[:200]
    except Exception as exc:  # a client-side failure is a finding, not a crash of the benchmark
        return "error", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:200]


Ask = Callable[[object, str, str], Awaitable[tuple[str, float, str]]]


async def run_phase(
    url: str, phase: Phase, ask: Ask = ask_once, questions: Sequence[str] = QUESTIONS, fresh: bool = False
) -> None:
    """`phase.clients` clients asking in a loop for `phase.seconds`, on one event loop (the load costs little
    CPU of its own). `fresh`: every question new (numbered), so that none is answered from a cache."""
    import httpx

    deadline = time.monotonic() + phase.seconds
    limits = httpx.Limits(max_connections=phase.clients * 2, max_keepalive_connections=phase.clients)
    async with httpx.AsyncClient(timeout=httpx.Timeout(120.0), limits=limits) as client:

        async def one_client(k: int) -> None:
            i = k
            while time.monotonic() < deadline:
                question = questions[i % len(questions)]
                kind, seconds, detail = await ask(client, url, f"{question} ({i})" if fresh else question)
                i += phase.clients if fresh else 1
                if kind == "answered":
                    phase.answered.append(seconds)
                elif kind == "busy":
                    phase.busy.append(seconds)
                    await asyncio.sleep(0.5)  # a refused client waits a little before asking again
                else:
                    phase.errors.append(detail)

        await asyncio.gather(*(one_client(k) for k in range(phase.clients)))


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an app already served (default: serve one over the sample index)")
    parser.add_argument("--phases", default="50:60,200:30", help="CLIENTS:SECONDS,… (default 50:60,200:30)")
    parser.add_argument("--queue", type=int, help="serve with this queue size (QA_QUEUE_SIZE; default the app's)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    phases = [Phase(int(c), float(s)) for c, s in (p.split(":") for p in args.phases.split(","))]
    server = None
    url = args.url
    if url is None:
        from benchmarks.harness import (
            CACHE,  # the sample index the other benchmarks keep
            serve_app,
        )

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        index = CACHE / "sample" / "index"
        if not index.is_dir():
            print(
                f"No sample index at {index}: run `python -m benchmarks.quality --extra-only` first.", file=sys.stderr
            )
            return 2
        server = serve_app(index, ROOT / "corpus", {"QA_QUEUE_SIZE": str(args.queue)} if args.queue else None)
        url = server.__enter__()
    pid = _app_pid(url)
    try:
        before = rss_mb(pid) if pid else float("nan")
        rows = []
        for phase in phases:
            asyncio.run(run_phase(url, phase))
            total = len(phase.answered) + len(phase.busy) + len(phase.errors)
            rows.append(
                f"| {phase.clients} | {phase.seconds:g} s | {total} | {len(phase.answered)} | {len(phase.busy)} | "
                f"{len(phase.errors)} | {len(phase.answered) / phase.seconds:.1f} | {_ms(phase.answered, 0.5)} | "
                f"{_ms(phase.answered, 0.95)} | {_ms(phase.busy, 0.5)} | {_ms(phase.busy, 0.95)} |"
            )
            if phase.errors:
                print(f"errors at {phase.clients} clients: {statistics.multimode(phase.errors)[:3]}", file=sys.stderr)
        after = rss_mb(pid) if pid else float("nan")
    finally:
        if server is not None:
            server.__exit__(None, None, None)
    table = "\n".join(
        [
            f"Measured by `python -m benchmarks.load` on {time.strftime('%Y-%m-%d')} against the app served over the "
            f"sample briefing with the real model (queue: 2 answered at once, {args.queue or 64} waiting), on a shared"
            " 2-core machine.",
            "",
            "| clients | for | requests | answered | busy | errors | answers/s | p50 ms | p95 ms | busy p50 ms | busy p95 ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"The app's resident memory: {before:.0f} MB before, {after:.0f} MB after.",
        ]
    )
    print(table)
    if not args.no_write:
        (ROOT / "docs" / "load.md").write_text("# Load\n\n" + table + "\n", encoding="utf-8")
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = "<!-- load:start -->", "<!-- load:end -->"
        if start in text and end in text:
            head, rest = text.split(start, 1)
            readme.write_text(head + start + "\n" + table + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")
    return 0


def _app_pid(url: str) -> int | None:
    """The pid of the process listening on the URL's port (Linux), for its memory."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        import subprocess

        out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, timeout=10).stdout
        marker = "pid="
        return int(out.split(marker, 1)[1].split(",", 1)[0]) if marker in out else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
