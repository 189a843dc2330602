"""Standing questions: questions an analyst keeps, answered again at every commit of the index and compared with
the answer last seen.

A standing question holds its text, its filters, the answer as last seen and the answer at the latest re-check
(`AnswerSeen`: short answer, main quote, document, offsets, content hash, confidence, commit). `change_state`
compares the two (pure); `recheck` answers every standing question against the index in use and records the
results in one transaction; `StandingStore` keeps them in SQLite beside the index (`standing.sqlite`), so they
survive restarts and index swaps, and a re-check killed midway leaves the last complete state.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import QAError, StandingError
from qa.records import Answer, AnswerSeen, Filters, StandingQuestion

STANDING_FILE = "standing.sqlite"
UNCHANGED, CHANGED, NEWLY_ANSWERED, NO_LONGER_ANSWERED, SOURCE_EDITED = (
    "unchanged", "changed", "newly answered", "no longer answered", "source edited",
)  # fmt: skip
STATES = (CHANGED, NEWLY_ANSWERED, NO_LONGER_ANSWERED, SOURCE_EDITED, UNCHANGED)  # the order a report lists them
MAX_STANDING = 1000  # questions kept per index: a re-check answers every one
_SPACE = re.compile(r"\s+")


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def seen_from(answer: Answer, generation: str, checked: str) -> AnswerSeen:
    """What a re-check keeps of an answer: its short answer and first quote (document, offsets, hash)."""
    if answer.abstained or not answer.citations:
        return AnswerSeen(answered=False, confidence=answer.confidence, generation=generation, checked=checked)
    quote = answer.citations[0]
    return AnswerSeen(
        answered=True,
        short_answer=answer.short_answer,
        quote=quote.quote,
        doc_id=quote.doc_id,
        title=quote.title,
        date=quote.date,
        start=quote.start,
        end=quote.end,
        sha256=quote.sha256,
        confidence=answer.confidence,
        generation=generation,
        checked=checked,
    )


def _same_words(a: str, b: str) -> bool:
    return _SPACE.sub(" ", a).strip().casefold() == _SPACE.sub(" ", b).strip().casefold()


def change_state(seen: AnswerSeen | None, now: AnswerSeen) -> str:
    """How the answer `now` differs from the one last `seen`: *changed* when the main quote says other words or the
    short answer differs (both given); *source edited* when the same quote comes from its document edited since;
    *newly answered* or *no longer answered* when it crossed between an answer and a refusal; else *unchanged*.
    A bold phrase shown once and not the next time (its own confidence) is no change: the quote is the answer."""
    if seen is None:
        return UNCHANGED
    if not seen.answered:
        return NEWLY_ANSWERED if now.answered else UNCHANGED
    if not now.answered:
        return NO_LONGER_ANSWERED
    if not _same_words(seen.quote, now.quote):
        return CHANGED
    if seen.short_answer and now.short_answer and not _same_words(seen.short_answer, now.short_answer):
        return CHANGED
    if seen.doc_id == now.doc_id and seen.sha256 != now.sha256:
        return SOURCE_EDITED
    return UNCHANGED


@dataclass(frozen=True)
class RecheckReport:
    """What a re-check found: how many questions it answered, in what time, how many in each state, and which
    could not be answered (id → why)."""

    checked: int
    seconds: float
    states: dict[str, int] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)

    def summary(self) -> str:
        """ "12 standing questions re-checked in 0.4 s: 2 changed" ("…: none changed" when none moved)."""
        if not self.checked and not self.failed:
            return "no standing questions to re-check"
        noun = "standing question" if self.checked + len(self.failed) == 1 else "standing questions"
        moved = [f"{self.states[s]} {s}" for s in STATES if s != UNCHANGED and self.states.get(s)]
        if self.failed:
            moved.append(f"{len(self.failed)} could not be answered")
        head = f"{self.checked + len(self.failed)} {noun} re-checked in {self.seconds:.1f} s"
        return f"{head}: {', '.join(moved)}" if moved else f"{head}: none changed"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS standing (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  question TEXT NOT NULL,
  doc_ids TEXT NOT NULL,
  date_from TEXT,
  date_to TEXT,
  added TEXT NOT NULL,
  seen TEXT,
  latest TEXT,
  state TEXT NOT NULL,
  error TEXT
)
"""


