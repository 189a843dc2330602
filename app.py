"""The web chat: `python app.py` serves it on 127.0.0.1 (port from GRADIO_SERVER_PORT, default 7860).

A thin shell: it lays out the page and wires each event to a handler of `qa.web.handlers` (plain functions
over the Assistant, tested without a server). Settings come from `qa.Settings` (the index folder QA_INDEX,
default `index/`; if it holds no index yet, the corpus folder QA_CORPUS, default `corpus/`, is indexed
first). A newer index written by `qa index` is picked up by itself. With QA_ADMIN_TOKEN set, a Maintain tab
adds briefings and re-indexes (`qa.index.maintenance`).
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

import qa.web.handlers as web
import qa.web.watching as watching
from qa import Assistant, QAError, Settings
from qa.index.maintenance import Maintenance
from qa.text.loaders import SUPPORTED_SUFFIXES
from qa.web.escaping import escape
from qa.web.idle import quiet_when_idle
from qa.web.page import (
    CSS,
    HELP,
    SCROLL_TO_LATEST,
    SORTS,
    briefing_choices,
    example_questions,
    head,
    picker_label,
    show_pending,
)
from qa.web.security import ADMIN_COOKIE, AskDefaults, SecurityHeaders, token_matches


def shown_examples(assistant: Assistant, settings: Settings, count: int = 3) -> list[str]:
    """Example questions for the first screen: QA_EXAMPLES, else those the index answers, asked when it was built
    (`Assistant.examples`: stored beside the index; asked here only when missing or stale)."""
    return example_questions(settings.examples, count) if settings.examples.strip() else assistant.examples(count)


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def keep_or(value: Any) -> Any:
    """A handler's None is "leave the component as it is"."""
    return gr.update() if value is None else value


def recheck_summary(assistant: Assistant) -> str:
    """The standing questions answered again after a re-index: what changed, or why they could not be."""
    try:
        return assistant.recheck_standing().summary()
    except QAError as exc:
        return f"Standing questions not re-checked: {exc}"


