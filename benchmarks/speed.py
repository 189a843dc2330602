"""How the index grows: open time, memory, disk and answer latency at 10k, 100k (and 1M) passages.

    python -m benchmarks.speed                    # 10k and 100k passages: prints the table, writes docs/speed.md,
                                                  # the README's speed section and docs/growth.png
    python -m benchmarks.speed --sizes 10000 100000 1000000
    python -m benchmarks.speed --baseline 6e754ce   # also the same sizes built and opened by that commit's code
                                                    # (up to 100k passages: it builds in memory)

The corpora are synthetic briefings (dated documents of 50 passages, three sentences a passage, words drawn
from a Zipf-like vocabulary with names among them) embedded by the model-free `hashing:384` embedder: the
mechanics of opening, searching and answering are what is measured, not the model. Each size is built
once into `benchmarks/.cache/growth/` and reused. Every measure of one size is taken in a fresh process:
the time `Assistant.open` takes, the process's resident memory after it, then the median time of an
answer over 40 questions (their vectors computed ahead), with no filter and with a date filter that keeps
half the briefings.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
# QA_BENCH_CODE: the checkout whose `qa` package a child process builds and measures with (a baseline)
if os.environ.get("QA_BENCH_CODE"):  # a baseline commit's checkout: its `qa` is measured instead of this one's
    sys.path.insert(0, os.environ["QA_BENCH_CODE"])

CACHE = ROOT / "benchmarks" / ".cache" / "growth"
DOCS = ROOT / "docs"
README = ROOT / "README.md"
START, END = "<!-- speed:start -->", "<!-- speed:end -->"
PASSAGES_PER_DOCUMENT = 50
SENTENCES_PER_PASSAGE = 3
DIMENSION = 384
QUESTIONS = 40
BASELINE_UP_TO = 100_000  # sizes a baseline commit's code is run at


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _words(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ra", "ten", "sul", "vor", "an", "del", "ip", "os", "ur", "pe", "ni", "gra"]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(20_000)]


def _synthetic(size: int) -> Iterator[tuple[Any, list[Any], list[Any]]]:
    """The synthetic briefings of a corpus of `size` passages, one at a time: each document with its passages and
    sentences numbered from 0 within it."""
    from qa.records import Document, Passage, Section, Sentence

    rng = random.Random(size)
    vocabulary = _words(rng)
    names = [w.capitalize() for w in vocabulary[:500]]
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    for d in range(max(1, size // PASSAGES_PER_DOCUMENT)):
        day = date(2015 + d % 11, 1 + d % 12, 1 + d % 28)
        title = f"{rng.choice(names)} {rng.choice(names)} Briefing, {day:%B %Y}"
        text, spans = title + "\n\n", []
        for _ in range(PASSAGES_PER_DOCUMENT):
            first = len(spans)
            for _ in range(SENTENCES_PER_PASSAGE):
                words = rng.choices(vocabulary, weights, k=rng.randint(12, 24))
                words[rng.randrange(len(words))] = rng.choice(names)
                sentence = " ".join(words).capitalize() + "."
                spans.append((len(text), len(text) + len(sentence), first))
                text += sentence + " "
            text = text[:-1] + "\n\n"
        document = Document(
            doc_id=f"briefing-{d:06d}.md",
            source=f"briefing-{d:06d}.md",
            title=title,
            date=day.isoformat()[:7],
            text=text,
            sha256=f"{d:064x}",
            format="md",
            headings=(Section(level=1, start=0, end=len(title), title=title),),
        )
        passages, sentences = [], []
        for p in range(PASSAGES_PER_DOCUMENT):
            own = spans[p * SENTENCES_PER_PASSAGE : (p + 1) * SENTENCES_PER_PASSAGE]
            for start, end, _ in own:
                sentences.append(
                    Sentence(
                        sid=len(sentences),
                        doc=0,
                        start=start,
                        end=end,
                        para_start=own[0][0],
                        para_end=own[-1][1],
                        section=(title,),
                        passage=p,
                    )
                )
            body = " ".join(text[s:e] for s, e, _ in own)
            passages.append(
                Passage(
                    pid=p,
                    doc=0,
                    start=own[0][0],
                    end=own[-1][1],
                    first_sentence=own[0][2],
                    last_sentence=own[0][2] + len(own) - 1,
                    section=(title,),
                    text=f"{title}\n{body}",
                )
            )
        yield document, passages, sentences


def build(size: int, index: Path, embedder: Any = None) -> dict[str, Any]:
    """A synthetic corpus of `size` passages, embedded by the hashing embedder (or `embedder`) and written as an
    index: in segments of at most `qa.index.sync.SEGMENT_PASSAGES` passages, one batch in memory at a time (a
    baseline commit's code without segments is given the whole corpus at once)."""
    from qa.index import store
    from qa.index.embedding import HashingEmbedder
    from qa.index.sync import index_fingerprint
    from qa.settings import Settings

    started = time.perf_counter()
    embedder = embedder or HashingEmbedder(DIMENSION, model_id=f"hashing:{DIMENSION}")
    fingerprint = index_fingerprint(Settings(model=embedder.model_id), embedder.model_id)
    counts = {"passages": 0, "sentences": 0, "documents": 0}
    with store.writer_lock(index):
        if not hasattr(store, "write_commit"):
            documents, passages, sentences = [], [], []
            for document, ps, ss in _synthetic(size):
                doc, p0, s0 = len(documents), len(passages), len(sentences)
                documents.append(document)
                passages += [p.model_copy(update={"pid": p.pid + p0, "doc": doc, "first_sentence": p.first_sentence + s0,
                                                  "last_sentence": p.last_sentence + s0}) for p in ps]  # fmt: skip
                sentences += [
                    s.model_copy(update={"sid": s.sid + s0, "doc": doc, "passage": s.passage + p0}) for s in ss
                ]
            vectors = embedder.embed([p.text for p in passages])
            sentence_vectors = embedder.embed([documents[s.doc].text[s.start : s.end] for s in sentences])
            store.write_generation(index, documents, passages, sentences, vectors, sentence_vectors,  # type: ignore[attr-defined]
                                   embedder.model_id, fingerprint, DIMENSION)  # fmt: skip
            counts = {"passages": len(passages), "sentences": len(sentences), "documents": len(documents)}
        else:
            from qa.index.segment import Part
            from qa.index.sync import SEGMENT_PASSAGES
            from qa.text.vocabulary import WordCounts

            words, segments, batch = WordCounts(), [], []

            def flush() -> None:
                texts = [p.text for part in batch for p in part.passages]
                sentence_texts = [part.document.text[s.start : s.end] for part in batch for s in part.sentences]
                vectors, sentence_vectors = embedder.embed(texts), embedder.embed(sentence_texts)
                made = (
                    store.new_segment(index, batch, vectors, sentence_vectors, DIMENSION, model=embedder.model_id)
                    if "model" in inspect.signature(store.new_segment).parameters  # a baseline's code may not take it
                    else store.new_segment(index, batch, vectors, sentence_vectors, DIMENSION)
                )
                segments.append(made)
                words.add(WordCounts.of(texts))
                batch.clear()

            for document, ps, ss in _synthetic(size):
                batch.append(Part(document, ps, ss))
                counts["documents"] += 1
                counts["passages"] += len(ps)
                counts["sentences"] += len(ss)
                if sum(len(part.passages) for part in batch) >= SEGMENT_PASSAGES:
                    flush()
            if batch:
                flush()
            store.write_commit(index, segments, words, embedder.model_id, fingerprint, DIMENSION)
    return {
        **counts,
        "build_s": round(time.perf_counter() - started, 1),
        "build_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(index: Path) -> dict[str, Any]:
    """In this (fresh) process: open, memory, then answers with and without a filter."""
    from qa.assistant import Assistant
    from qa.index.embedding import HashingEmbedder
    from qa.records import Filters
    from qa.settings import Settings

    before = rss_mb()
    started = time.perf_counter()
    assistant = Assistant.open(
        index,
        embedder=HashingEmbedder(DIMENSION, model_id=f"hashing:{DIMENSION}"),
        settings=Settings(model=f"hashing:{DIMENSION}"),
    )
    opened = time.perf_counter() - started
    after_open = rss_mb()
    generation = assistant.generation
    rng = random.Random(7)
    questions = []
    for _ in range(QUESTIONS):
        s = generation.sentences[rng.randrange(len(generation.sentences))]
        words = generation.documents[s.doc].text[s.start : s.end].rstrip(".").split()
        questions.append("What about " + " ".join(rng.sample(words, min(5, len(words)))) + "?")
    assistant.prime(questions)
    half = Filters(date_from="2020-07")
    first = time.perf_counter()
    assistant.ask(questions[0])
    first_answer = time.perf_counter() - first
    plain, filtered = [], []
    for question in questions:
        t = time.perf_counter()
        assistant.ask(question)
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        assistant.ask(question, filters=half)
        filtered.append(time.perf_counter() - t)
    folders = [index / generation.name]
    folders += [index / "segments" / s["name"] for s in generation.manifest.get("segments", [])]
    return {
        "open_s": round(opened, 3),
        "rss_open_mb": round(after_open - before),
        "rss_total_mb": round(rss_mb()),
        "first_answer_s": round(first_answer, 3),
        "ask_p50_ms": round(statistics.median(plain) * 1000, 1),
        "ask_p95_ms": round(sorted(plain)[int(0.95 * (len(plain) - 1))] * 1000, 1),
        "filtered_p50_ms": round(statistics.median(filtered) * 1000, 1),
        "disk_mb": round(sum(f.stat().st_size for folder in folders for f in folder.iterdir()) / 2**20),
    }


def _child(*args: str, code: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "QA_BENCH_CODE": str(code)} if code else None
    command = [sys.executable, "-m", "benchmarks.speed", *args]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def baseline_code(commit: str) -> Path:
    """A checkout of `commit` beside the cache (a git worktree), to measure the code before a change."""
    folder = CACHE / f"code-{commit}"
    if not (folder / "qa").is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), commit], check=True,
                       capture_output=True)  # fmt: skip
    return folder


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| code | passages | sentences | disk MB | build s | build peak MB | open s | memory after open MB "
        "| memory after answers MB | first answer s | ask p50 ms | ask p95 ms | filtered ask p50 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.get('code', 'this')} | {r['passages']:,} | {r['sentences']:,} | {r['disk_mb']:,} | {r['build_s']} | {r['build_peak_mb']:,} "
            f"| {r['open_s']} | {r['rss_open_mb']:,} | {r['rss_total_mb']:,} | {r['first_answer_s']} | {r['ask_p50_ms']} "
            f"| {r['ask_p95_ms']} "
            f"| {r['filtered_p50_ms']} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    codes = list(dict.fromkeys(r.get("code", "this") for r in rows))
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for axis, keys, label in (
        (axes[0], ("open_s",), "open (s)"),
        (axes[1], ("rss_open_mb", "disk_mb"), "MB"),
        (axes[2], ("ask_p50_ms", "filtered_p50_ms"), "ms"),
    ):
        for code in codes:
            mine = [r for r in rows if r.get("code", "this") == code]
            sizes = [r["passages"] for r in mine]
            for key in keys:
                style = "-" if code == "this" else "--"
                axis.plot(sizes, [max(r[key], 1e-3) for r in mine], style, marker="o", label=f"{key} ({code})")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("passages")
        axis.set_ylabel(label)
        axis.legend(fontsize=7)
    figure.suptitle("Index growth (synthetic briefings, hashing:384 embedder)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


NOTES = """
How to read it: *code* `this` is the current code, a commit hash the code of that commit (built and opened by
its own `qa` package, in its own process). *open s* is `Assistant.open` alone; *memory after open* the growth of
the process's resident memory across it (mapped pages a search has not touched yet are not counted); *first
answer* includes loading whatever the first question needs; *ask* is one answer (retrieval, re-ranking,
composing) with the question's vector computed ahead; *filtered* keeps the briefings dated from 2020-07 on.

What changed (format 3, then 4): the passage and sentence tables and the vectors are memory-mapped, the
documents and the passages' text sit in SQLite and are read by number, the term counts BM25 reads and the
spelling vocabulary are stored instead of rebuilt, and checksums are checked when an index is written and by
`qa verify` rather than at every open. Format 4 cuts the index into segments of at most 100,000 passages,
each written once: a build holds one segment in memory (the *build peak* column stops growing with the
corpus), and a re-index writes only the changed files as a new segment, the old versions marked removed.
Above 50,000 passages a segment's dense index is an inverted file whose number of probed lists is chosen
when it is written (recall@10 ≥ 0.99 against exact search on the sentences as queries); vectors with no
clusters to find (the hashing embedder's) stay exact, so the million-passage row searches 1M vectors exactly.

Against the targets of the million-passage issue (this run; profiles by `python -m benchmarks.profile_ask`):
- open ≤ 2 s: met (about 1 s at a million passages: ten segments' manifests, SQLite metadata and maps).
- memory ≤ 3 GB: met (*memory after answers* counts the mapped vectors' pages the searches touched).
- one changed file ≤ 2% of a full build: met (above).
- first answer ≤ 2 s: met only with the vectors in the page cache (about 1 s). From a cold cache the first
  exact search reads every passage vector from disk (1.5 GB at a million passages: the *first answer*
  column above is that, at this disk's speed). An inverted file reads only the lists it probes, but the
  hashing embedder's vectors have no clusters to find, so these segments stay exact.
- ask p50 ≤ 1.5× the question's encode + 10 ms: not met at a million passages. Profile (20 questions):
  exact search over 1M vectors is half of each answer (about 63 ms), BM25 over 1M passages about a fifth
  (common words' postings are long), answering about a quarter (27 ms of Python features, the same at any
  size). With the real model's vector structure the segments are inverted files, but a question still scans
  about a ninth of their lists: docs/million.md.
"""


def write(rows: list[dict[str, Any]]) -> None:
    stamp = time.strftime("%Y-%m-%d")
    head = (
        f"Measured by `python -m benchmarks.speed{' --baseline ' + rows[0]['code'] if rows and rows[0].get('code', 'this') != 'this' else ''}` "
        f"on {stamp} (synthetic briefings, `hashing:{DIMENSION}` embedder, each size opened in a fresh process on a "
        "shared 2-core machine)."
    )
    one = ""
    if (CACHE / "one-file.json").is_file():
        r = json.loads((CACHE / "one-file.json").read_text())
        one = (
            f"\nOne changed file (`python -m benchmarks.speed --one-file {r['paragraphs']}`, files of 50 paragraphs, `qa`'s "
            f"own sync): the full index of {r['passages']:,} passages took {r['full_s']} s, re-indexing after one "
            f"file changed {r['one_file_s']} s — {r['share']:.1%} of the full build (target ≤ 2%).\n"
        )
    (DOCS / "speed.md").write_text(
        "# Growth of the index\n\n" + head + "\n\n" + table(rows) + "\n\n![Growth](growth.png)\n" + one + NOTES
    )
    readme = README.read_text(encoding="utf-8")
    if START in readme and END in readme:
        before, rest = readme.split(START, 1)
        _, after = rest.split(END, 1)
        README.write_text(f"{before}{START}\n{head}\n\n{table(rows)}\n{END}{after}", encoding="utf-8")


def one_changed_file(size: int) -> dict[str, Any]:
    """A corpus folder of `size` paragraphs (files of 50 paragraphs of 60 words; the chunker packs two to a
    passage), indexed in full with `qa`'s own sync, then one file changed and re-indexed: the two times side by
    side (the hashing embedder: the pipeline's own cost)."""
    import tempfile

    from qa.index.embedding import HashingEmbedder
    from qa.index.sync import sync_index
    from qa.settings import Settings

    rng = random.Random(size)
    vocabulary = _words(rng)
    settings = Settings(model=f"hashing:{DIMENSION}")
    embedder = HashingEmbedder(DIMENSION, model_id=f"hashing:{DIMENSION}")
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        corpus, index = Path(work) / "corpus", Path(work) / "index"
        corpus.mkdir()
        for d in range(max(1, size // PASSAGES_PER_DOCUMENT)):
            paragraphs = [
                " ".join(rng.choices(vocabulary, k=60)).capitalize() + "." for _ in range(PASSAGES_PER_DOCUMENT)
            ]
            (corpus / f"b{d:05d}.md").write_text(f"# Briefing {d}, March 2024\n\n" + "\n\n".join(paragraphs) + "\n")
        started = time.perf_counter()
        full = sync_index(corpus, index, embedder, settings)
        full_s = time.perf_counter() - started
        changed = corpus / "b00000.md"
        changed.write_text(changed.read_text() + "\nA new closing paragraph was added to this briefing.\n")
        started = time.perf_counter()
        again = sync_index(corpus, index, embedder, settings)
        one_s = time.perf_counter() - started
    return {"paragraphs": size, "passages": full.passages, "full_s": round(full_s, 1), "one_file_s": round(one_s, 1),
            "share": round(one_s / full_s, 3), "updated": len(again.updated)}  # fmt: skip


MODEL_START, MODEL_END = "<!-- model-speed:start -->", "<!-- model-speed:end -->"
FACTBOOK = ROOT.parent / "shared" / "eval" / "factbook"
PROFILES = 10


def _encoder() -> Any:
    import torch
    from sentence_transformers import SentenceTransformer

    from qa.index.embedding import resolve_model_path
    from qa.settings import DEFAULT_MODEL

    torch.set_num_threads(1)
    return SentenceTransformer(str(resolve_model_path(DEFAULT_MODEL)), device="cpu")


def model_speed() -> dict[str, Any]:
    """The real model: index build against the bare model encoding the same passages, `ask()` against the bare
    query encode (and split into its stages), and a Haystack pipeline over the same passages if installed."""
    import tempfile

    from benchmarks.fixed_questions import FACTBOOK_QUESTIONS
    from qa.assistant import Assistant
    from qa.index.embedding import SentenceTransformerEmbedder
    from qa.index.store import load_generation
    from qa.index.sync import sync_index
    from qa.settings import DEFAULT_MODEL, Settings

    settings = Settings.from_env()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        for path in sorted(FACTBOOK.glob("*.md"))[:PROFILES]:
            (corpus / path.name).write_bytes(path.read_bytes())
        embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=1)
        embedder.embed(["warm up"])
        started = time.perf_counter()
        sync_index(corpus, Path(work) / "index", embedder, settings)
        ours = time.perf_counter() - started
        generation = load_generation(Path(work) / "index")
        texts = [p.text for p in generation.passages]
        encoder = _encoder()
        encoder.encode(["warm up"])
        started = time.perf_counter()
        encoder.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True)
        bare = time.perf_counter() - started
        out["build"] = {"passages": len(texts), "sentences": len(generation.sentences), "ours_s": round(ours, 1),
                        "bare_s": round(bare, 1), "ours_per_s": round(len(texts) / ours, 1),
                        "bare_per_s": round(len(texts) / bare, 1), "ratio": round(bare / ours, 2)}  # fmt: skip
        questions = [q for q, _ in FACTBOOK_QUESTIONS][:60]
        assistant = Assistant.open(Path(work) / "index", embedder=embedder, settings=settings)
        for q in questions[:5]:
            assistant.ask(q)
        encode_t, ask_t, search_t, answer_t = [], [], [], []
        for q in questions:
            t = time.perf_counter()
            encoder.encode([q], normalize_embeddings=True)
            encode_t.append(time.perf_counter() - t)
            assistant.encoder.forget()  # the question is embedded anew, as a new question would be
            t = time.perf_counter()
            assistant.ask(q)
            ask_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            retrieval = assistant.search(q)
            search_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            assistant.answer_from(retrieval)
            answer_t.append(time.perf_counter() - t)
        ms = lambda xs: round(statistics.median(xs) * 1000, 1)  # noqa: E731
        out["ask"] = {"questions": len(questions), "encode_p50_ms": ms(encode_t), "ask_p50_ms": ms(ask_t),
                      "ask_p95_ms": round(sorted(ask_t)[int(0.95 * (len(ask_t) - 1))] * 1000, 1),
                      "search_p50_ms": ms(search_t), "answer_p50_ms": ms(answer_t),
                      "ratio": round(statistics.median(ask_t) / statistics.median(encode_t), 2)}  # fmt: skip
        out["haystack"] = haystack_speed(texts, questions)
    out["all_profiles"] = all_profiles_speed(questions)
    return out


def all_profiles_speed(questions: list[str]) -> dict[str, Any] | str:
    """`ask()` over all 82 profiles (the index `benchmarks.factbook` caches) against a Haystack query pipeline over
    the same passages, given our stored passage vectors (the same model's: re-embedding them would take minutes and
    measure nothing new); one thread, each question embedded anew, alternating question by question."""
    os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"
    index = ROOT / "benchmarks" / ".cache" / "factbook" / "index"
    if not (index / "CURRENT").is_file():
        return "no cached Factbook index (python -m benchmarks.factbook builds it)"
    try:
        from haystack import Document, Pipeline
        from haystack.components.retrievers.in_memory import InMemoryEmbeddingRetriever
        from haystack.document_stores.in_memory import InMemoryDocumentStore
        from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersTextEmbedder
    except ImportError:
        return "Haystack not installed (pip install -e '.[peer]')"
    from qa.assistant import Assistant
    from qa.index.embedding import SentenceTransformerEmbedder, resolve_model_path
    from qa.settings import DEFAULT_MODEL, Settings

    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=1)
    assistant = Assistant.open(index, embedder=embedder, settings=settings)
    generation = assistant.generation
    vectors = generation.vectors()
    store = InMemoryDocumentStore()
    store.write_documents(
        [Document(content=p.text, embedding=v.tolist()) for p, v in zip(generation.passages, vectors, strict=True)]
    )
    query = Pipeline()
    query.add_component(
        "embed",
        SentenceTransformersTextEmbedder(
            model=str(resolve_model_path(DEFAULT_MODEL)), progress_bar=False, normalize_embeddings=True,
            local_files_only=True,
        ),
    )  # fmt: skip
    query.add_component("retrieve", InMemoryEmbeddingRetriever(document_store=store, top_k=5))
    query.connect("embed.embedding", "retrieve.query_embedding")
    query.warm_up()
    for q in questions[:5]:
        assistant.ask(q)
        query.run({"embed": {"text": q}})
    ours, theirs = [], []
    for q in questions:
        assistant.encoder.forget()
        t = time.perf_counter()
        assistant.ask(q)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        query.run({"embed": {"text": q}})
        theirs.append(time.perf_counter() - t)
    return {
        "passages": len(vectors),
        "ours_p50_ms": round(statistics.median(ours) * 1000, 1),
        "haystack_p50_ms": round(statistics.median(theirs) * 1000, 1),
    }


