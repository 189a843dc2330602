"""Standing questions: the state since last seen (pure), the SQLite store (restart, concurrency, damage, a re-check
killed midway), the re-check with a fake `ask`, and `qa watch` over the hashing embedder. The real model's
counterpart, with briefings edited, removed and added, is in test_real.py."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from qa.assistant.standing import (
    CHANGED,
    NEWLY_ANSWERED,
    NO_LONGER_ANSWERED,
    SOURCE_EDITED,
    UNCHANGED,
    RecheckReport,
    StandingStore,
    change_state,
    recheck,
    seen_from,
)
from qa.cli import main
from qa.errors import QuestionError, StandingError
from qa.records import Answer, AnswerSeen, Citation, Filters


def seen(
    quote: str = "Mexico supplies grain.", short: str | None = "grain", doc: str = "a.md", sha: str = "1"
) -> AnswerSeen:
    return AnswerSeen(answered=True, short_answer=short, quote=quote, doc_id=doc, sha256=sha, confidence=0.8)


REFUSED = AnswerSeen(answered=False, confidence=0.1)


@pytest.mark.parametrize(
    ("before", "now", "state"),
    [
        (seen(), seen(), UNCHANGED),
        (seen(), seen(quote="Mexico  supplies\ngrain."), UNCHANGED),  # the same words, spaced otherwise
        (seen(), seen(quote="Mexico supplies oil.", short="oil"), CHANGED),  # a new value
        (seen(), seen(short="Mexico"), CHANGED),  # the same quote, another short answer
        (seen(), seen(short=None), UNCHANGED),  # the bold phrase not shown this time: the quote is the answer
        (seen(), seen(sha="2"), SOURCE_EDITED),  # the same quote, its briefing edited elsewhere
        (seen(), seen(doc="b.md", sha="2"), UNCHANGED),  # a newer update says the same words
        (seen(), REFUSED, NO_LONGER_ANSWERED),
        (REFUSED, seen(), NEWLY_ANSWERED),
        (REFUSED, REFUSED, UNCHANGED),
        (None, seen(), UNCHANGED),
    ],
)
def test_the_state_since_last_seen(before: AnswerSeen | None, now: AnswerSeen, state: str) -> None:
    assert change_state(before, now) == state


def answer(quote: str | None, short: str | None = None, doc: str = "a.md", sha: str = "1") -> Answer:
    if quote is None:
        return Answer(question="q", text="refused", abstained=True, confidence=0.1)
    citation = Citation(n=1, doc_id=doc, title="A", date="2025-07", source=doc, quote=quote, start=3,
                        end=3 + len(quote), score=0.8, sha256=sha)  # fmt: skip
    return Answer(question="q", text=quote, short_answer=short, abstained=False, confidence=0.8, citations=[citation])


def test_an_answer_is_kept_by_its_first_quote_pinned_to_document_offsets_and_hash() -> None:
    kept = seen_from(answer("Mexico supplies grain.", "grain"), "gen-000002", "2026-12-07T00:00:00+00:00")
    assert (kept.answered, kept.short_answer, kept.doc_id, kept.start, kept.end, kept.sha256) == (
        True, "grain", "a.md", 3, 25, "1",
    )  # fmt: skip
    assert kept.generation == "gen-000002" and kept.date == "2025-07"
    assert seen_from(answer(None), "gen-000002", "t").answered is False


def test_the_store_keeps_questions_across_restarts_and_marks_them_seen(tmp_path: Path) -> None:
    store = StandingStore(tmp_path)
    assert store.list() == [] and not (tmp_path / "standing.sqlite").exists()  # reading creates nothing
    first = store.add("What does Mexico supply?", Filters(doc_ids=("a.md",), date_from="2025"), seen())
    second = store.add("Is a treaty signed?", Filters(), REFUSED)
    store.record([(first.id, seen(quote="Mexico supplies oil.", short="oil"), None), (second.id, seen(), None)])
    again = StandingStore(tmp_path).list()  # a new process: the same list and states
    assert [(i.question, i.state) for i in again] == [
        ("What does Mexico supply?", CHANGED), ("Is a treaty signed?", NEWLY_ANSWERED),
    ]  # fmt: skip
    assert again[0].doc_ids == ("a.md",) and again[0].date_from == "2025"
    assert again[0].seen is not None and again[0].seen.short_answer == "grain"
    assert again[0].latest is not None and again[0].latest.short_answer == "oil"
    marked = store.mark_seen(first.id)
    assert marked.state == UNCHANGED and marked.seen == marked.latest
    store.remove(second.id)
    assert [i.id for i in store.list()] == [first.id]
    with pytest.raises(StandingError, match="no standing question 99"):
        store.remove(99)
    with pytest.raises(StandingError, match="cannot be empty"):
        store.add("   ", Filters(), seen())


def test_a_recheck_records_every_answer_at_once_and_keeps_a_failure_with_why(tmp_path: Path) -> None:
    store = StandingStore(tmp_path)
    ids = [store.add(q, Filters(), seen()).id for q in ("value?", "elsewhere?", "gone?", "broken?")]
    answers = {
        "value?": answer("Mexico supplies oil.", "oil"),
        "elsewhere?": answer("Mexico supplies grain.", "grain", sha="2"),
        "gone?": answer(None),
    }

    def ask(question: str, filters: Filters) -> Answer:
        if question == "broken?":
            raise QuestionError("No briefing matches the filters")
        return answers[question]

    ticks = iter([10.0, 10.4])
    report = recheck(store, ask, "gen-000002", clock=lambda: next(ticks))
    assert report.states == {CHANGED: 1, SOURCE_EDITED: 1, NO_LONGER_ANSWERED: 1}
    assert report.failed == {ids[3]: "No briefing matches the filters"}
    assert report.summary() == (
        "4 standing questions re-checked in 0.4 s: 1 changed, 1 no longer answered, 1 source edited, "
        "1 could not be answered"
    )
    states = {i.question: (i.state, i.error) for i in store.list()}
    assert states == {
        "value?": (CHANGED, None), "elsewhere?": (SOURCE_EDITED, None), "gone?": (NO_LONGER_ANSWERED, None),
        "broken?": (UNCHANGED, "No briefing matches the filters"),  # kept, with its last answer, and why
    }  # fmt: skip
    assert RecheckReport(3, 0.2, {UNCHANGED: 3}).summary() == "3 standing questions re-checked in 0.2 s: none changed"


def test_a_question_added_or_removed_during_a_recheck_is_not_lost_nor_brought_back(tmp_path: Path) -> None:
    store = StandingStore(tmp_path)
    kept = store.add("kept?", Filters(), seen()).id
    dropped = store.add("dropped?", Filters(), seen()).id

    def ask(question: str, filters: Filters) -> Answer:
        if question == "kept?":  # meanwhile, another process edits the list
            StandingStore(tmp_path).remove(dropped)
            StandingStore(tmp_path).add("added meanwhile?", Filters(), REFUSED)
        return answer("Mexico supplies oil.", "oil")

    recheck(store, ask, "gen-000002")
    assert [(i.question, i.state) for i in store.list()] == [("kept?", CHANGED), ("added meanwhile?", UNCHANGED)]
    assert store.get(kept).latest is not None


def test_many_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    def add(n: int) -> None:
        for k in range(10):
            StandingStore(tmp_path).add(f"question {n}-{k}?", Filters(), seen())

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(StandingStore(tmp_path).list()) == 40


def test_a_damaged_store_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "standing.sqlite").write_bytes(b"this is no database" * 100)
    with pytest.raises(StandingError, match=r"cannot be read.*move the file aside"):
        StandingStore(tmp_path).list()
    with pytest.raises(StandingError, match="cannot be read"):
        StandingStore(tmp_path).add("q?", Filters(), seen())


def test_a_recheck_killed_midway_leaves_the_last_complete_state(tmp_path: Path) -> None:
    store = StandingStore(tmp_path)
    for n in range(5):
        store.add(f"question {n}?", Filters(), seen())
    before = store.list()
    started = tmp_path / "started"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from qa.assistant.standing import StandingStore, recheck
        from qa.records import Answer, Citation

        def ask(question, filters):
            Path({str(started)!r}).touch()
            time.sleep(0.5)
            c = Citation(n=1, doc_id="a.md", title="A", date=None, source="a.md", quote="Other words.", start=0,
                         end=12, score=0.9, sha256="9")
            return Answer(question=question, text="x", abstained=False, confidence=0.9, citations=[c])

        recheck(StandingStore(Path({str(tmp_path)!r})), ask, "gen-000009")
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.8)  # a question or two answered
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert started.exists()
    assert StandingStore(tmp_path).list() == before  # nothing half-written
    with sqlite3.connect(tmp_path / "standing.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def hashing_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MODEL", "hashing:256")
    monkeypatch.setenv("QA_ABSTAIN_BELOW", "0")


@pytest.mark.usefixtures("hashing_model")
def test_qa_watch_adds_lists_rechecks_on_index_and_removes(
    tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(tmp_path / "index")
    assert main(["index", str(tiny_corpus), "--index", index, "--quiet"]) == 0
    assert main(["watch", "add", "What does Beta sell to Alpha?", "--index", index]) == 0
    out = capsys.readouterr().out
    assert "[1] What does Beta sell to Alpha?  — unchanged" in out and "Beta sells wheat to Alpha." in out
    path = next(p for p in tiny_corpus.iterdir() if "Beta sells wheat to Alpha." in p.read_text())
    path.write_text(path.read_text().replace("Beta sells wheat to Alpha.", "Beta sells copper to Alpha."))
    assert main(["index", str(tiny_corpus), "--index", index, "--quiet"]) == 0
    assert "1 standing question re-checked in" in capsys.readouterr().out
    assert main(["watch", "status", "--index", index, "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["state"] == CHANGED
    assert "wheat" in item["seen"]["quote"] and "copper" in item["latest"]["quote"]
    assert main(["watch", "status", "--index", index]) == 0
    out = capsys.readouterr().out
    assert "seen: " in out and "now:  " in out and "copper" in out
    assert main(["watch", "seen", "1", "--index", index]) == 0
    capsys.readouterr()
    assert main(["watch", "status", "--index", index]) == 0
    assert "Nothing changed since last seen." in capsys.readouterr().out
    assert main(["watch", "remove", "1", "--index", index]) == 0
    assert main(["watch", "remove", "1", "--index", index]) == 2
    assert "no standing question 1" in capsys.readouterr().err
    assert main(["watch", "list", "--index", index]) == 0
    assert "No standing questions" in capsys.readouterr().out


def test_a_recheck_embeds_every_question_in_one_batch_first(tmp_path: Path) -> None:
    store = StandingStore(tmp_path)
    for q in ("one?", "two?", "three?"):
        store.add(q, Filters(), seen())
    calls: list[object] = []

    def ask(question: str, filters: Filters) -> Answer:
        calls.append(question)
        return answer("Mexico supplies grain.", "grain")

    report = recheck(store, ask, "gen-000002", prime=lambda questions: calls.append(list(questions)))
    assert calls == [["one?", "two?", "three?"], "one?", "two?", "three?"] and report.states == {UNCHANGED: 3}
    calls.clear()
    recheck(StandingStore(tmp_path / "none"), ask, "gen-000002", prime=lambda questions: calls.append(questions))
    assert calls == []  # nothing kept: nothing embedded