def build(assistant: Assistant, settings: Settings, maintenance: Maintenance | None = None) -> gr.Blocks:
    """The page: its layout, and each event wired to a handler of `qa.web.handlers`."""
    export_dir = Path(tempfile.mkdtemp(prefix="qa-export-"))
    atexit.register(shutil.rmtree, export_dir, ignore_errors=True)
    admin_token, limit = settings.admin_token, settings.max_question_chars
    # the browser keeps the conversation encrypted under a key that outlives a restart of this app
    secret = hashlib.sha256(f"briefing-qa:{Path(settings.index).resolve()}".encode()).hexdigest()[:32]

    def packs(turns: list[Any] | None) -> tuple[Any, Any]:
        if turns is None:
            return gr.update(), gr.update()
        written = web.pack(export_dir, turns, now, watching.kept(assistant))
        if written is None:
            return gr.update(value=None, visible=False), gr.update(value=None, visible=False)
        return gr.update(value=str(written[0]), visible=True), gr.update(value=str(written[1]), visible=True)

    def on_ask(
        question: str,
        shown: list[dict[str, Any]],
        saved: Any,
        doc_ids: list[str],
        date_from: str,
        date_to: str,
        plain: str,
    ) -> tuple[Any, ...]:
        widen = plain == "all"  # a filtered refusal's "Search all briefings": the filters are cleared
        filter_inputs = (doc_ids, date_from, date_to)
        asked = web.ask(assistant, question, shown, saved, filter_inputs, limit, now, plain == "1", widen)
        keep = gr.update()
        cleared = (gr.update(value=[]), "", "") if widen else (keep, keep, keep)
        if asked.shown is None:
            return keep, asked.notice, shown, saved, keep, keep, keep, keep, "", *cleared
        md, js = packs(asked.turns)
        chat_html = web.conversation_html(asked.shown, starters)
        status_now = web.status_html(assistant)
        return keep_or(asked.box), asked.notice, asked.shown, asked.saved, chat_html, md, js, status_now, "", *cleared

    def on_clear():  # type: ignore[no-untyped-def]
        hidden = gr.update(value=None, visible=False)
        return [], [], web.conversation_html([], starters), hidden, hidden, "", web.notice("")

    def api_ask(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer a question from the briefings; `history` lists earlier questions, oldest first."""
        return web.api_ask(assistant, question, history, limit)

    def api_diff(series: str, date_from: str | None = None, date_to: str | None = None) -> dict[str, Any]:
        """What changed in a series of dated briefings between two of its members (default: the newest and the
        one before), every sentence quoted with its document and offsets."""
        return web.api_diff(assistant, series, date_from, date_to)

    def picker_update(order: str, chosen: list[str] | None) -> Any:
        choices, kept, label = web.picker(assistant, order, chosen)
        return gr.update(choices=choices, value=kept, label=label)

    def on_open_document(doc_id: str):  # type: ignore[no-untyped-def]
        return web.open_document(assistant, doc_id), gr.Tabs(selected="document")

    docs = assistant.documents()
    # Gradio keeps a copy of every file it serves (the verification packs): drop copies a day old, hourly
    with gr.Blocks(title="Briefing QA", delete_cache=(3600, 86400)) as demo:
        shown_turns = gr.State([])
        saved = gr.BrowserState([], storage_key="briefing-qa-conversation", secret=secret)
        with gr.Row(elem_classes="qa-header"):
            gr.HTML(
                "<h1>Briefing QA</h1><p class='qa-muted'>Answers quoted verbatim from the briefings, each with its source.</p>"
            )
            status = gr.HTML(web.status_html(assistant))
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                starters = shown_examples(assistant, settings)
                chat = gr.HTML(web.conversation_html([], starters), elem_id="qa-chat")
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
                gr.HTML(f"<p class='qa-counter' id='qa-counter' aria-live='polite'>0 / {limit:,} characters</p>")
                alert = gr.HTML("", elem_id="qa-notice")
                with gr.Row():
                    clear = gr.Button("Clear conversation", size="sm", elem_id="qa-clear")
                    export_md = gr.DownloadButton(
                        "Verification pack (Markdown)", visible=False, size="sm", elem_id="qa-export-md"
                    )
                    export_json = gr.DownloadButton(
                        "Verification pack (JSON)", visible=False, size="sm", elem_id="qa-export-json"
                    )
                # the standing questions: what changed since last seen, after every re-index
                watched, heading = watching.section(assistant)
                with gr.Accordion(heading, open=False, elem_id="qa-watching-box") as watch_box:
                    watch_panel = gr.HTML(watched, elem_id="qa-watching")
            with gr.Column(scale=2, min_width=300, elem_classes="qa-side"), gr.Tabs(elem_id="qa-tabs") as tabs:
                with gr.Tab("Filters", id="filters", elem_id="qa-tab-filters"):
                    with gr.Row():
                        date_from = gr.Textbox(label="From date", placeholder="YYYY[-MM[-DD]]", elem_id="qa-from")
                        date_to = gr.Textbox(label="To date", placeholder="YYYY[-MM[-DD]]", elem_id="qa-to")
                    # the sort control above the picker: the picker's open list drops over nothing one needs
                    order = gr.Radio(list(SORTS), value=SORTS[0], label="Sort briefings by", elem_id="qa-sort")
                    doc_filter = gr.Dropdown(
                        choices=briefing_choices(docs),
                        value=[],
                        multiselect=True,
                        filterable=True,
                        label=picker_label(0, len(docs)),
                        elem_id="qa-docs",
                    )
                with gr.Tab("Corpus", id="corpus", elem_id="qa-tab-corpus"):
                    corpus = gr.HTML(web.corpus_panel(assistant), elem_id="qa-corpus")
                with gr.Tab("Document", id="document", elem_id="qa-tab-document"):
                    document = gr.HTML(web.open_document(assistant, ""), elem_id="qa-document")
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
                                label=f"Briefings to add ({', '.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)}; 20 MB each)",
                                file_count="multiple",
                                file_types=list(SUPPORTED_SUFFIXES),
                                elem_id="qa-upload",
                            )
                            add = gr.Button("Add to corpus", size="sm", elem_id="qa-admin-add")
                            reindex = gr.Button(
                                "Re-index now", size="sm", variant="primary", elem_id="qa-admin-reindex"
                            )
                        report = gr.HTML("", elem_id="qa-maintain-report", elem_classes="qa-maintain-report")
        open_doc = gr.Textbox(visible="hidden", elem_id="qa-open-doc")
        open_go = gr.Button(visible="hidden", elem_id="qa-open-doc-go")
        # "1": the next question is asked as typed, plainly; "all": over every briefing, the filters cleared
        plain = gr.Textbox(visible="hidden", elem_id="qa-plain")
        # what a Keep watching / Mark seen / Stop watching button asks ("keep:{json}", "seen:ID", "remove:ID")
        watch_action = gr.Textbox(visible="hidden", elem_id="qa-watch-action")
        watch_go = gr.Button(visible="hidden", elem_id="qa-watch-go")

        gr.api(api_ask, api_name="ask")
        gr.api(api_diff, api_name="diff")

        def watch_list() -> list[dict[str, Any]] | dict[str, Any]:
            """Every standing question, with its answer as last seen, its answer now and its state since then."""
            return watching.api_list(assistant)

        def watch_add(
            question: str,
            doc_ids: list[str] | None = None,
            date_from: str | None = None,
            date_to: str | None = None,
            token: str | None = None,
        ) -> dict[str, Any]:
            """Keep a question standing: answered now, and again after every re-index (token: QA_ADMIN_TOKEN)."""
            payload = {"question": question, "doc_ids": doc_ids, "date_from": date_from, "date_to": date_to}
            return watching.api_change(assistant, "add", payload, token, admin_token)

        def watch_remove(id: int, token: str | None = None) -> dict[str, Any]:
            """Stop watching standing question `id` (token: QA_ADMIN_TOKEN)."""
            return watching.api_change(assistant, "remove", {"id": id}, token, admin_token)

        def watch_seen(id: int) -> dict[str, Any]:
            """Mark standing question `id`'s latest answer as seen."""
            return watching.api_change(assistant, "seen", {"id": id}, None, admin_token)

        gr.api(watch_list, api_name="watch_list")
        gr.api(watch_add, api_name="watch_add")
        gr.api(watch_remove, api_name="watch_remove")
        gr.api(watch_seen, api_name="watch_seen")
        private: dict[str, Any] = {"api_visibility": "private"}
        inputs = [box, shown_turns, saved, doc_filter, date_from, date_to, plain]
        outputs = [
            box,
            alert,
            shown_turns,
            saved,
            chat,
            export_md,
            export_json,
            status,
            plain,
            doc_filter,
            date_from,
            date_to,
        ]
        ask: dict[str, Any] = {**private, "show_progress": "hidden"}
        pending = show_pending(limit)

        def answered(shown: Any) -> None:
            """After answering, whether it answered, refused the input or failed: the pending turn goes."""
            asking = shown.then(on_ask, inputs, outputs, **ask)
            asking.then(None, js=SCROLL_TO_LATEST, **private)
            asking.failure(None, js=SCROLL_TO_LATEST, **private)

        answered(send.click(None, js=pending, **private))
        answered(box.submit(None, js=pending, **private))
        clear.click(on_clear, None, [shown_turns, saved, chat, export_md, export_json, box, alert], **private)
        order.change(picker_update, [order, doc_filter], doc_filter, **private)
        doc_filter.input(lambda chosen: gr.update(label=picker_label(len(chosen or []), len(assistant.documents()))),
                         doc_filter, doc_filter, **private)  # fmt: skip
        open_go.click(on_open_document, open_doc, [document, tabs], **private)

        def on_watch(action: str, given: str | None = None):  # type: ignore[no-untyped-def]
            shown, label, said = watching.act(assistant, action, given, admin_token)
            opened = (
                gr.update(open=True, label=label) if action.startswith("keep:") and not said else gr.update(label=label)
            )
            return shown, web.notice(said), opened, ""

        watch_inputs = [watch_action, token] if maintenance is not None else [watch_action]
        watch_go.click(on_watch, watch_inputs, [watch_panel, alert, watch_box, watch_action], **private)

        if maintenance is not None:
            unlock_js = (
                "(t) => { document.cookie = '" + ADMIN_COOKIE + "=' + encodeURIComponent(t || '')"
                " + '; path=/; SameSite=Strict'; return t; }"
            )

            def on_unlock(given: str):  # type: ignore[no-untyped-def]
                if token_matches(given, admin_token):
                    return gr.update(visible=True), "<p class='qa-muted'>Unlocked: add briefings, then re-index.</p>"
                return gr.update(visible=False), web.notice("That is not the maintainer token.")

            def on_add(given: str, files: list[str] | None):  # type: ignore[no-untyped-def]
                if not token_matches(given, admin_token):
                    return web.notice("That is not the maintainer token."), gr.update()
                if not files:
                    return web.notice("Choose one or more briefings to add first."), gr.update()
                return f"<pre>{escape(maintenance.add([str(f) for f in files]))}</pre>", gr.update(value=None)

            def on_reindex(given: str, order_now: str, chosen: list[str], progress: gr.Progress = gr.Progress()):  # type: ignore[no-untyped-def]  # noqa: B008
                keep = gr.update()
                if not token_matches(given, admin_token):
                    return web.notice("That is not the maintainer token."), keep, keep, keep, keep, keep
                progress(0, desc="Starting the re-index")
                try:
                    text = maintenance.reindex(lambda what, done, total: progress((done, max(total, 1)), desc=what))
                except QAError as exc:
                    return web.notice(str(exc)), keep, keep, keep, keep, keep
                text += "\n" + recheck_summary(assistant)
                watched, heading = watching.section(assistant)
                return (
                    f"<pre>{escape(text)}</pre>",
                    web.status_html(assistant),
                    picker_update(order_now, chosen),
                    web.corpus_panel(assistant),
                    watched,
                    gr.update(label=heading),
                )

            unlock.click(on_unlock, token, [tools, report], js=unlock_js, **private)
            add.click(on_add, [token, uploads], [report, uploads], **private)
            reindex.click(
                on_reindex,
                [token, order, doc_filter],
                [report, status, doc_filter, corpus, watch_panel, watch_box],
                **private,
            )

        def on_load(kept: Any, order_now: str):  # type: ignore[no-untyped-def]
            loaded = web.load(assistant, kept)
            md, js = packs(loaded.turns)
            watched, heading = watching.section(assistant)
            return (
                web.status_html(assistant, loaded=True),
                picker_update(order_now, []),
                web.corpus_panel(assistant),
                loaded.shown,
                web.conversation_html(loaded.shown, starters),
                md,
                js,
                loaded.notice,
                watched,
                gr.update(label=heading),
            )

        demo.load(
            on_load,
            [saved, order],
            [status, doc_filter, corpus, shown_turns, chat, export_md, export_json, alert, watch_panel, watch_box],
            **private,
        )
    return demo


def main() -> None:
    settings = Settings.from_env()
    index_dir, corpus_dir = Path(settings.index), Path(settings.corpus)
    from qa.index.store import current_name

    if current_name(index_dir) is None:
        from qa.index.embedding import make_embedder
        from qa.index.sync import sync_index

        print(f"No index in '{index_dir}' yet: indexing '{corpus_dir}' first…")
        embedder = make_embedder(settings.model, settings.batch_size, backend=settings.backend)
        print(sync_index(corpus_dir, index_dir, embedder, settings, progress=True).summary())
    assistant = Assistant.open(index_dir, settings=settings)
    assistant.warm()  # the first question then waits for no model or table to load
    maintenance = (
        Maintenance(corpus_dir, index_dir, settings, swap=lambda: assistant.refresh(force=True))
        if settings.admin_token
        else None
    )
    demo = build(assistant, settings, maintenance)
    demo.queue(default_concurrency_limit=settings.answering_at_once, max_size=settings.queue_size)
    quiet_when_idle(demo)  # an idle app no longer polls its queue a thousand times a second
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a stop request still runs the clean-ups at exit
    demo.launch(
        server_name=settings.server_name,
        server_port=settings.server_port,
        share=False,
        max_file_size="20mb" if settings.admin_token else "1mb",
        # security headers; uploads refused unless they carry the maintainer token; a raw /ask may send the question alone
        app_kwargs={
            "middleware": [Middleware(SecurityHeaders, admin_token=settings.admin_token), Middleware(AskDefaults)]
        },
        allowed_paths=[],
        blocked_paths=[str(index_dir.resolve()), str(corpus_dir.resolve()), str(Path(__file__).resolve().parent)],
        enable_monitoring=False,
        show_error=False,
        footer_links=["api"],
        theme=gr.themes.Base(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]),
        css=CSS,
        head=head(settings.max_question_chars),
    )


if __name__ == "__main__":
    main()
