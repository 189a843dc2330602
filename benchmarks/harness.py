"""What every benchmark shares: where the evaluation data and the cached indexes are, the real embedder, an
index built once and kept in `benchmarks/.cache/`, an Assistant over it, and the served app for load tests.

Run a benchmark as a module from the project's root (`python -m benchmarks.quality`): the `qa` package is
the installed one (`pip install -e .`), so no script edits `sys.path`. Nothing here measures anything.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.answering.weights import Weights
from qa.assistant import Assistant
from qa.index.embedding import Embedder, SentenceTransformerEmbedder
from qa.index.sync import sync_index
from qa.settings import DEFAULT_MODEL, Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
FACTBOOK = SHARED / "factbook"
SQUAD_DEV = SHARED / "squad2" / "dev-v2.0.json"
CACHE = ROOT / "benchmarks" / ".cache"
DOCS = ROOT / "docs"


def needs(path: Path) -> bool:
    """Whether the evaluation data at `path` is here; if not, says so on stderr (the caller exits 2)."""
    if path.exists():
        return True
    print(f"Evaluation data not found at {path}: this needs ../shared/eval beside the project.", file=sys.stderr)
    return False


def real_embedder(threads: int = 1) -> SentenceTransformerEmbedder:
    """The bundled model, on one thread unless told (the machine's two cores are shared)."""
    return SentenceTransformerEmbedder(DEFAULT_MODEL, threads=threads)


def cached_index(name: str, corpus: Path, embedder: Embedder, settings: Settings | None = None) -> Path:
    """`benchmarks/.cache/NAME/index`, synced with `corpus` (only new or changed files are embedded)."""
    index = CACHE / name / "index"
    report = sync_index(corpus, index, embedder, settings or Settings.from_env())
    print(
        f"[{name}] {report.documents} documents, {report.passages} passages ({report.seconds:.0f} s)", file=sys.stderr
    )
    return index


def cached_assistant(
    name: str, corpus: Path, embedder: Embedder, settings: Settings | None = None, weights: Weights | None = None
) -> Assistant:
    """An Assistant over `cached_index(name, corpus, …)` (with `weights`, else the shipped ones)."""
    settings = settings or Settings.from_env()
    index = cached_index(name, corpus, embedder, settings)
    return Assistant.open(index, embedder=embedder, settings=settings, weights=weights)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status)


@contextlib.contextmanager
def serve_app(index: Path, corpus: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`python app.py` on a free loopback port over `index`; yields its URL, stops it (SIGTERM) after. Raises
    RuntimeError with the app's log when it exits or does not answer within two minutes."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "QA_INDEX": str(index), "QA_CORPUS": str(corpus)}
    env.pop("QA_MODEL", None)
    env.update(extra_env or {})
    log = index.parent / f"app-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"app exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                if _status(url + "/") == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
