"""What the web page does on each event, as plain functions over a `Service` (the Assistant, or a fake).

Each handler takes the page's inputs and returns plain values (HTML strings, turns, records); `app.py` only
wires them to Gradio's components and turns "keep as it is" (None here) into Gradio's updates. No gradio
import and no Assistant import here: the handlers read the service through its protocol, and are tested
without a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from qa.errors import QAError
from qa.records import Answer, DocumentInfo, Filters, IndexStatus, SeriesDiff, SeriesInfo, StandingQuestion, Turn
from qa.web.escaping import escape
from qa.web.export import write_conversation_pack
from qa.web.html import answer_html, corpus_html, document_html, status_line
from qa.web.page import briefing_choices, conversation_html, filters_from_inputs, picker_label
from qa.web.watching import keep_button

TURNS_KEPT = 100  # the turns of one conversation the page keeps and shows; older ones scroll away


class Service(Protocol):
    """What the page reads of the Assistant."""

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        plain: bool = False,
    ) -> Answer: ...
    def diff(self, series: str, date_from: str | None = None, date_to: str | None = None) -> SeriesDiff: ...
    def documents(self) -> list[DocumentInfo]: ...
    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]: ...
    def status(self) -> IndexStatus: ...
    def series(self) -> list[SeriesInfo]: ...
    def refresh(self, force: bool = False) -> bool: ...


def notice(message: str) -> str:
    return f"<p role='alert'>{escape(message)}</p>" if message else ""


def status_html(service: Service, loaded: bool = False) -> str:
    ready = " data-loaded='1'" if loaded else ""  # the page's load event has run (browser tests wait for it)
    return f"<p class='qa-status' id='qa-status'{ready}>{status_line(service.status())}</p>"


def corpus_panel(service: Service) -> str:
    return corpus_html(service.documents(), service.status(), service.series())


def restore(saved: Any) -> tuple[list[Turn], int]:
    """The conversation the browser kept, as turns; and how many stored turns could not be read."""
    turns, lost = [], 0
    for item in saved if isinstance(saved, list) else []:
        try:
            turns.append(Turn.model_validate(item))
        except ValidationError:
            lost += 1
    return turns[-TURNS_KEPT:], lost


def render(service: Service, turn: Turn, serial: int) -> dict[str, Any]:
    """One turn as the conversation shows it (its answer's HTML with the cited documents' texts)."""
    if turn.answer is None:
        return {"question": turn.question, "error": turn.error or "No answer.", "serial": serial}
    answer = turn.answer
    cited = {c.doc_id for c in answer.citations + answer.nearest}
    return {
        "question": turn.question,
        "html": answer_html(answer, f"a{serial}", service.document_texts(cited))
        + keep_button(turn.question, turn.filters),
        "serial": serial,
    }


@dataclass(frozen=True)
class Asked:
    """What asking changed on the page: None fields stay as they are. `turns` is the whole conversation (for the
    verification pack) when a turn was added."""

    notice: str
    box: str | None = None
    shown: list[dict[str, Any]] | None = None
    turns: list[Turn] | None = None

    @property
    def saved(self) -> list[dict[str, Any]] | None:
        return None if self.turns is None else [t.model_dump(mode="json") for t in self.turns]


def ask(
    service: Service,
    question: str | None,
    shown: list[dict[str, Any]],
    saved: Any,
    filter_inputs: tuple[Sequence[str] | None, str | None, str | None],
    max_chars: int,
    now: Callable[[], str],
    plain: bool = False,
    widen: bool = False,
) -> Asked:
    """Ask a question typed in the page, with the conversation the browser kept and the filter inputs; `plain`:
    as typed, as a plain question (the answer's "Ask it as a plain question instead"); `widen`: over every
    briefing, whatever the filter inputs (a filtered refusal's "Search all briefings")."""
    question = (question or "").strip()
    if not question:
        return Asked(notice("Type a question first."))
    if len(question) > max_chars:
        return Asked(
            notice(
                f"The question is {len(question):,} characters long; the limit is {max_chars:,}. Shorten it and ask again."
            )
        )
    turns, _ = restore(saved)
    history = [t.question for t in turns if t.answer is not None]
    try:
        filters = Filters() if widen else filters_from_inputs(*filter_inputs)
    except ValueError as exc:
        return Asked(notice(str(exc)))
    try:
        turn = Turn(
            question=question,
            asked_at=now(),
            filters=filters,
            answer=service.ask(question, history, filters=filters, plain=plain),
        )
        box = ""
    except (QAError, ValueError) as exc:
        turn = Turn(question=question, asked_at=now(), filters=filters, error=str(exc))
        box = question  # the question stays in the box to try again
    serial = (shown[-1]["serial"] + 1) if shown else 0
    return Asked(
        notice(""),
        box=box,
        shown=[*shown, render(service, turn, serial)][-TURNS_KEPT:],  # a session's state stays bounded
        turns=[*turns, turn][-TURNS_KEPT:],
    )


def pack(
    export_dir: Path, turns: Sequence[Turn], now: Callable[[], str], standing: Sequence[StandingQuestion] = ()
) -> tuple[Path, Path] | None:
    """The conversation's verification pack (Markdown, JSON), with the standing questions, written for download;
    None with no turn."""
    if not turns:
        return None
    md, js = write_conversation_pack(export_dir, turns, now(), standing=standing)
    return md, js


def api_ask(service: Service, question: Any, history: Any, max_chars: int) -> dict[str, Any]:
    """The `/ask` endpoint: the answer JSON, or {"error": …} naming what is wrong."""
    if not isinstance(question, str):
        return {"error": "The question must be text, for example: What does Mexico supply to Russia?"}
    if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
        return {"error": "The history must be a list of earlier questions, each one text.", "question": question[:200]}
    try:
        # a question far over the limit is cut before it is read; the limit's own message comes from answering
        return service.ask(question[: max_chars * 2], list(history or [])).model_dump(mode="json")
    except (QAError, ValueError) as exc:
        return {"error": str(exc), "question": question[:200]}


def api_diff(service: Service, series: Any, date_from: str | None, date_to: str | None) -> dict[str, Any]:
    """The `/diff` endpoint: what changed in a series between two of its members, or {"error": …}."""
    if not isinstance(series, str) or not series.strip():
        return {"error": "Name a series, for example: Russia, Mexico, Bilateral Relations"}
    try:
        return service.diff(series[:300], date_from or None, date_to or None).model_dump(mode="json")
    except (QAError, ValueError) as exc:
        return {"error": str(exc), "series": series[:200]}


def picker(service: Service, order: str, chosen: Sequence[str] | None) -> tuple[list[tuple[str, str]], list[str], str]:
    """The briefing picker's choices in `order`, the chosen ones still in the index, and its label."""
    current = service.documents()
    known = {d.doc_id for d in current}
    kept = [c for c in chosen or [] if c in known]
    return briefing_choices(current, order), kept, picker_label(len(kept), len(current))


def open_document(service: Service, doc_id: str) -> str:
    """The Document tab's view of one briefing (a clear note when the index holds no such briefing)."""
    info = next((d for d in service.documents() if d.doc_id == doc_id), None)
    text = service.document_texts([doc_id]).get(doc_id) if info is not None else None
    return document_html(info, text)


@dataclass(frozen=True)
class Loaded:
    """What a (re)load of the page shows: the conversation the browser kept, and a notice of turns lost."""

    shown: list[dict[str, Any]]
    turns: list[Turn]
    notice: str


def load(service: Service, kept: Any) -> Loaded:
    """A (re)load shows the index in use now (a newer one loads in the background) and the kept conversation."""
    service.refresh()
    turns, lost = restore(kept)
    shown = [render(service, turn, serial) for serial, turn in enumerate(turns)]
    return Loaded(shown, turns, notice(f"{lost} earlier turns could not be restored.") if lost else "")


__all__ = [
    "Asked",
    "Loaded",
    "Service",
    "api_ask",
    "api_diff",
    "ask",
    "conversation_html",
    "corpus_panel",
    "load",
    "notice",
    "open_document",
    "pack",
    "picker",
    "render",
    "restore",
    "status_html",
]
