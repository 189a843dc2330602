"""The web chat: `python app.py` serves it on 127.0.0.1 (port from GRADIO_SERVER_PORT, default 7860).

A thin shell over `qa.Assistant`: it lays out the page and adapts events. Answering, the HTML
(every piece of document text escaped into our own markup) and the verification packs come from
the `qa` package. The index folder is QA_INDEX (default `index/`); if it holds no index yet, the
corpus folder QA_CORPUS (default `corpus/`) is indexed first. A newer index written by `qa index`
is picked up by itself. With QA_ADMIN_TOKEN set, a Maintain tab adds briefings and re-indexes.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import atexit
import hashlib
import shutil
import signal
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError
from starlette.middleware import Middleware

from qa import Assistant, QAError, Settings
from qa.records import Turn
from qa.web.export import write_conversation_pack
from qa.web.html import answer_html, confidence_bands, corpus_html, document_html, escape, status_line
from qa.web.page import (
    CSS,
    HEAD,
    MAX_QUESTION_CHARS,
    SCROLL_TO_LATEST,
    SHOW_PENDING,
    SORTS,
    briefing_choices,
    conversation_html,
    example_questions,
    filters_from_inputs,
    picker_label,
)
from qa.web.security import ADMIN_COOKIE, AskDefaults, SecurityHeaders, token_matches

HELP = f"""<div class='qa-help'>
<p><strong>Every answer is quoted word for word from the briefings.</strong></p>
<ul>
<li>Click a <span class='qa-ref'>[n]</span> marker, or a source under the answer, to see the quote highlighted in its paragraph,
with its document, date, section, score and exact character offsets. <em>Exact text</em> shows the quote's characters as
stored; <em>Copy quote with citation</em> copies it with its document, offsets and hash.</li>
<li><em>Open document at the quote</em> shows the whole briefing, scrolled to the quote.</li>
<li>Each answer says what it searched ("Searched 1 of 83 briefings"): narrow it with the filters, and clear them to search all.</li>
<li>Confidence is a label ({confidence_bands()}); hover it for the number and what it means.</li>
<li>Follow-up questions ("What about agriculture?") use the conversation; it stays after a reload;
<em>Clear conversation</em> starts afresh.</li>
<li>When the briefings do not answer, it says so and shows the closest passages with their scores.</li>
<li>Download the conversation's verification pack (Markdown or JSON): every question as asked and as understood, its
filters, the index version, the time, and every quote with its hash and offsets.</li>
</ul></div>"""

TURNS_KEPT = 100  # the turns of one conversation the page keeps and shows; older ones scroll away


def shown_examples(assistant: Assistant, count: int = 3) -> list[str]:
    """Example questions drawn from the briefings that the assistant answers (not ones it would refuse)."""
    candidates = example_questions(assistant.newest_documents(5), count=3 * count)
    if os.environ.get("QA_EXAMPLES", "").strip():
        return candidates[:count]  # the maintainer's own choice is shown as it is
    answered = [q for q in candidates if not assistant.ask(q).abstained]
    return (answered or candidates)[:count]


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def notice(message: str) -> str:
    return f"<p role='alert'>{escape(message)}</p>" if message else ""


class Maintenance:
    """The Maintain tab's work: add uploaded briefings to the corpus folder, re-index, switch answers to it."""

    def __init__(self, assistant: Assistant, corpus_dir: Path, index_dir: Path, settings: Settings) -> None:
        self.assistant, self.corpus_dir, self.index_dir, self.settings = assistant, corpus_dir, index_dir, settings
        self._embedder: Any = None
        self._lock = threading.Lock()

    def add(self, paths: list[str]) -> str:
        from qa.index.corpus import UPLOAD_MAX_BYTES, add_to_corpus, safe_name

        lines = []
        for path in paths:
            name = Path(path).name
            try:
                size = Path(path).stat().st_size
                if size > UPLOAD_MAX_BYTES:
                    raise ValueError(f"'{safe_name(name)}' is {size:,} bytes; the limit is {UPLOAD_MAX_BYTES:,}.")
                written, replaced = add_to_corpus(self.corpus_dir, name, Path(path).read_bytes())
                lines.append(f"{'replaced' if replaced else 'added'}: {written}")
            except (ValueError, OSError) as exc:
                lines.append(f"refused: {exc}")
        lines.append("Re-index to make the new briefings answerable.")
        return "\n".join(lines)

    def reindex(self, step: Any) -> str:
        from qa.index.embedding import make_embedder
        from qa.index.sync import sync_index

        if not self._lock.acquire(blocking=False):
            return "A re-index started from this page is still running: wait for its report."
        try:
            if self._embedder is None:  # its own model: answering keeps the served one to itself
                self._embedder = make_embedder(self.settings.model, self.settings.batch_size)
            report = sync_index(self.corpus_dir, self.index_dir, self._embedder, self.settings, step=step)
            swapped = self.assistant.refresh(force=True)
            tail = "Answers now come from the new index." if swapped else "Answers use the index as it was."
            return f"{report.summary()}\n{tail}"
        finally:
            self._lock.release()


