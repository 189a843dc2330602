"""Shared fixtures: tiny corpora in temporary folders, the deterministic fake embedder, and (for
tests marked slow) the real bundled model, loaded once per session."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import settings

from benchmarks.harness import free_port, serve_app  # the tests serve the app as the load benchmark does

__all__ = ["free_port", "serve_app"]

# The machine is shared and noisy: a per-example time limit would make property tests flaky.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpus" / "russia-mexico-bilateral-relations-2025-07.txt"
FACTBOOK = SHARED / "eval" / "factbook"

TINY = {
    "alpha.md": "# Alpha Report: 3 March 2024\n\n## Trade\n\nAlpha exports copper and zinc to Beta. "
    "Beta sells wheat to Alpha.\n\n## People\n\n### Population\n**total:** 1,234,567 (2024 est.)\n",
    "beta.txt": "Beta Briefing, June 2023\n\nPolitics\n\nThe President of Beta, Maria Lopez, visited Gamma City in May. "
    "She discussed water rights with officials.\n\nScroll to Top\n",
}


# The costliest groups of tests first, each on one worker (`make test` runs pytest-xdist with `--dist loadgroup
# --no-loadscope-reorder`): the quick tests then fill whichever worker is free at the end. Measured run times here:
# the browser ~160 s, the real model ~150 s, Ray ~130 s, the SQuAD floor ~35 s, the app ~20 s.
COSTLIEST_FIRST = ("browser", "real", "ray", "squad", "app")


def group_rank(item: pytest.Item) -> int:
    mark = item.get_closest_marker("xdist_group")
    name = mark.args[0] if mark is not None and mark.args else None
    return COSTLIEST_FIRST.index(name) if name in COSTLIEST_FIRST else len(COSTLIEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=group_rank)  # stable: each file's own order kept


def newest_segment(index: Path) -> Path:
    """The folder of the last segment the current commit names (where a test damages a file)."""
    import json

    name = (index / "CURRENT").read_text(encoding="utf-8").strip()
    listed = json.loads((index / name / "manifest.json").read_text(encoding="utf-8"))["segments"]
    return index / "segments" / listed[-1]["name"]


def needs_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is not here (it exists only beside the project in development and CI)")


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TINY.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def sample_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "sample"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    return corpus


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    from qa.index.embedding import HashingEmbedder

    return HashingEmbedder(256, model_id="hashing:256")


@pytest.fixture(scope="session")
def real_embedder(worker_id: str):  # type: ignore[no-untyped-def]
    """The bundled model: on both cores in a single test process (indexing 1.8x as fast), on one a pytest-xdist
    worker (a worker a core)."""
    from qa.index.embedding import SentenceTransformerEmbedder
    from qa.settings import DEFAULT_MODEL

    return SentenceTransformerEmbedder(DEFAULT_MODEL, threads=2 if worker_id == "master" else 1)


@pytest.fixture(scope="session")
def real_sample_index(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:  # type: ignore[no-untyped-def]
    from qa.index.sync import sync_index

    corpus = tmp_path_factory.mktemp("real") / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    index = corpus.parent / "index"
    sync_index(corpus, index, real_embedder)
    return index


@pytest.fixture(scope="session")
def real_assistant(real_sample_index: Path, real_embedder):  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant

    return Assistant.open(real_sample_index, embedder=real_embedder)


@pytest.fixture(scope="session")
def sample_app(real_sample_index: Path):  # type: ignore[no-untyped-def]
    """`python app.py` over the sample's real index, served once a test process (the app and browser tests)."""
    with serve_app(real_sample_index, real_sample_index.parent / "corpus") as url:
        yield url


def get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get_headers(url: str) -> dict[str, str]:
    """The response headers of a GET, by lower-case name."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return {name.lower(): value for name, value in response.headers.items()}


class RuleReader:
    """A deterministic fake of the fitted reading models, for tests over the hashing embedder (whose vectors the
    models were not fitted on): a few word patterns. `tests/test_real.py` reads the same kinds of question with
    the fitted models and the real embedder."""

    def read(self, text: str, vector: object, has_history: bool):  # type: ignore[no-untyped-def]
        import re

        from qa.answering.comparison import comparison_sides
        from qa.answering.readings import Reading

        def said(kind: str) -> Reading:
            return Reading(kind, 0.9, {kind: 0.9})

        if re.search(r"\b(chang\w*|differ\w*|revis\w*|new in)\b", text, re.I) and re.search(
            r"\b(updates?|editions?|briefings?|versions?|since)\b", text, re.I
        ):
            return said("change")
        if re.search(r"\bas of\b|\b(say|said|report\w*)\b[^?]*\bin \d{4}\b", text, re.I):
            return said("as_of")
        if re.search(r"\b(\w+er|more|less|fewer)\b", text) and comparison_sides(text) is not None:
            return said("comparison")
        pronoun = r"^\s*(and|what about|how about)\b|\b(it|its|they|them|their|there|she|he|her|his)\b"
        if has_history and re.search(pronoun, text, re.I):
            return said("followup")
        return Reading("plain", 0.9, {})


@pytest.fixture(autouse=True)
def fake_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    """An Assistant over the hashing embedder reads questions with `RuleReader`; over the real one, with the
    fitted models."""
    import qa.assistant.facade as facade

    fitted = facade.default_reader
    monkeypatch.setattr(
        facade,
        "default_reader",
        lambda model_id: RuleReader() if model_id.startswith(("hashing", "fake")) else fitted(model_id),
    )
