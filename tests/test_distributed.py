"""The Ray-distributed build (`qa index --ray`): the same commit as a single-process build, even with a worker
killed mid-run. A local Ray cluster of two CPUs; the model-free embedder."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from qa.index.distributed import plan_tasks
from qa.index.embedding import HashingEmbedder
from qa.index.store import load_generation
from qa.index.sync import sync_index
from qa.settings import Settings

# one pytest-xdist worker runs the Ray tests of both files: two local clusters at once contend for ports
pytestmark = pytest.mark.xdist_group("ray")

SETTINGS = Settings(model="hashing:256")


def test_tasks_are_consecutive_files_in_order() -> None:
    files = [f"f{i}" for i in range(10)]
    assert plan_tasks(files, 2) == [files[i : i + 2] for i in range(0, 10, 2)]  # 8 tasks wanted: 2 files each
    assert plan_tasks(files[:6], 2) == [[f] for f in files[:6]]  # never fewer than a file a task
    assert plan_tasks(files * 3, 1) == [(files * 3)[i : i + 8] for i in range(0, 30, 8)]  # 4 wanted: 8 files each
    assert plan_tasks(files, 2, files_per_task=4) == [files[:4], files[4:8], files[8:]]
    assert plan_tasks([], 2) == []
    assert [f for task in plan_tasks(files, 3) for f in task] == files


def test_the_largest_tasks_are_handed_out_first() -> None:
    from qa.index.distributed import largest_first

    sizes = {"a": 5, "b": 50, "c": 20, "d": 20, "e": 1}
    assert largest_first([["a"], ["b"], ["c", "e"], ["d"]], sizes.__getitem__) == [1, 2, 3, 0]


def make_corpus(corpus: Path, count: int, version: int = 0) -> None:
    corpus.mkdir(exist_ok=True)
    for i in range(count):
        paragraphs = "\n\n".join(
            f"Briefing {i} paragraph {p} says the port of Town{i} moved {p * 7 + version} tonnes of grain. "
            f"The minister of region {i % 5} visited on day {p}."
            for p in range(12)
        )
        (corpus / f"b{i:03d}.md").write_text(f"# Briefing {i}, March 2025\n\n{paragraphs}\n", encoding="utf-8")


def same_commit(a: Path, b: Path) -> None:
    """Documents, passage and sentence numbers, offsets and texts identical; vectors equal within tolerance."""
    x, y = load_generation(a), load_generation(b)
    assert [d.model_dump() for d in x.documents.info] == [d.model_dump() for d in y.documents.info]
    assert [p.model_dump() for p in x.passages] == [p.model_dump() for p in y.passages]
    assert [s.model_dump() for s in x.sentences] == [s.model_dump() for s in y.sentences]
    assert np.allclose(x.vectors(), y.vectors(), atol=1e-5)
    assert np.allclose(np.asarray(x.sentence_vectors), np.asarray(y.sentence_vectors), atol=1e-5)
    assert x.manifest["counts"] == y.manifest["counts"] and x.vocabulary == y.vocabulary


@pytest.mark.slow
def test_the_distributed_build_commits_what_a_single_process_build_does(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from qa.index.distributed import sync_index_ray

    corpus = tmp_path / "corpus"
    make_corpus(corpus, 12)
    sync_index(corpus, tmp_path / "single", HashingEmbedder(256, model_id="hashing:256"), SETTINGS)
    report = sync_index_ray(corpus, tmp_path / "ray", SETTINGS, workers=2, files_per_task=3)
    assert report.segments_written == 4 and len(report.added) == 12
    same_commit(tmp_path / "single", tmp_path / "ray")
    # a changed file: only it goes to the cluster, and the result is still a single-process build's
    (corpus / "b005.md").write_text(
        "# Briefing 5, April 2025\n\nThe port of Town5 closed for repairs.\n", encoding="utf-8"
    )
    again = sync_index_ray(corpus, tmp_path / "ray", SETTINGS, workers=2)
    assert again.updated == ["b005.md"] and again.segments_written == 1
    sync_index(corpus, tmp_path / "single", HashingEmbedder(256, model_id="hashing:256"), SETTINGS)
    fresh = tmp_path / "fresh"
    sync_index(corpus, fresh, HashingEmbedder(256, model_id="hashing:256"), SETTINGS)
    x, y = load_generation(fresh), load_generation(tmp_path / "ray")
    assert sorted(x.doc_by_id) == sorted(y.doc_by_id) and x.manifest["counts"] == y.manifest["counts"]


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_doubles_nothing(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from qa.index.distributed import sync_index_ray

    corpus, index = tmp_path / "corpus", tmp_path / "ray"
    make_corpus(corpus, 60)
    killed: list[int] = []

    def kill_one() -> None:
        marks = index / ".workers"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            segments = list((index / "segments").glob("seg-r*")) if (index / "segments").is_dir() else []
            pids = [int(p.name) for p in marks.iterdir()] if marks.is_dir() else []
            if segments and pids:  # the run is under way: some task has finished, others are running
                try:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    report = sync_index_ray(corpus, index, SETTINGS, workers=2, files_per_task=1)
    killer.join(5)
    assert killed, "no worker was found to kill"
    assert len(report.added) == 60
    sync_index(corpus, tmp_path / "single", HashingEmbedder(256, model_id="hashing:256"), SETTINGS)
    same_commit(tmp_path / "single", index)


def test_a_local_ray_node_that_times_out_starting_is_started_once_more() -> None:
    """A fake Ray (real counterpart: the distributed build test above) whose first start times out."""
    from qa.index.distributed import start_ray

    class FakeRay:
        def __init__(self, failures: list[Exception]) -> None:
            self.failures, self.calls = failures, []

        def init(self, **kw: object) -> None:
            self.calls.append("init")
            if self.failures:
                raise self.failures.pop(0)

        def shutdown(self) -> None:
            self.calls.append("shutdown")

    slow = FakeRay([Exception("The current node timed out during startup. This could happen because …")])
    start_ray(slow, address=None)
    assert slow.calls == ["init", "shutdown", "init"]
    twice = FakeRay([Exception("The current node timed out during startup.")] * 2)
    with pytest.raises(Exception, match="timed out during startup"):
        start_ray(twice, address=None)
    other = FakeRay([ValueError("bad address")])
    with pytest.raises(ValueError):
        start_ray(other, address="ray://nowhere")
    assert other.calls == ["init"]  # any other failure is not retried
