"""The web chat: `python app.py` serves it on 127.0.0.1 (port from GRADIO_SERVER_PORT, default 7860).

A thin shell over `qa.Assistant`: it builds the page and adapts events; the answering, the
HTML (with every piece of document text escaped) and the exports come from the `qa` package.
The index folder comes from QA_INDEX (default `index/`); if it holds no index yet, the corpus
folder (QA_CORPUS, default `corpus/`) is indexed first.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from qa import Assistant, QAError, Settings
from qa.html_view import answer_html, corpus_html, document_html, escape, evidence_card, status_line
from qa.render import verification_json, verification_markdown
from qa.web import CSS, HEAD, conversation_html, example_questions, filters_from_inputs

MAX_QUESTION_CHARS = 1000


def build(assistant: Assistant) -> gr.Blocks:
    """The page. Every handler is a few lines over the Assistant."""
    docs = assistant.documents()
    doc_choices = [(f"{d.title} ({d.date or 'undated'})", d.doc_id) for d in docs]
    export_dir = Path(tempfile.mkdtemp(prefix="qa-export-"))

    def on_ask(question: str, turns: list[dict[str, Any]], doc_ids: list[str], date_from: str, date_to: str):  # type: ignore[no-untyped-def]
        question = (question or "").strip()
        if not question:
            return gr.update(), turns, conversation_html(turns), gr.update(), gr.update(), gr.update()
        history = [t["question"] for t in turns if not t.get("error")]
        try:
            filters = filters_from_inputs(doc_ids, date_from, date_to)
            result = assistant.ask(question[:MAX_QUESTION_CHARS], history, filters=filters)
        except (QAError, ValueError) as exc:
            turns = [*turns, {"question": question, "error": str(exc)}]
            return "", turns, conversation_html(turns), gr.update(), gr.update(), gr.update()
        prefix = f"a{len(turns)}"
        turns = [
            *turns,
            {"question": question, "answer": result.model_dump(mode="json"), "html": answer_html(result, prefix)},
        ]
        cards = _cards(result, prefix)
        return "", turns, conversation_html(turns), cards, _citation_choices(result), _exports(result)

    def _cards(result: Any, prefix: str) -> str:
        items = result.citations or result.nearest
        if not items:
            return "<p class='qa-muted'>No evidence to show.</p>"
        return "".join(evidence_card(c, f"{prefix}-{c.n}", _text_of(c.doc_id)) for c in items)

    def _text_of(doc_id: str) -> str | None:
        try:
            return assistant.document(doc_id).text
        except QAError:
            return None

    def _citation_choices(result: Any):  # type: ignore[no-untyped-def]
        items = result.citations or result.nearest
        choices = [
            (f"[{c.n}] {c.title} — {c.section or 'chars ' + str(c.start)}", f"{c.doc_id}::{c.start}::{c.end}")
            for c in items
        ]
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    def _exports(result: Any):  # type: ignore[no-untyped-def]
        stem = export_dir / f"verification-{abs(hash((result.question, result.index_version))) % 10**8}"
        md, js = stem.with_suffix(".md"), stem.with_suffix(".json")
        md.write_text(verification_markdown(result), encoding="utf-8")
        js.write_text(verification_json(result), encoding="utf-8")
        return gr.update(value=[str(md), str(js)], visible=True)

    def open_document(choice: str | None) -> str:
        if not choice:
            return "<p class='qa-muted'>Pick a citation to open its document.</p>"
        doc_id, start, end = choice.rsplit("::", 2)
        try:
            document = assistant.document(doc_id)
        except QAError as exc:
            return f"<p class='qa-error'>{escape(str(exc))}</p>"
        return document_html(document, int(start), int(end))

    def clear():  # type: ignore[no-untyped-def]
        return (
            [],
            conversation_html([]),
            "<p class='qa-muted'>Evidence for the latest answer appears here.</p>",
            gr.update(choices=[], value=None),
            gr.update(value=None, visible=False),
            "",
        )

    def api_ask(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer a question from the briefings; `history` lists earlier questions, oldest first."""
        try:
            return assistant.ask(str(question)[: MAX_QUESTION_CHARS * 2], list(history or [])).model_dump(mode="json")
        except (QAError, ValueError) as exc:
            return {"error": str(exc), "question": str(question)[:200]}

    with gr.Blocks(title="Briefing QA") as demo:
        turns = gr.State([])
        with gr.Row(elem_classes="qa-header"):
            gr.HTML(
                "<h1>Briefing QA</h1><p class='qa-muted'>Answers quoted verbatim from the briefings, each with its source.</p>"
            )
            status = gr.HTML(f"<p class='qa-status' id='qa-status'>{status_line(assistant.status())}</p>")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.HTML(conversation_html([]), elem_id="qa-chat")
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask about the briefings…", show_label=False, max_lines=4, scale=5,
                        max_length=MAX_QUESTION_CHARS, elem_id="qa-question", autofocus=True,
                    )  # fmt: skip
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask", min_width=80)
                with gr.Row(elem_classes="qa-examples"):
                    example_buttons = [
                        gr.Button(q, size="sm", elem_classes="qa-example") for q in example_questions(assistant)
                    ]
                clear_button = gr.Button("Clear conversation", size="sm", elem_id="qa-clear")
            with gr.Column(scale=2, min_width=300):
                with gr.Tab("Evidence", elem_id="qa-tab-evidence"):
                    cards = gr.HTML(
                        "<p class='qa-muted'>Evidence for the latest answer appears here.</p>", elem_id="qa-cards"
                    )
                    pick = gr.Dropdown(label="Open a cited document", choices=[], elem_id="qa-pick")
                    open_button = gr.Button("Open document", size="sm", elem_id="qa-open")
                    viewer = gr.HTML("", elem_id="qa-viewer")
                    exports = gr.File(
                        label="Verification pack (Markdown, JSON)",
                        visible=False,
                        file_count="multiple",
                        elem_id="qa-export",
                    )
                with gr.Tab("Corpus & filters", elem_id="qa-tab-corpus"):
                    doc_filter = gr.CheckboxGroup(
                        label="Search only these documents (none ticked: all)", choices=doc_choices, elem_id="qa-docs"
                    )
                    with gr.Row():
                        date_from = gr.Textbox(
                            label="From date", placeholder="YYYY or YYYY-MM or YYYY-MM-DD", elem_id="qa-from"
                        )
                        date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD", elem_id="qa-to")
                    gr.HTML(corpus_html(docs, assistant.status()))

        gr.api(api_ask, api_name="ask")
        inputs = [box, turns, doc_filter, date_from, date_to]
        outputs = [box, turns, chat, cards, pick, exports]
        send.click(on_ask, inputs, outputs, api_visibility="private")
        box.submit(on_ask, inputs, outputs, api_visibility="private")
        for button in example_buttons:
            button.click(lambda q: q, button, box, api_visibility="private").then(
                on_ask, inputs, outputs, api_visibility="private"
            )
        open_button.click(open_document, pick, viewer, api_visibility="private").then(
            None,
            None,
            None,
            js="() => { const m = document.getElementById('qa-doc-quote'); if (m) m.scrollIntoView({block: 'center'}); }",
        )
        clear_button.click(clear, None, [turns, chat, cards, pick, exports, viewer], api_visibility="private")
        demo.load(
            lambda: f"<p class='qa-status' id='qa-status'>{status_line(assistant.status())}</p>",
            None,
            status,
            api_visibility="private",
        )
    return demo


def main() -> None:
    settings = Settings.from_env()
    index_dir = Path(os.environ.get("QA_INDEX", "index"))
    corpus_dir = Path(os.environ.get("QA_CORPUS", "corpus"))
    from qa.store import current_name

    if current_name(index_dir) is None:
        from qa.embedding import make_embedder
        from qa.indexing import sync_index

        print(f"No index in '{index_dir}' yet: indexing '{corpus_dir}' first…")
        report = sync_index(
            corpus_dir, index_dir, make_embedder(settings.model, settings.batch_size), settings, progress=True
        )
        print(report.summary())
    assistant = Assistant.open(index_dir, settings=settings)
    demo = build(assistant)
    demo.queue(default_concurrency_limit=2, max_size=64)
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=port,
        share=False,
        max_file_size="1mb",
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
