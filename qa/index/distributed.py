"""Indexing across a Ray cluster: `qa index CORPUS --ray [ADDRESS]`.

The driver does what a single-process run does first — it takes the writer lock, reads the current
commit and hashes every file to find the new and changed ones (`qa.index.sync.SyncRun`) — then hands those
files, in order and in tasks of a few files each, to Ray Data. Each task runs on a worker that holds the
model (a Ray Data actor, loaded once): it reads and chunks its files under the same time and size limits
(`BoundedReader`), embeds them and writes them as one segment under a name of its own
(`seg-r<run>-t<task>-<attempt>`), returning what the commit needs (the segment's summary, its words, the
files taken and those skipped). The driver then commits exactly as a single-process run does: the
tasks' segments in file order (so documents, passage and sentence numbers, offsets and texts are those
of a single-process build), the replaced documents retired, the commit written atomically.

A worker killed mid-task: Ray starts the actor again and runs the task again; a half-written segment is
a temporary folder and a finished one that no result names is never committed (both are removed by the
next prune), so no passage is lost or doubled. Ray Data streams the tasks through a bounded pool of
workers, so memory stays bounded by the tasks in flight.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qa.errors import CorpusError, QAError
from qa.index.corpus import list_corpus
from qa.index.reading import BoundedReader
from qa.index.store import writer_lock
from qa.index.sync import SEGMENT_PASSAGES, IndexReport, SyncRun, make_segment, read_part
from qa.settings import Settings
from qa.text.vocabulary import WordCounts

TASKS_PER_WORKER = 4  # tasks a worker gets on average: enough to even out files of unequal size, handed out
# largest first, one at a time to whichever worker is free; fewer, larger tasks embed with less padding


def plan_tasks(files: Sequence[str], workers: int, files_per_task: int | None = None) -> list[list[str]]:
    """The files to read, in order, cut into tasks of consecutive files. Pure."""
    if not files:
        return []
    size = files_per_task or max(1, math.ceil(len(files) / (max(1, workers) * TASKS_PER_WORKER)))
    return [list(files[i : i + size]) for i in range(0, len(files), size)]


def largest_first(tasks: Sequence[Sequence[str]], size: Callable[[str], int]) -> list[int]:
    """The order to hand tasks out in: the largest (in bytes) first, so that no worker is left with a big one at
    the end while the others wait (the commit keeps file order whatever the order of work). Pure."""
    return sorted(range(len(tasks)), key=lambda i: (-sum(size(f) for f in tasks[i]), i))


class SegmentMaker:
    """A Ray Data worker: holds the model; each call reads, chunks, embeds and writes one task's files as a
    segment, and returns what the driver commits."""

    def __init__(self, corpus: str, index_dir: str, settings: str, run: str) -> None:
        from qa.index.embedding import make_embedder

        self.corpus, self.index_dir, self.run = Path(corpus), Path(index_dir), run
        self.settings = Settings.model_validate_json(settings)
        self.embedder = make_embedder(self.settings.model, self.settings.batch_size, 1, self.settings.backend)
        self.reader = BoundedReader(self.settings.read_seconds)
        self.known_fields: dict[str, Any] = {}  # field-path vectors this worker has embedded: each path once
        marks = self.index_dir / ".workers"  # where a test (or an operator) finds the workers' processes
        marks.mkdir(parents=True, exist_ok=True)
        (marks / str(os.getpid())).touch()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        out = []
        for task, files in zip(batch["task"], batch["files"], strict=True):
            out.append(json.dumps(self.make(int(task), json.loads(files))))
        return {"task": list(batch["task"]), "result": out}

    def make(self, task: int, files: list[str]) -> dict[str, Any]:
        parts, taken, skipped = [], [], []
        for doc_id in files:
            part = read_part(self.reader, self.corpus, self.corpus / doc_id, self.settings)
            if isinstance(part, str):
                skipped.append((doc_id, part))
            else:
                parts.append(part)
                taken.append(doc_id)
        result: dict[str, Any] = {"task": task, "taken": taken, "skipped": skipped, "segment": None}
        if parts:
            name = f"seg-r{self.run}-t{task:05d}-{uuid.uuid4().hex[:6]}"  # a retried task writes another name
            pooled = self.settings.sentence_vectors == "pooled"
            made = make_segment(self.index_dir, name, parts, self.embedder, pooled, known_fields=self.known_fields)
            result |= {"segment": made.segment, "words": made.words.to_json().decode("utf-8"),
                       "passages": made.passages, "sentences": made.sentences, "fields": made.fields}  # fmt: skip
        return result


def start_ray(ray: Any, attempts: int = 2, **options: Any) -> None:
    """`ray.init(**options)`: start (or join) a Ray cluster. A local node that Ray gives up on after its fixed
    30 s (its raylet slow to register on a busy machine: "The current node timed out during startup") is started
    once more before the error is raised. The distributed build and `qa serve` both start Ray through it."""
    for attempt in range(attempts):
        try:
            ray.init(**options)
            return
        except Exception as exc:
            if "timed out during startup" not in str(exc) or attempt == attempts - 1:
                raise
            ray.shutdown()


def sync_index_ray(
    corpus: Path,
    index_dir: Path,
    settings: Settings | None = None,
    address: str | None = None,
    workers: int = 2,
    rebuild: bool = False,
    files_per_task: int | None = None,
    log: Callable[[str], None] = lambda _: None,
    segment_passages: int = SEGMENT_PASSAGES,
) -> IndexReport:
    """`sync_index`, with the reading, chunking and embedding of the changed files spread over a Ray cluster:
    the running one at `address`, else a local one of `workers` CPUs. The commit is the one a single-process
    run writes."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise QAError("Ray is not installed: pip install 'briefing-qa[ray]' (or: pip install 'ray[data]')") from exc
    settings = settings or Settings()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.is_dir():
        raise CorpusError(f"Corpus folder '{corpus}' does not exist. Create it and put briefings in it.")
    files, skipped = list_corpus(corpus)
    with writer_lock(index_dir):
        run = SyncRun(corpus, index_dir, settings.model, settings, rebuild)
        run.report.skipped = skipped
        todo = [doc_id for doc_id, _ in run.changed(files, BoundedReader(settings.read_seconds).max_bytes)]
        tasks = plan_tasks(todo, workers, files_per_task)
        results: list[dict[str, Any]] = []
        if tasks:
            started_here = not ray.is_initialized()
            if started_here:
                start_ray(ray, address=address, num_cpus=None if address else workers, include_dashboard=False,
                          log_to_driver=False, configure_logging=False)  # fmt: skip
            try:
                log(f"Indexing {len(todo)} files in {len(tasks)} tasks on {workers} Ray workers…")
                with _quiet("ray.data"):  # its notices (progress bars off, the execution plan): ours are below
                    results = _run_tasks(corpus, index_dir, settings, tasks, workers, log)
            finally:
                if started_here:
                    ray.shutdown()
                shutil.rmtree(index_dir / ".workers", ignore_errors=True)
        if sorted(r["task"] for r in results) != list(range(len(tasks))):
            raise QAError("The Ray run did not return every task's result; the current index is unchanged.")
        for result in results:
            run.report.skipped += [tuple(s) for s in result["skipped"]]  # type: ignore[misc]
            for doc_id in result["taken"]:
                run.accept(doc_id)
            if result["segment"] is not None:
                run.words.add(WordCounts.from_json(result["words"].encode("utf-8")))
                run.report.embedded += result["passages"]
                run.report.embedded_sentences += result["sentences"]
                run.report.embedded_fields += result["fields"]
                run.report.segments_written += 1
        segments = [r["segment"] for r in results if r["segment"] is not None]
        dimension = _dimension(index_dir, segments, settings)
        return run.finish(lambda: segments, dimension, segment_passages)