def haystack_speed(texts: list[str], questions: list[str]) -> dict[str, Any] | str:
    """A Haystack pipeline on the same passages and model: in-memory store, embedding retriever (telemetry off)."""
    os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"
    try:
        from haystack import Document, Pipeline
        from haystack.components.retrievers.in_memory import InMemoryEmbeddingRetriever
        from haystack.document_stores.in_memory import InMemoryDocumentStore
        from haystack_integrations.components.embedders.sentence_transformers import (
            SentenceTransformersDocumentEmbedder,
            SentenceTransformersTextEmbedder,
        )
    except ImportError:
        return "not installed (pip install -e '.[peer]')"
    from qa.index.embedding import resolve_model_path
    from qa.settings import DEFAULT_MODEL

    model = str(resolve_model_path(DEFAULT_MODEL))
    store = InMemoryDocumentStore()
    embedder = SentenceTransformersDocumentEmbedder(
        model=model, batch_size=64, progress_bar=False, normalize_embeddings=True, local_files_only=True
    )
    embedder.warm_up()
    started = time.perf_counter()
    store.write_documents(embedder.run([Document(content=t) for t in texts])["documents"])
    indexed = time.perf_counter() - started
    query = Pipeline()
    query.add_component(
        "embed",
        SentenceTransformersTextEmbedder(
            model=model, progress_bar=False, normalize_embeddings=True, local_files_only=True
        ),
    )
    query.add_component("retrieve", InMemoryEmbeddingRetriever(document_store=store, top_k=5))
    query.connect("embed.embedding", "retrieve.query_embedding")
    query.warm_up()
    times = []
    for q in questions:
        t = time.perf_counter()
        query.run({"embed": {"text": q}})
        times.append(time.perf_counter() - t)
    return {"index_s": round(indexed, 1), "query_p50_ms": round(statistics.median(times) * 1000, 1)}