class StandingStore:
    """The standing questions of one index folder, in SQLite (`standing.sqlite`): every change one transaction."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir) / STANDING_FILE

    @contextlib.contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        if not write and not self.path.exists():
            empty = sqlite3.connect(":memory:")  # nothing kept yet: an empty store, and no file made
            try:
                yield empty
            finally:
                empty.close()
            return
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StandingError(f"cannot open the standing questions ({self.path}): {exc}") from exc
        try:
            if write:
                connection.execute(_SCHEMA)
                connection.execute("BEGIN IMMEDIATE")
            yield connection
            if write:
                connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise StandingError(
                f"the standing questions ({self.path}) cannot be read: {exc}. The index still answers; move the "
                "file aside to start an empty list."
            ) from exc
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def list(self) -> list[StandingQuestion]:
        with self._db() as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'standing'").fetchone():
                return []
            rows = db.execute(
                "SELECT id, question, doc_ids, date_from, date_to, added, seen, latest, state, error FROM standing "
                "ORDER BY id"
            ).fetchall()
        return [_row(row) for row in rows]

    def get(self, standing_id: int) -> StandingQuestion:
        for item in self.list():
            if item.id == standing_id:
                return item
        raise StandingError(f"no standing question {standing_id}; `qa watch list` shows their numbers")

    def add(self, question: str, filters: Filters, first: AnswerSeen) -> StandingQuestion:
        """Keep `question` (with `filters`), its answer now taken as seen."""
        text = question.strip()
        if not text:
            raise StandingError("a standing question cannot be empty")
        with self._db(write=True) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM standing").fetchone()
            if count >= MAX_STANDING:
                raise StandingError(f"{MAX_STANDING} standing questions are kept at most; remove one first")
            seen = first.model_dump_json()
            cursor = db.execute(
                "INSERT INTO standing (question, doc_ids, date_from, date_to, added, seen, latest, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (text, json.dumps(list(filters.doc_ids)), filters.date_from, filters.date_to, now_iso(), seen, seen,
                 UNCHANGED),
            )  # fmt: skip
            standing_id = int(cursor.lastrowid or 0)
        return self.get(standing_id)

    def remove(self, standing_id: int) -> None:
        with self._db(write=True) as db:
            if db.execute("DELETE FROM standing WHERE id = ?", (standing_id,)).rowcount == 0:
                raise StandingError(f"no standing question {standing_id}; `qa watch list` shows their numbers")

    def mark_seen(self, standing_id: int) -> StandingQuestion:
        """The latest answer becomes the one seen: the question is *unchanged* until the next re-check moves it."""
        with self._db(write=True) as db:
            updated = db.execute(
                "UPDATE standing SET seen = latest, state = ? WHERE id = ?", (UNCHANGED, standing_id)
            ).rowcount
        if not updated:
            raise StandingError(f"no standing question {standing_id}; `qa watch list` shows their numbers")
        return self.get(standing_id)

    def record(self, results: Sequence[tuple[int, AnswerSeen | None, str | None]]) -> None:
        """Record a re-check in one transaction: each (id, the answer now or None when it failed, why it failed).
        A question removed meanwhile stays removed; one added meanwhile is not touched."""
        with self._db(write=True) as db:
            for standing_id, latest, error in results:
                row = db.execute("SELECT seen FROM standing WHERE id = ?", (standing_id,)).fetchone()
                if row is None:
                    continue
                if latest is None:
                    db.execute("UPDATE standing SET error = ? WHERE id = ?", (error, standing_id))
                    continue
                seen = AnswerSeen.model_validate_json(row[0]) if row[0] else None
                db.execute(
                    "UPDATE standing SET latest = ?, state = ?, error = NULL WHERE id = ?",
                    (latest.model_dump_json(), change_state(seen, latest), standing_id),
                )


def _row(row: tuple[object, ...]) -> StandingQuestion:
    standing_id, question, doc_ids, date_from, date_to, added, seen, latest, state, error = row
    return StandingQuestion(
        id=int(standing_id),  # type: ignore[call-overload]
        question=str(question),
        doc_ids=tuple(json.loads(str(doc_ids))),
        date_from=date_from if isinstance(date_from, str) else None,
        date_to=date_to if isinstance(date_to, str) else None,
        added=str(added),
        seen=AnswerSeen.model_validate_json(seen) if isinstance(seen, str) else None,
        latest=AnswerSeen.model_validate_json(latest) if isinstance(latest, str) else None,
        state=str(state),
        error=error if isinstance(error, str) else None,
    )


def filters_of(item: StandingQuestion) -> Filters:
    return Filters(doc_ids=item.doc_ids, date_from=item.date_from, date_to=item.date_to)


Ask = Callable[[str, Filters], Answer]


def recheck(
    store: StandingStore,
    ask: Ask,
    generation: str,
    clock: Callable[[], float] = time.perf_counter,
    prime: Callable[[Sequence[str]], None] | None = None,
) -> RecheckReport:
    """Answer every standing question with `ask` (against commit `generation`), compare each with the answer last
    seen, and record them all in one transaction. A question that fails to answer keeps its last answer and says
    why. `prime` embeds all the questions first, in batches (answers unchanged)."""
    started = clock()
    items = store.list()
    if prime is not None and items:
        prime([item.question for item in items])
    checked = now_iso()
    results: list[tuple[int, AnswerSeen | None, str | None]] = []
    failed: dict[int, str] = {}
    states: Counter[str] = Counter()
    for item in items:
        try:
            latest = seen_from(ask(item.question, filters_of(item)), generation, checked)
        except QAError as exc:
            failed[item.id] = str(exc)
            results.append((item.id, None, str(exc)))
            continue
        states[change_state(item.seen, latest)] += 1
        results.append((item.id, latest, None))
    store.record(results)
    return RecheckReport(len(items) - len(failed), clock() - started, dict(states), failed)
