"""Briefings over time, measured on series of our own making: the newest word first, `qa diff` against the
edits we made, and how soon a saved file is answered from under `qa index --watch`.

    python -m benchmarks.over_time             # needs ../shared; the bundled model; writes docs/over-time.md
    python -m benchmarks.over_time --standing  # standing questions alone: writes docs/standing.md

The series (made here, the facts of the updates invented for the test, clearly not the sources'):
- the sample briefing (July 2025) and a January 2026 update of it saved under another file name, with a
  changed rank, a new foreign minister, a removed paragraph, a changed wheat figure and an added sentence;
- three Factbook profiles of the tune split as a "2025 Edition" and a "2026 Edition" with a changed
  population figure, a new chief of state, a removed line and an added note.

Questions whose right answer depends on the date (the current one, or "as of" the older edition) are
asked, each scored by the main quote's document and the value it must hold; the diff of each series is
compared with the edits made; the watch latency is the time from saving a new briefing to an answer that
quotes it, through `watch_corpus` and a serving `Assistant`'s refresh.

Standing questions (`--standing`): `STANDING` are kept over the 2025 editions alone, then three re-indexes
follow, each re-checking them: the 2026 editions arrive (`STEPS[0]`), an edit elsewhere in every 2026 file
(`STEPS[1]`), two values edited again (`STEPS[2]`). Each question is labelled with the steps at which its answer
changes; between steps every question is marked seen, as an analyst reading them would. The labels were written
before the benchmark was first run, and nothing is fitted on them. Scored: precision and recall of *changed*, and
the re-check's time against answering the same questions plainly.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from benchmarks.harness import ROOT

SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "seeds" / "000_405f7ea584ac2a4a.txt"
FACTBOOK = SHARED / "eval" / "factbook"
DOCS = ROOT / "docs"


@dataclass(frozen=True)
class Edit:
    kind: str  # changed, added, removed
    old: str | None  # a piece of the old sentence (None for added)
    new: str | None  # a piece of the new sentence (None for removed)
    replace: tuple[str, str] | None = None  # how the edit is made: (old text, new text) in the file


SAMPLE_EDITS = [
    Edit("changed", "second largest trading partner", "third largest trading partner",
         ("second largest trading partner in Latin America after Brazil", "third largest trading partner in Latin America after Brazil and Argentina")),
    Edit("changed", "Juan Ramon de la Fuente Ramirez", "Alicia Barcena Ibarra",
         ("Juan Ramon de la Fuente Ramirez", "Alicia Barcena Ibarra")),
    Edit("changed", "holds a significant share in wheat exports", "held a 12 percent share of wheat exports",
         ("Russia traditionally holds a significant share in wheat exports to Mexico.", "Russia held a 12 percent share of wheat exports to Mexico in 2025.")),
    Edit("added", None, "consulate opened in Monterrey",
         ("There is potential for expanding supplies", "A Russian consulate opened in Monterrey in December 2025. There is potential for expanding supplies")),
    *[Edit("removed", start, None) for start in (
        "Mexico is under the process", "Nevertheless, the US remains", "That said, there are some ingenious",
        "One is the fact that Mexico buys", "Russia has noted this")],
]  # fmt: skip
SAMPLE_REMOVED_PARAGRAPH = "Mexico is under the process"

PROFILES = {  # tune-split countries: (file, edits)
    "as-australia.md": [
        Edit("changed", "27,490,921", "27,812,400", ("**total:** 27,490,921 (2025 est.)", "**total:** 27,812,400 (2026 est.)")),
        Edit("added", None, "second seat of government", ("**name:** Canberra", "**name:** Canberra\n**note:** a second seat of government opened in Perth in 2026")),
    ],
    "bm-burma.md": [
        Edit("changed", "Acting President Sr. Gen. MIN AUNG HLAING (since 31 July 2025)", "President MIN AUNG HLAING (since 15 March 2026)",
             ("Acting President Sr. Gen. MIN AUNG HLAING (since 31 July 2025)", "President MIN AUNG HLAING (since 15 March 2026)")),
    ],
    "ag-algeria.md": [
        Edit("removed", "Prime Minister Sifi GHRIEB", None, ("**head of government:** Prime Minister Sifi GHRIEB (since 28 August 2025)\n", "")),
        Edit("changed", "TEBBOUNE (since 12 December 2019)", "TEBBOUNE (since 12 December 2019; re-elected 2024)",
             ("TEBBOUNE (since 12 December 2019)", "TEBBOUNE (since 12 December 2019; re-elected 2024)")),
    ],
}  # fmt: skip

# (question, the document whose quote must answer, a piece the quote must hold)
QUESTIONS = [
    ("How many people live in Australia?", "profiles/as-australia-2026.md", "27,812,400"),
    ("What was the population of Australia as of 2025?", "profiles/as-australia-2025.md", "27,490,921"),
    ("Who is the chief of state of Burma?", "profiles/bm-burma-2026.md", "15 March 2026"),
    ("Who was Burma's chief of state as of 2025?", "profiles/bm-burma-2025.md", "31 July 2025"),
    ("Who is Algeria's chief of state?", "profiles/ag-algeria-2026.md", "re-elected 2024"),
    ("Who met Lavrov at the BRICS summit?", "russia-mexico/2026-01-update.txt", "Alicia Barcena"),
    ("What is Mexico's rank among Russia's trading partners in Latin America?", "russia-mexico/2026-01-update.txt", "third largest"),
    ("What did the briefings say in 2025 about Mexico's rank among Russia's trading partners?", "rm-2025-07.txt", "second largest"),
    ("What share of wheat exports to Mexico does Russia hold?", "russia-mexico/2026-01-update.txt", "12 percent"),
]  # fmt: skip


# (question, the steps (0, 1, 2) after which its answer changes): an edited value, a new name, a new rank
STANDING = [
    ("How many people live in Australia?", {0, 2}),
    ("What is the population of Australia?", {0, 2}),
    ("Who is the chief of state of Burma?", {0}),
    ("Who is Algeria's chief of state?", {0}),
    ("Who met Lavrov at the BRICS summit?", {0, 2}),
    ("Who is Mexico's foreign minister?", {0, 2}),
    ("What is Mexico's rank among Russia's trading partners in Latin America?", {0}),
    ("What share of wheat exports to Mexico does Russia hold?", {0}),
    ("What does Mexico supply to Russia?", set()),
    ("What sectors hold the greatest potential for bilateral relations?", set()),
    ("What is the capital of Australia?", set()),
    ("What is the capital of Burma?", set()),
    ("What is the capital of Algeria?", set()),
    ("What is the area of Algeria?", set()),
    ("What are the natural resources of Burma?", set()),
    ("What languages are spoken in Australia?", set()),
    ("What is the climate of Australia?", set()),
    ("What is the median age in Burma?", set()),
    ("What is the literacy rate in Algeria?", set()),
    ("Which countries border Burma?", set()),
]
# the line the second step adds at the end of every 2026 file: an edit elsewhere, changing no answer
REVIEWED = "\n\nThis edition was reviewed again in March 2026.\n"


def apply(text: str, edits: list[Edit], removed_paragraph: str | None = None) -> str:
    for edit in edits:
        if edit.replace is not None:
            old, new = edit.replace
            if old not in text:
                raise ValueError(f"the edit's text is not in the file: {old[:60]}")
            text = text.replace(old, new, 1)
    if removed_paragraph:
        start = text.index(removed_paragraph)
        end = text.index("\n\n", start)
        text = text[:start] + text[end + 2 :]
    return text


def make_corpus(corpus: Path) -> None:
    corpus.mkdir(parents=True)
    sample = SAMPLE.read_text(encoding="utf-8")
    (corpus / "rm-2025-07.txt").write_text(sample, encoding="utf-8")
    update = apply(sample, SAMPLE_EDITS, SAMPLE_REMOVED_PARAGRAPH).replace("July 2025 Update", "January 2026 Update", 1)
    (corpus / "russia-mexico").mkdir()
    (corpus / "russia-mexico" / "2026-01-update.txt").write_text(
        update, encoding="utf-8"
    )  # another name: a renamed file
    (corpus / "profiles").mkdir()
    for name, edits in PROFILES.items():
        text = (FACTBOOK / name).read_text(encoding="utf-8")
        head, rest = text.split("\n", 1)
        country = head.removeprefix("# ").split(" — ")[0]
        old = f"# {country}, 2025 Edition — CIA World Factbook country profile\n" + rest
        new = f"# {country}, 2026 Edition — CIA World Factbook country profile\n" + apply(rest, edits)
        stem = name.removesuffix(".md")
        (corpus / "profiles" / f"{stem}-2025.md").write_text(old, encoding="utf-8")
        (corpus / "profiles" / f"{stem}-2026.md").write_text(new, encoding="utf-8")


def standing_steps(corpus: Path) -> list[dict[str, str]]:
    """The three re-indexes of the standing benchmark, each as the files it writes (relative path → text), made
    from the full corpus `make_corpus` wrote: the 2026 editions arrive; a line added at the end of each; two
    values edited again."""
    newer = {
        str(p.relative_to(corpus)): p.read_text(encoding="utf-8")
        for p in sorted(corpus.rglob("*"))
        if p.is_file() and ("2026" in p.name)
    }
    reviewed = {name: text.rstrip("\n") + REVIEWED for name, text in newer.items()}
    edited = dict(reviewed)
    edited["profiles/as-australia-2026.md"] = edited["profiles/as-australia-2026.md"].replace(
        "27,812,400", "27,903,150"
    )
    update = "russia-mexico/2026-01-update.txt"
    edited[update] = edited[update].replace("Alicia Barcena Ibarra", "Roberto Velasco Alvarez")
    assert edited[update] != reviewed[update]
    return [newer, reviewed, edited]


def standing_benchmark(corpus: Path, index: Path, embedder: Any, settings: Any) -> dict[str, Any]:
    """Keep `STANDING` over the 2025 editions, then re-index through `standing_steps`, re-checking each time."""
    from qa.assistant import Assistant
    from qa.index.sync import sync_index

    steps = standing_steps(corpus)
    for name in steps[0]:
        (corpus / name).unlink()
    sync_index(corpus, index, embedder, settings)
    assistant = Assistant.open(index, embedder=embedder, settings=settings)
    kept = {assistant.keep_watching(q).id: (q, changes) for q, changes in STANDING}
    rows, times = [], []
    for step, files in enumerate(steps):
        for name, text in files.items():
            (corpus / name).parent.mkdir(parents=True, exist_ok=True)
            (corpus / name).write_text(text, encoding="utf-8")
        sync_index(corpus, index, embedder, settings)
        assistant.encoder.forget()
        report = assistant.recheck_standing()
        assistant.encoder.forget()
        started = time.perf_counter()
        for question, _ in STANDING:
            assistant.ask(question)
        plain = time.perf_counter() - started
        times.append((report.seconds, plain, report.checked))
        for item in assistant.standing().list():
            question, changes = kept[item.id]
            rows.append((step, question, step in changes, item.state, item.seen, item.latest))
            assistant.standing().mark_seen(item.id)
        print(f"step {step}: {report.summary()}", file=sys.stderr)
    return {"rows": rows, "times": times, "cost": recheck_cost(assistant)}


def recheck_cost(assistant: Any, count: int = 100) -> dict[str, float]:
    """`count` standing questions (the Factbook bank's wordings about the three profile countries) re-checked,
    against the same questions answered one by one; each side with no question embedded ahead, alternated 3 times."""
    from benchmarks.factbook_questions import FIELDS

    countries = ("Australia", "Burma", "Algeria")
    questions = list(dict.fromkeys(w.format(c=c) for f in FIELDS for w in f.wordings for c in countries))[:count]
    for item in assistant.standing().list():
        assistant.standing().remove(item.id)
    for question in questions:
        assistant.keep_watching(question)
    rechecks, plains = [], []
    for _ in range(3):
        assistant.encoder.forget()
        rechecks.append(assistant.recheck_standing().seconds)
        assistant.encoder.forget()
        started = time.perf_counter()
        for question in questions:
            assistant.ask(question)
        plains.append(time.perf_counter() - started)
    return {"questions": len(questions), "recheck_s": statistics.median(rechecks), "plain_s": statistics.median(plains)}


def standing_report(result: dict[str, Any]) -> str:
    rows, times, cost = result["rows"], result["times"], result["cost"]
    flagged = [r for r in rows if r[3] == "changed"]
    labelled = [r for r in rows if r[2]]
    hits = [r for r in flagged if r[2]]
    precision = len(hits) / len(flagged) if flagged else 1.0
    recall = len(hits) / len(labelled) if labelled else 1.0
    recheck = sum(t[0] for t in times)
    plain = sum(t[1] for t in times)
    checked = sum(t[2] for t in times)
    what = ("the 2026 editions arrive", "a line added at the end of every 2026 file", "two values edited again")
    lines = [
        "# Standing questions",
        "",
        f"Measured by `python -m benchmarks.over_time --standing` on {time.strftime('%Y-%m-%d')} (the bundled model; "
        f"the series of our own making in `benchmarks/over_time.py`): {len(STANDING)} standing questions kept over the "
        "2025 editions, then three re-indexes, each re-checking them all; every question marked seen between steps. "
        "The labels (which steps change each answer) were written before the first run; nothing is fitted on them.",
        "",
        f"*Changed* flags: precision **{precision:.2f}** ({len(hits)}/{len(flagged)}), recall **{recall:.2f}** "
        f"({len(hits)}/{len(labelled)}) (targets ≥ 0.95 each).",
        "",
        f"Re-check cost: {cost['questions']} standing questions re-checked in {cost['recheck_s']:.2f} s, against "
        f"{cost['plain_s']:.2f} s to answer the same questions one by one: **{cost['recheck_s'] / cost['plain_s']:.2f}×** "
        "(target ≤ 2×; the Factbook bank's wordings about the three profile countries, medians of 3 alternated runs, "
        f"no question embedded ahead). Over the three re-indexes above: {recheck / max(checked, 1) * 1000:.0f} ms a "
        f"question re-checked, {plain / max(checked, 1) * 1000:.0f} ms answered plainly.",
        "",
        "| step | question | labelled changed | state | as last seen | now |",
        "|---|---|---|---|---|---|",
    ]

    def cut(seen: Any) -> str:
        if seen is None or not seen.answered:
            return "refused"
        return (seen.quote[:70] + "…" if len(seen.quote) > 70 else seen.quote).replace("|", "\\|")

    for step, question, label, state, seen, latest in rows:
        mark = "" if (state == "changed") == label else " ✗"
        lines.append(
            f"| {step + 1}: {what[step]} | {question} | {'yes' if label else 'no'} | {state}{mark} | {cut(seen)} | {cut(latest)} |"
        )
    return "\n".join(lines) + "\n"


def score_diff(diff: Any, edits: list[Edit]) -> tuple[int, int, int, int]:
    """(edits found, edits made, reported lines that are an edit, reported lines)."""

    def matches(line: Any, edit: Edit) -> bool:
        old = line.old.text if line.old else ""
        new = line.new.text if line.new else ""
        return (
            line.kind == edit.kind and (edit.old is None or edit.old in old) and (edit.new is None or edit.new in new)
        )

    found = sum(any(matches(line, e) for line in diff.lines) for e in edits)
    true_lines = sum(any(matches(line, e) for e in edits) for line in diff.lines)
    return found, len(edits), true_lines, len(diff.lines)


def watch_latency(
    corpus: Path, index: Path, embedder: Any, settings: Any, assistant: Any, trials: int = 3
) -> list[float]:
    from qa.index.sync import sync_index
    from qa.index.watch import watch_corpus

    stop = threading.Event()
    thread = threading.Thread(
        target=watch_corpus,
        args=(corpus, lambda: sync_index(corpus, index, embedder, settings), lambda r, n: None, stop),
        daemon=True,
    )
    thread.start()
    time.sleep(1.0)
    times = []
    try:
        for trial in range(trials):
            word = f"Zorvath{trial}"
            saved = time.perf_counter()
            (corpus / f"watch-{trial}.txt").write_text(
                f"Watch Note {trial}, February 2026\n\nThe {word} bridge reopened to traffic in February 2026.\n",
                encoding="utf-8",
            )
            while time.perf_counter() - saved < 120:
                assistant.refresh(force=True)
                answer = assistant.ask(f"Which bridge reopened, the {word} bridge?")
                if answer.citations and answer.citations[0].doc_id == f"watch-{trial}.txt":
                    times.append(time.perf_counter() - saved)
                    break
                time.sleep(0.1)
            else:
                times.append(float("nan"))
    finally:
        stop.set()
        thread.join(10)
    return times


def main() -> int:
    if not FACTBOOK.is_dir() or not SAMPLE.is_file():
        print("This needs ../shared (the sample briefing and the Factbook profiles).", file=sys.stderr)
        return 2
    if "--standing" in sys.argv[1:]:
        return main_standing()
    from qa.assistant import Assistant
    from qa.index.embedding import make_embedder
    from qa.index.sync import sync_index
    from qa.settings import Settings

    settings = Settings.from_env()
    embedder = make_embedder(settings.model, settings.batch_size, threads=None)
    work = Path(tempfile.mkdtemp(prefix="qa-over-time-"))
    try:
        corpus, index = work / "corpus", work / "index"
        make_corpus(corpus)
        started = time.perf_counter()
        sync_index(corpus, index, embedder, settings)
        print(f"indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        assistant = Assistant.open(index, embedder=embedder, settings=settings)

        rows = []
        for question, doc_id, piece in QUESTIONS:
            answer = assistant.ask(question)
            main_quote = answer.citations[0] if answer.citations and not answer.abstained else None
            right = main_quote is not None and main_quote.doc_id == doc_id and piece in main_quote.quote
            shown = [c for c in answer.citations if c.n in answer.other_versions]
            rows.append((question, doc_id, piece, right, main_quote, shown))
            print(question, right, main_quote.doc_id if main_quote else None, file=sys.stderr)

        diffs = []
        series_names = {s.name: s for s in assistant.series() if len(s.members) > 1}
        for name, edits in [("Russia, Mexico, Bilateral Relations", SAMPLE_EDITS),
                            *((f"{(FACTBOOK / n).read_text().split(' — ')[0].removeprefix('# ')}", e) for n, e in PROFILES.items())]:  # fmt: skip
            key = next(s for s in series_names if s.startswith(name))
            diff = assistant.diff(key)
            diffs.append((key, *score_diff(diff, edits)))
        latencies = watch_latency(corpus, index, embedder, settings, assistant)
        text = report(rows, diffs, latencies)
        print(text)
        (DOCS / "over-time.md").write_text(text, encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main_standing() -> int:
    from qa.index.embedding import make_embedder
    from qa.settings import Settings

    settings = Settings.from_env()
    embedder = make_embedder(settings.model, settings.batch_size, threads=None)
    work = Path(tempfile.mkdtemp(prefix="qa-standing-"))
    try:
        make_corpus(work / "corpus")
        text = standing_report(standing_benchmark(work / "corpus", work / "index", embedder, settings))
        print(text)
        (DOCS / "standing.md").write_text(text, encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(rows: list[Any], diffs: list[Any], latencies: list[float]) -> str:
    right = sum(r[3] for r in rows)
    lines = [
        "# Briefings over time",
        "",
        f"Measured by `python -m benchmarks.over_time` on {time.strftime('%Y-%m-%d')} (the bundled model; series of "
        "our own making: the sample briefing and three Factbook profiles of the tune split, each with an invented "
        "later edition — see the script for every edit).",
        "",
        "## Newest first, and as of a date",
        "",
        f"The main quote from the right edition and holding the right value: **{right} of {len(rows)}**.",
        "",
        "| question | expected edition | holds | right | older version shown |",
        "|---|---|---|---|---|",
    ]
    for question, doc_id, piece, ok, _main, shown in rows:
        older = "; ".join(f"{c.doc_id} ({c.date})" for c in shown) or "–"
        lines.append(f"| {question} | {doc_id} | {piece} | {'yes' if ok else 'no'} | {older} |")
    found = sum(d[1] for d in diffs)
    made = sum(d[2] for d in diffs)
    true_lines = sum(d[3] for d in diffs)
    reported = sum(d[4] for d in diffs)
    lines += [
        "",
        "## `qa diff` against the edits made",
        "",
        f"Recall {found}/{made} = {found / made:.2f}; precision {true_lines}/{reported} = "
        f"{true_lines / max(reported, 1):.2f} (a reported line is right when it is one of the edits, of the right kind).",
        "",
        "| series | edits found | edits made | reported lines that are edits | reported lines |",
        "|---|---|---|---|---|",
        *(f"| {name} | {a} | {b} | {c} | {d} |" for name, a, b, c, d in diffs),
        "",
        "## Watch latency",
        "",
        "From saving a new briefing in the watched folder to an answer quoting it (debounce, re-index with the "
        "model, the serving assistant's refresh, the question): "
        + ", ".join(f"{t:.1f} s" for t in latencies)
        + f" (median {statistics.median(latencies):.1f} s).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