def model_table(result: dict[str, Any]) -> str:
    build, ask, peer = result["build"], result["ask"], result["haystack"]
    rows = [
        f"Measured by `python -m benchmarks.speed --model` on {time.strftime('%Y-%m-%d')}: the first {PROFILES} Factbook "
        f"profiles ({build['passages']:,} passages, {build['sentences']:,} sentences), the bundled model on one thread.",
        "",
        "| measure | ours | bare model | ratio | target |",
        "|---|---|---|---|---|",
        f"| index build, passages/s | {build['ours_per_s']} | {build['bare_per_s']} (encoding the passages) "
        f"| {build['ratio']}× | ≥ 1.0× |",
        f"| `ask()` p50 ms (embed + search + answer) | {ask['ask_p50_ms']} | {ask['encode_p50_ms']} (encoding the question) "
        f"| {ask['ratio']}× | ≤ 1.0× |",
        f"| … of which search (embed, retrieve) / answer, p50 ms | {ask['search_p50_ms']} / {ask['answer_p50_ms']} | | | |",
    ]
    if isinstance(peer, dict):
        rows.append(
            f"| Haystack pipeline (in-memory store, embedding retriever): index s / query p50 ms | {build['ours_s']} / "
            f"{ask['ask_p50_ms']} | {peer['index_s']} / {peer['query_p50_ms']} (Haystack) "
            f"| {round(build['ours_s'] / peer['index_s'], 2)}× / {round(ask['ask_p50_ms'] / peer['query_p50_ms'], 2)}× "
            "| query < 1× |"
        )
    else:
        rows.append(f"| Haystack pipeline | | {peer} | | |")
    every = result.get("all_profiles")
    if isinstance(every, dict):
        rows.append(
            f"| all 82 profiles ({every['passages']:,} passages): query p50 ms, ours / Haystack | {every['ours_p50_ms']} "
            f"| {every['haystack_p50_ms']} (Haystack) | {round(every['ours_p50_ms'] / every['haystack_p50_ms'], 2)}× "
            "| ≤ 1/3 |"
        )
    elif every:
        rows.append(f"| all 82 profiles | | {every} | | |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--baseline", metavar="COMMIT", help="also build and open each size with this commit's code")
    parser.add_argument("--model", action="store_true", help="only the real-model table (needs ../shared)")
    parser.add_argument(
        "--one-file", type=int, metavar="PARAGRAPHS", help="only: re-index one changed file of a corpus"
    )
    parser.add_argument("--render", action="store_true", help="only: write the docs again from the last run's rows")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args.build, args.into or CACHE / str(args.build))))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.render:
        rows = json.loads((CACHE / "rows.json").read_text())
        plot(rows, DOCS / "growth.png")
        write(rows)
        return 0
    if args.one_file:
        CACHE.mkdir(parents=True, exist_ok=True)
        result = one_changed_file(args.one_file)
        (CACHE / "one-file.json").write_text(json.dumps(result))
        print(result)
        return 0
    if args.model:
        if not FACTBOOK.is_dir():
            print(f"No Factbook profiles at {FACTBOOK}: the real-model table needs ../shared.", file=sys.stderr)
            return 2
        text = model_table(model_speed())
        print(text)
        readme = README.read_text(encoding="utf-8")
        if MODEL_START in readme and MODEL_END in readme:
            before, rest = readme.split(MODEL_START, 1)
            _, after = rest.split(MODEL_END, 1)
            README.write_text(f"{before}{MODEL_START}\n{text}\n{MODEL_END}{after}", encoding="utf-8")
        return 0
    codes: list[tuple[str, Path | None]] = [("this", None)]
    if args.baseline:
        codes.insert(0, (args.baseline, baseline_code(args.baseline)))
    rows = []
    for size in args.sizes:
        for label, code in codes:
            if code is not None and size > BASELINE_UP_TO:
                continue  # the baseline holds a whole build in memory: about 27 GB at a million passages
            index = CACHE / (str(size) if code is None else f"{size}-{label}")
            built_file = index / "built.json"
            if not built_file.is_file():
                print(f"building {size:,} passages with {label}…", file=sys.stderr)
                built_file.parent.mkdir(parents=True, exist_ok=True)
                built_file.write_text(json.dumps(_child("--build", str(size), "--into", str(index), code=code)))
            row = {"code": label, **json.loads(built_file.read_text()), **_child("--measure", str(index), code=code)}
            print(row, file=sys.stderr)
            rows.append(row)
    (CACHE / "rows.json").write_text(json.dumps(rows))
    print(table(rows))
    plot(rows, DOCS / "growth.png")
    write(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
