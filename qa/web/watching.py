"""The Watching panel and its actions: the standing questions with their state since last seen, a changed one's
answer as last seen beside its answer now, and what "Keep watching", "Mark seen" and "Stop watching" do.

Pure over records (`StandingQuestion`) and a `Standing` service (the Assistant's `standing()` and
`keep_watching`, or a fake): no gradio, no Assistant import. Adding and removing need the maintainer token where
one is set (`QA_ADMIN_TOKEN`); reading and marking seen do not.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

from qa.errors import QAError
from qa.records import AnswerSeen, Filters, StandingQuestion
from qa.web.escaping import escape
from qa.web.security import token_matches

STATE_TEXT = {
    "changed": "Changed",
    "newly answered": "Newly answered",
    "no longer answered": "No longer answered",
    "source edited": "Source edited",
    "unchanged": "Unchanged",
}
NEEDS_TOKEN = "Unlock the Maintain tab with the maintainer token first: keeping and removing questions need it."


class StandingList(Protocol):
    def list(self) -> list[StandingQuestion]: ...
    def remove(self, standing_id: int) -> None: ...
    def mark_seen(self, standing_id: int) -> StandingQuestion: ...


class Standing(Protocol):
    """What the panel reads of the Assistant."""

    def standing(self) -> StandingList: ...
    def keep_watching(self, question: str, filters: Filters | None = None) -> StandingQuestion: ...


def keep_payload(question: str, filters: Filters) -> str:
    """What a turn's "Keep watching" button carries: the question and the filters it was asked under (JSON)."""
    return json.dumps({"question": question, **filters.model_dump(mode="json")}, ensure_ascii=False)


def keep_button(question: str, filters: Filters) -> str:
    return (
        "<p class='qa-keep-row'><button type='button' class='qa-watch' "
        f"data-watch='keep:{escape(keep_payload(question, filters))}'>Keep watching</button> "
        "<span class='qa-muted'>answered again after every re-index</span></p>"
    )


def marked_words(text: str, other: str) -> str:
    """`text` escaped, its words that `other` lacks (in order, by `difflib`) in <mark>: what changed at a glance."""
    words, others = re.split(r"(\s+)", text), re.split(r"\s+", other)
    tokens = [w for w in words if w and not w.isspace()]
    keep: set[int] = set()
    for block in difflib.SequenceMatcher(a=tokens, b=others, autojunk=False).get_matching_blocks():
        keep.update(range(block.a, block.a + block.size))
    out, n = [], 0
    for piece in words:
        if not piece or piece.isspace():
            out.append(piece)
            continue
        out.append(escape(piece) if n in keep else f"<mark>{escape(piece)}</mark>")
        n += 1
    return "".join(out)


def _answer_cell(seen: AnswerSeen | None, other: AnswerSeen | None = None) -> str:
    if seen is None:
        return "<p class='qa-muted'>Not answered yet.</p>"
    if not seen.answered:
        return "<p class='qa-muted'>No answer: the briefings did not support one.</p>"
    bold = f"<strong>{escape(seen.short_answer)}</strong> — " if seen.short_answer else ""
    where = " · ".join(escape(p) for p in (seen.title, seen.date or "") if p)
    quote = marked_words(seen.quote, other.quote) if other is not None and other.answered else escape(seen.quote)
    return (
        f"<p>{bold}<q>{quote}</q></p>"
        f"<p class='qa-diff-cite'>{where} · <button type='button' class='qa-doc-link' data-doc='{escape(seen.doc_id)}'>"
        f"{escape(seen.doc_id)}</button> chars {seen.start}–{seen.end} · checked {escape(seen.checked[:10])}</p>"
    )


def _item_html(item: StandingQuestion) -> str:
    state = item.state if item.state in STATE_TEXT else "unchanged"
    moved = state != "unchanged"
    head = (
        f"<div class='qa-watch-item' data-state='{escape(state)}' id='qa-watch-{item.id}'>"
        f"<p class='qa-watch-head'><span class='qa-badge qa-state-{state.replace(' ', '-')}'>{STATE_TEXT[state]}</span> "
        f"<span class='qa-watch-q'>{escape(item.question)}</span></p>"
    )
    scope = [*(f"briefing {d}" for d in item.doc_ids)]
    if item.date_from or item.date_to:
        scope.append(f"dated {item.date_from or 'any'} to {item.date_to or 'any'}")
    body = f"<p class='qa-muted'>Searched: {escape('; '.join(scope))}</p>" if scope else ""
    if item.error:
        body += f"<p class='qa-error'>The latest re-check could not answer it: {escape(item.error)}</p>"
    if moved:
        body += (
            "<div class='qa-diff qa-watch-diff'><table><thead><tr><th scope='col'>As last seen</th>"
            "<th scope='col'>Now</th></tr></thead><tbody><tr>"
            f"<td data-side='As last seen'>{_answer_cell(item.seen, item.latest)}</td>"
            f"<td data-side='Now'>{_answer_cell(item.latest, item.seen)}"
            "</td></tr></tbody></table></div>"
        )
    else:
        body += _answer_cell(item.latest)
    actions = (
        f"<button type='button' class='qa-watch' data-watch='seen:{item.id}'>Mark seen</button> " if moved else ""
    ) + f"<button type='button' class='qa-watch' data-watch='remove:{item.id}'>Stop watching</button>"
    return head + body + f"<p class='qa-watch-actions'>{actions}</p></div>"