def restore(saved: Any) -> tuple[list[Turn], int]:
    """The conversation the browser kept, as turns; and how many stored turns could not be read."""
    turns, lost = [], 0
    for item in saved if isinstance(saved, list) else []:
        try:
            turns.append(Turn.model_validate(item))
        except ValidationError:
            lost += 1
    return turns[-TURNS_KEPT:], lost


def build(
    assistant: Assistant,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    settings: Settings | None = None,
    admin_token: str | None = None,
) -> gr.Blocks:
    """The page; every handler is a few lines over the Assistant."""
    export_dir = Path(tempfile.mkdtemp(prefix="qa-export-"))
    atexit.register(shutil.rmtree, export_dir, ignore_errors=True)
    maintenance = (
        Maintenance(assistant, corpus_dir, index_dir, settings or assistant.settings)
        if admin_token and corpus_dir is not None and index_dir is not None
        else None
    )
    # the browser keeps the conversation encrypted under a key that outlives a restart of this app
    secret = hashlib.sha256(f"briefing-qa:{Path(index_dir or 'index').resolve()}".encode()).hexdigest()[:32]

    def status_html(loaded: bool = False) -> str:
        ready = " data-loaded='1'" if loaded else ""  # the page's load event has run (browser tests wait for it)
        return f"<p class='qa-status' id='qa-status'{ready}>{status_line(assistant.status())}</p>"

    def render(turn: Turn, serial: int) -> dict[str, Any]:
        if turn.answer is None:
            return {"question": turn.question, "error": turn.error or "No answer.", "serial": serial}
        answer = turn.answer
        cited = {c.doc_id for c in answer.citations + answer.nearest}
        html = answer_html(answer, f"a{serial}", assistant.document_texts(cited))
        return {"question": turn.question, "html": html, "serial": serial}

    def pack(turns: list[Turn]) -> tuple[Any, Any]:
        if not turns:
            return gr.update(value=None, visible=False), gr.update(value=None, visible=False)
        md, js = write_conversation_pack(export_dir, turns, now())
        return gr.update(value=str(md), visible=True), gr.update(value=str(js), visible=True)

    def on_ask(
        question: str, shown: list[dict[str, Any]], saved: Any, doc_ids: list[str], date_from: str, date_to: str
    ) -> tuple[Any, ...]:
        keep = gr.update()
        question = (question or "").strip()
        if not question:
            return keep, notice("Type a question first."), shown, saved, keep, keep, keep, keep
        if len(question) > MAX_QUESTION_CHARS:
            message = (
                f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
                "Shorten it and ask again."
            )
            return keep, notice(message), shown, saved, keep, keep, keep, keep
        turns, _ = restore(saved)
        history = [t.question for t in turns if t.answer is not None]
        try:
            filters = filters_from_inputs(doc_ids, date_from, date_to)
        except ValueError as exc:
            return keep, notice(str(exc)), shown, saved, keep, keep, keep, keep
        try:
            turn = Turn(
                question=question,
                asked_at=now(),
                filters=filters,
                answer=assistant.ask(question, history, filters=filters),
            )
            box = ""
        except (QAError, ValueError) as exc:
            turn = Turn(question=question, asked_at=now(), filters=filters, error=str(exc))
            box = question  # the question stays in the box to try again
        serial = (shown[-1]["serial"] + 1) if shown else 0
        shown = [*shown, render(turn, serial)][-TURNS_KEPT:]  # a session's state stays bounded
        turns = [*turns, turn][-TURNS_KEPT:]
        md, js = pack(turns)
        saved = [t.model_dump(mode="json") for t in turns]
        return box, notice(""), shown, saved, conversation_html(shown), md, js, status_html()

    def on_clear():  # type: ignore[no-untyped-def]
        hidden = gr.update(value=None, visible=False)
        return [], [], conversation_html([]), hidden, hidden, "", notice("")

    def api_ask(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer a question from the briefings; `history` lists earlier questions, oldest first."""
        if not isinstance(question, str):
            return {"error": "The question must be text, for example: What does Mexico supply to Russia?"}
        if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
            return {
                "error": "The history must be a list of earlier questions, each one text.",
                "question": question[:200],
            }
        try:
            return assistant.ask(question[: MAX_QUESTION_CHARS * 2], list(history or [])).model_dump(mode="json")
        except (QAError, ValueError) as exc:
            return {"error": str(exc), "question": question[:200]}

    def api_diff(series: str, date_from: str | None = None, date_to: str | None = None) -> dict[str, Any]:
        """What changed in a series of dated briefings between two of its members (default: the newest and the
        one before), every sentence quoted with its document and offsets."""
        if not isinstance(series, str) or not series.strip():
            return {"error": "Name a series, for example: Russia, Mexico, Bilateral Relations"}
        try:
            return assistant.diff(series[:300], date_from or None, date_to or None).model_dump(mode="json")
        except (QAError, ValueError) as exc:
            return {"error": str(exc), "series": series[:200]}

    def picker_update(order: str, chosen: list[str] | None) -> Any:
        current = assistant.documents()
        known = {d.doc_id for d in current}
        kept = [c for c in chosen or [] if c in known]
        return gr.update(
            choices=briefing_choices(current, order), value=kept, label=picker_label(len(kept), len(current))
        )

    def on_open_document(doc_id: str):  # type: ignore[no-untyped-def]
        info = next((d for d in assistant.documents() if d.doc_id == doc_id), None)
        text = assistant.document_texts([doc_id]).get(doc_id) if info is not None else None
        return document_html(info, text), gr.Tabs(selected="document")

    docs = assistant.documents()
    # Gradio keeps a copy of every file it serves (the verification packs): drop copies a day old, hourly
    with gr.Blocks(title="Briefing QA", delete_cache=(3600, 86400)) as demo:
        shown_turns = gr.State([])
        saved = gr.BrowserState([], storage_key="briefing-qa-conversation", secret=secret)
        with gr.Row(elem_classes="qa-header"):
            gr.HTML(
                "<h1>Briefing QA</h1><p class='qa-muted'>Answers quoted verbatim from the briefings, each with its source.</p>"
            )
            status = gr.HTML(status_html())
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                chat = gr.HTML(conversation_html([]), elem_id="qa-chat")
                with gr.Row(elem_classes="qa-ask-row"):
                    box = gr.Textbox(
                        placeholder="Ask about the briefings…",
                        show_label=False,
                        max_lines=4,
                        scale=5,
                        elem_id="qa-question",
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask", min_width=80)
                gr.HTML(
                    f"<p class='qa-counter' id='qa-counter' aria-live='polite'>0 / {MAX_QUESTION_CHARS:,} characters</p>"
                )
                alert = gr.HTML("", elem_id="qa-notice")
                with gr.Row(elem_classes="qa-examples"):
                    examples = [gr.Button(q, size="sm", elem_classes="qa-example") for q in shown_examples(assistant)]
                with gr.Row():
                    clear = gr.Button("Clear conversation", size="sm", elem_id="qa-clear")
                    export_md = gr.DownloadButton(
                        "Verification pack (Markdown)", visible=False, size="sm", elem_id="qa-export-md"
                    )
                    export_json = gr.DownloadButton(
                        "Verification pack (JSON)", visible=False, size="sm", elem_id="qa-export-json"
                    )
            with gr.Column(scale=2, min_width=300, elem_classes="qa-side"), gr.Tabs(elem_id="qa-tabs") as tabs:
                with gr.Tab("Filters", id="filters", elem_id="qa-tab-filters"):
                    with gr.Row():
                        date_from = gr.Textbox(label="From date", placeholder="YYYY[-MM[-DD]]", elem_id="qa-from")
                        date_to = gr.Textbox(label="To date", placeholder="YYYY[-MM[-DD]]", elem_id="qa-to")
                    doc_filter = gr.Dropdown(
                        choices=briefing_choices(docs),
                        value=[],
                        multiselect=True,
                        filterable=True,
                        label=picker_label(0, len(docs)),
                        elem_id="qa-docs",
                    )
                    order = gr.Radio(list(SORTS), value=SORTS[0], label="Sort briefings by", elem_id="qa-sort")
                with gr.Tab("Corpus", id="corpus", elem_id="qa-tab-corpus"):
                    corpus = gr.HTML(corpus_html(docs, assistant.status(), assistant.series()), elem_id="qa-corpus")
                with gr.Tab("Document", id="document", elem_id="qa-tab-document"):
                    document = gr.HTML(document_html(None, None), elem_id="qa-document")
                with gr.Tab("How to verify", id="help", elem_id="qa-tab-help"):
                    gr.HTML(HELP)
                if maintenance is not None:
                    with gr.Tab("Maintain", id="maintain", elem_id="qa-tab-maintain"):
                        gr.HTML(
                            "<p class='qa-muted'>Add briefings to the corpus folder and re-index; answers switch to the "
                            "new index without a restart. Enter the maintainer token first.</p>"
                        )
                        token = gr.Textbox(label="Maintainer token", type="password", elem_id="qa-admin-token")
                        unlock = gr.Button("Unlock", size="sm", elem_id="qa-admin-unlock")
                        with gr.Group(visible=False) as tools:
                            uploads = gr.File(
                                label=f"Briefings to add ({', '.join(s.lstrip('.') for s in _suffixes())}; 20 MB each)",
                                file_count="multiple",
                                file_types=list(_suffixes()),
                                elem_id="qa-upload",
                            )
                            add = gr.Button("Add to corpus", size="sm", elem_id="qa-admin-add")
                            reindex = gr.Button(
                                "Re-index now", size="sm", variant="primary", elem_id="qa-admin-reindex"
                            )
                        report = gr.HTML("", elem_id="qa-maintain-report", elem_classes="qa-maintain-report")
        open_doc = gr.Textbox(visible="hidden", elem_id="qa-open-doc")
        open_go = gr.Button(visible="hidden", elem_id="qa-open-doc-go")

        gr.api(api_ask, api_name="ask")
        gr.api(api_diff, api_name="diff")
        private: dict[str, Any] = {"api_visibility": "private"}
        inputs = [box, shown_turns, saved, doc_filter, date_from, date_to]
        outputs = [box, alert, shown_turns, saved, chat, export_md, export_json, status]
        ask: dict[str, Any] = {**private, "show_progress": "hidden"}
        send.click(None, js=SHOW_PENDING, **private).then(on_ask, inputs, outputs, **ask).then(
            None, js=SCROLL_TO_LATEST, **private
        )
        box.submit(None, js=SHOW_PENDING, **private).then(on_ask, inputs, outputs, **ask).then(
            None, js=SCROLL_TO_LATEST, **private
        )
        for button in examples:
            button.click(lambda q: q, button, box, **private).then(None, js=SHOW_PENDING, **private).then(
                on_ask, inputs, outputs, **ask
            ).then(None, js=SCROLL_TO_LATEST, **private)
        clear.click(on_clear, None, [shown_turns, saved, chat, export_md, export_json, box, alert], **private)
        order.change(picker_update, [order, doc_filter], doc_filter, **private)
        doc_filter.input(lambda chosen: gr.update(label=picker_label(len(chosen or []), len(assistant.documents()))),
                         doc_filter, doc_filter, **private)  # fmt: skip
        open_go.click(on_open_document, open_doc, [document, tabs], **private)

        if maintenance is not None:
            unlock_js = (
                "(t) => { document.cookie = '" + ADMIN_COOKIE + "=' + encodeURIComponent(t || '')"
                " + '; path=/; SameSite=Strict'; return t; }"
            )

            def on_unlock(given: str):  # type: ignore[no-untyped-def]
                if token_matches(given, admin_token):
                    return gr.update(visible=True), "<p class='qa-muted'>Unlocked: add briefings, then re-index.</p>"
                return gr.update(visible=False), notice("That is not the maintainer token.")

            def on_add(given: str, files: list[str] | None):  # type: ignore[no-untyped-def]
                if not token_matches(given, admin_token):
                    return notice("That is not the maintainer token."), gr.update()
                if not files:
                    return notice("Choose one or more briefings to add first."), gr.update()
                return f"<pre>{escape(maintenance.add([str(f) for f in files]))}</pre>", gr.update(value=None)

            def on_reindex(given: str, order_now: str, chosen: list[str], progress: gr.Progress = gr.Progress()):  # type: ignore[no-untyped-def]  # noqa: B008
                keep = gr.update()
                if not token_matches(given, admin_token):
                    return notice("That is not the maintainer token."), keep, keep, keep
                progress(0, desc="Starting the re-index")
                try:
                    text = maintenance.reindex(lambda what, done, total: progress((done, max(total, 1)), desc=what))
                except QAError as exc:
                    return notice(str(exc)), keep, keep, keep
                current = assistant.documents()
                return (
                    f"<pre>{escape(text)}</pre>",
                    status_html(),
                    picker_update(order_now, chosen),
                    corpus_html(current, assistant.status(), assistant.series()),
                )

            unlock.click(on_unlock, token, [tools, report], js=unlock_js, **private)
            add.click(on_add, [token, uploads], [report, uploads], **private)
            reindex.click(on_reindex, [token, order, doc_filter], [report, status, doc_filter, corpus], **private)

        def on_load(kept: Any, order_now: str):  # type: ignore[no-untyped-def]
            """A (re)load shows the index in use now (`qa index` may have swapped in a new one) and the
            conversation the browser kept."""
            assistant.refresh()  # a newer index loads in the background; the page shows it once swapped in
            turns, lost = restore(kept)
            shown = [render(turn, serial) for serial, turn in enumerate(turns)]
            md, js = pack(turns)
            message = notice(f"{lost} earlier turns could not be restored.") if lost else ""
            return (
                status_html(loaded=True),
                picker_update(order_now, []),
                corpus_html(assistant.documents(), assistant.status(), assistant.series()),
                shown,
                conversation_html(shown),
                md,
                js,
                message,
            )

        demo.load(
            on_load,
            [saved, order],
            [status, doc_filter, corpus, shown_turns, chat, export_md, export_json, alert],
            **private,
        )
    return demo


def _suffixes() -> tuple[str, ...]:
    from qa.text.loaders import SUPPORTED_SUFFIXES

    return SUPPORTED_SUFFIXES


def main() -> None:
    settings = Settings.from_env()
    index_dir = Path(os.environ.get("QA_INDEX", "index"))
    corpus_dir = Path(os.environ.get("QA_CORPUS", "corpus"))
    admin_token = os.environ.get("QA_ADMIN_TOKEN", "").strip() or None
    from qa.index.store import current_name

    if current_name(index_dir) is None:
        from qa.index.embedding import make_embedder
        from qa.index.sync import sync_index

        print(f"No index in '{index_dir}' yet: indexing '{corpus_dir}' first…")
        embedder = make_embedder(settings.model, settings.batch_size)
        print(sync_index(corpus_dir, index_dir, embedder, settings, progress=True).summary())
    assistant = Assistant.open(index_dir, settings=settings)
    demo = build(assistant, corpus_dir, index_dir, settings, admin_token)
    demo.queue(default_concurrency_limit=settings.answering_at_once, max_size=settings.queue_size)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a stop request still runs the clean-ups at exit
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        share=False,
        max_file_size="20mb" if admin_token else "1mb",
        # security headers; uploads refused unless they carry the maintainer token; a raw /ask may send the question alone
        app_kwargs={"middleware": [Middleware(SecurityHeaders, admin_token=admin_token), Middleware(AskDefaults)]},
        allowed_paths=[],
        blocked_paths=[str(index_dir.resolve()), str(corpus_dir.resolve()), str(Path(__file__).resolve().parent)],
        enable_monitoring=False,
        show_error=False,
        footer_links=["api"],
        theme=gr.themes.Base(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]),
        css=CSS,
        head=HEAD,
    )


if __name__ == "__main__":
    main()