def _run_tasks(
    corpus: Path, index_dir: Path, settings: Settings, tasks: list[list[str]], workers: int, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Run the tasks on `workers` SegmentMaker actors of the connected Ray cluster; their results in task order."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the tasks' progress is logged here instead
    context.print_on_execution_start = False
    order = largest_first(tasks, lambda doc_id: _size(corpus / doc_id))
    items = [{"task": i, "files": json.dumps(tasks[i])} for i in order]
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        SegmentMaker,
        fn_constructor_kwargs={"corpus": str(corpus), "index_dir": str(index_dir),
                               "settings": settings.model_dump_json(), "run": uuid.uuid4().hex[:8]},
        batch_size=1,
        # one task in flight a worker: the next (largest) task goes to whichever worker is free first
        compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1),
        num_cpus=1,  # Ray Data restarts a killed worker and runs its task again (its defaults)
    )  # fmt: skip
    done = []
    for row in dataset.iter_rows():  # as the tasks finish, in any order
        done.append(json.loads(row["result"]))
        log(f"  {len(done)}/{len(tasks)} tasks done ({sum(len(r['taken']) for r in done)} files)")
    return sorted(done, key=lambda r: r["task"])


@contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Only errors from `logger` while inside."""
    target = logging.getLogger(logger)
    level = target.level
    target.setLevel(logging.ERROR)
    try:
        yield
    finally:
        target.setLevel(level)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _dimension(index_dir: Path, segments: Sequence[dict[str, Any]], settings: Settings) -> int:
    """The vectors' dimension: from a new segment, else the current commit (no model loaded on the driver)."""
    from qa.index.store import SEGMENTS, current_name, read_manifest

    if segments:
        meta = json.loads((index_dir / SEGMENTS / segments[0]["name"] / "segment.json").read_bytes())
        return int(meta["dimension"])
    if current_name(index_dir) is not None:
        return int(read_manifest(index_dir).get("dimension", 0))
    from qa.index.embedding import make_embedder

    return make_embedder(settings.model).dimension