def watching_html(items: Sequence[StandingQuestion], error: str = "") -> str:
    """The Watching panel: how many moved since last seen, then each question, the moved ones first."""
    if error:
        return f"<div class='qa-watching'><p role='alert'>{escape(error)}</p></div>"
    if not items:
        return (
            "<div class='qa-watching'><p class='qa-muted'>No standing questions yet. Under any answer, "
            "<em>Keep watching</em> keeps its question: it is answered again after every re-index, and what "
            "changed is shown here.</p></div>"
        )
    moved = [i for i in items if i.state != "unchanged" or i.error]
    summary = (
        f"{len(moved)} of {len(items)} standing questions changed since last seen."
        if moved
        else f"{len(items)} standing question{'s' if len(items) != 1 else ''}: nothing changed since last seen."
    )
    ordered = [*moved, *(i for i in items if i not in moved)]
    return (
        f"<div class='qa-watching'><p class='qa-watch-summary' aria-live='polite'>{summary}</p>"
        + "".join(_item_html(i) for i in ordered)
        + "</div>"
    )


UNREADABLE = "Watching: the standing questions cannot be read"


def title(items: list[StandingQuestion]) -> str:
    """The Watching section's title: how many standing questions, and how many moved since last seen."""
    moved = sum(1 for i in items if i.state != "unchanged" or i.error)
    if not items:
        return "Watching: no standing questions"
    return f"Watching {len(items)} question{'s' if len(items) != 1 else ''}" + (f": {moved} changed" if moved else "")


def section(service: Standing) -> tuple[str, str]:
    """The Watching section's panel and title, from one read of the store."""
    try:
        items = service.standing().list()
    except QAError as exc:
        return watching_html([], error=str(exc)), UNREADABLE
    return watching_html(items), title(items)


def kept(service: Standing) -> list[StandingQuestion]:
    """The standing questions, or none when their store cannot be read (the panel says why)."""
    try:
        return service.standing().list()
    except QAError:
        return []


def act(service: Standing, action: str, token: str | None, admin_token: str | None) -> tuple[str, str, str]:
    """Do what a panel or turn button asks ("keep:{json}", "seen:ID", "remove:ID"): the section's panel and title
    after it, and a notice (empty when all went well)."""
    said = _done(service, action, token, admin_token)  # first: the panel shows what the action left
    shown, heading = section(service)
    return shown, heading, said


def _done(service: Standing, action: str, token: str | None, admin_token: str | None) -> str:
    """Carry out an action; the notice to show (empty when all went well)."""
    kind, _, value = (action or "").partition(":")
    locked = bool(admin_token) and not token_matches(token, admin_token)
    try:
        if kind == "keep":
            if locked:
                return NEEDS_TOKEN
            payload: dict[str, Any] = json.loads(value)
            question = str(payload.pop("question", ""))
            service.keep_watching(question, Filters.model_validate(payload))
            return ""
        if kind in ("seen", "remove") and value.isdigit():
            if kind == "remove":
                if locked:
                    return NEEDS_TOKEN
                service.standing().remove(int(value))
            else:
                service.standing().mark_seen(int(value))
            return ""
    except (QAError, ValueError) as exc:
        return str(exc)
    return "That action is not known."


def api_list(service: Standing) -> list[dict[str, Any]] | dict[str, Any]:
    """The `/watch_list` endpoint: every standing question with its answers and state, or {"error": …}."""
    try:
        return [i.model_dump(mode="json") for i in service.standing().list()]
    except QAError as exc:
        return {"error": str(exc)}


def api_change(
    service: Standing, action: str, payload: dict[str, Any], token: str | None, admin_token: str | None
) -> dict[str, Any]:
    """The `/watch_add`, `/watch_remove` and `/watch_seen` endpoints: the standing question after it, or
    {"error": …}. Adding and removing need the maintainer token where one is set."""
    if action in ("add", "remove") and admin_token and not token_matches(token, admin_token):
        return {"error": "This needs the maintainer token (QA_ADMIN_TOKEN): pass it as `token`."}
    try:
        if action == "add":
            question = payload.get("question")
            if not isinstance(question, str) or not question.strip():
                return {"error": "Give the question to keep watching, for example: What does Mexico supply to Russia?"}
            filters = Filters(
                doc_ids=tuple(payload.get("doc_ids") or ()),
                date_from=payload.get("date_from") or None,
                date_to=payload.get("date_to") or None,
            )
            return service.keep_watching(question[:2000], filters).model_dump(mode="json")
        standing_id = payload.get("id")
        if not isinstance(standing_id, int):
            return {"error": "Give the standing question's number as `id` (see /watch_list)."}
        if action == "remove":
            service.standing().remove(standing_id)
            return {"removed": standing_id}
        return service.standing().mark_seen(standing_id).model_dump(mode="json")
    except (QAError, ValueError) as exc:
        return {"error": str(exc)}
