"""The web chat: `python app.py` serves it on 127.0.0.1 (port from GRADIO_SERVER_PORT, default 7860).

A thin shell over `qa.Assistant`: it lays out the page and adapts events. Answering, the HTML
(every piece of document text escaped into our own markup) and the verification packs come from
the `qa` package. The index folder is QA_INDEX (default `index/`); if it holds no index yet, the
corpus folder QA_CORPUS (default `corpus/`) is indexed first. A newer index written by `qa index`
is picked up by itself.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import atexit
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from qa import Assistant, QAError, Settings
from qa.web.export import write_verification_pack
from qa.web.html import answer_html, corpus_html, status_line
from qa.web.page import CSS, HEAD, SCROLL_TO_LATEST, conversation_html, example_questions, filters_from_inputs
from qa.web.security import AskDefaults, SecurityHeaders

MAX_QUESTION_CHARS = 1000
HELP = """<div class='qa-help'>
<p><strong>Every answer is quoted word for word from the briefings.</strong></p>
<ul>
<li>Click a <span class='qa-ref'>[n]</span> marker, or a source under the answer, to see the quote highlighted in its paragraph,
with its document, date, section, score and exact character offsets.</li>
<li><em>Open document at the quote</em> shows the whole briefing, scrolled to the quote.</li>
<li>Follow-up questions ("What about agriculture?") use the conversation; <em>Clear conversation</em> starts afresh.</li>
<li>When the briefings do not answer, it says so and shows the closest passages with their scores.</li>
<li>Download the verification pack (Markdown and JSON) to keep an answer with its quotes, hashes and offsets.</li>
</ul></div>"""


TURNS_KEPT = 100  # the turns of one conversation the page keeps and shows; older ones scroll away


def shown_examples(assistant: Assistant, count: int = 3) -> list[str]:
    """Example questions drawn from the briefings that the assistant answers (not ones it would refuse)."""
    candidates = example_questions(assistant.all_documents(), count=3 * count)
    if os.environ.get("QA_EXAMPLES", "").strip():
        return candidates[:count]  # the maintainer's own choice is shown as it is
    answered = [q for q in candidates if not assistant.ask(q).abstained]
    return (answered or candidates)[:count]


def build(assistant: Assistant) -> gr.Blocks:
    """The page; every handler is a few lines over the Assistant."""
    export_dir = Path(tempfile.mkdtemp(prefix="qa-export-"))
    atexit.register(shutil.rmtree, export_dir, ignore_errors=True)

    def status_html() -> str:
        return f"<p class='qa-status' id='qa-status'>{status_line(assistant.status())}</p>"

    def on_ask(question: str, turns: list[dict[str, Any]], doc_ids: list[str], date_from: str, date_to: str):  # type: ignore[no-untyped-def]
        question = (question or "").strip()
        if not question:
            return gr.update(), turns, gr.update(), gr.update(), gr.update()
        history = [t["question"] for t in turns if not t.get("error")]
        try:
            filters = filters_from_inputs(doc_ids, date_from, date_to)
            result = assistant.ask(question[:MAX_QUESTION_CHARS], history, filters=filters)
        except (QAError, ValueError) as exc:
            turns = [*turns, {"question": question, "error": str(exc)}][-TURNS_KEPT:]
            return "", turns, conversation_html(turns), gr.update(), status_html()
        cited = {c.doc_id for c in result.citations + result.nearest}
        html = answer_html(result, f"a{len(turns)}", assistant.document_texts(cited))
        turns = [*turns, {"question": question, "html": html}][-TURNS_KEPT:]  # a session's state stays bounded
        files = [str(f) for f in write_verification_pack(export_dir, result, len(turns))]
        return "", turns, conversation_html(turns), gr.update(value=files, visible=True), status_html()

    def on_clear():  # type: ignore[no-untyped-def]
        return [], conversation_html([]), gr.update(value=None, visible=False), ""

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

    docs = assistant.documents()
    # Gradio keeps a copy of every file it serves (the verification packs): drop copies a day old, hourly
    with gr.Blocks(title="Briefing QA", delete_cache=(3600, 86400)) as demo:
        turns = gr.State([])
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
                        max_length=MAX_QUESTION_CHARS,
                        elem_id="qa-question",
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask", min_width=80)
                with gr.Row(elem_classes="qa-examples"):
                    examples = [gr.Button(q, size="sm", elem_classes="qa-example") for q in shown_examples(assistant)]
                with gr.Row():
                    clear = gr.Button("Clear conversation", size="sm", elem_id="qa-clear")
                exports = gr.File(
                    label="Verification pack for the latest answer (Markdown, JSON)",
                    visible=False,
                    file_count="multiple",
                    interactive=False,
                    elem_id="qa-export",
                )
            with gr.Column(scale=2, min_width=300, elem_classes="qa-side"):
                with gr.Tab("Corpus & filters", elem_id="qa-tab-corpus"):
                    doc_filter = gr.CheckboxGroup(
                        label="Search only these briefings (none ticked: all)",
                        choices=[(f"{d.title} ({d.date or 'undated'})", d.doc_id) for d in docs],
                        elem_id="qa-docs",
                    )
                    with gr.Row():
                        date_from = gr.Textbox(label="From date", placeholder="YYYY[-MM[-DD]]", elem_id="qa-from")
                        date_to = gr.Textbox(label="To date", placeholder="YYYY[-MM[-DD]]", elem_id="qa-to")
                    corpus = gr.HTML(corpus_html(docs, assistant.status()), elem_id="qa-corpus")
                with gr.Tab("How to verify", elem_id="qa-tab-help"):
                    gr.HTML(HELP)

        gr.api(api_ask, api_name="ask")
        inputs = [box, turns, doc_filter, date_from, date_to]
        outputs = [box, turns, chat, exports, status]
        private: dict[str, Any] = {"api_visibility": "private"}
        send.click(on_ask, inputs, outputs, **private).then(None, js=SCROLL_TO_LATEST, **private)
        box.submit(on_ask, inputs, outputs, **private).then(None, js=SCROLL_TO_LATEST, **private)
        for button in examples:
            button.click(lambda q: q, button, box, **private).then(on_ask, inputs, outputs, **private).then(
                None, js=SCROLL_TO_LATEST, **private
            )
        clear.click(on_clear, None, [turns, chat, exports, box], **private)

        def on_load():  # type: ignore[no-untyped-def]
            """A page (re)load shows the index in use now: `qa index` may have swapped in a new one."""
            assistant.refresh()  # a newer index loads in the background; the page shows it once swapped in
            current = assistant.documents()
            choices = [(f"{d.title} ({d.date or 'undated'})", d.doc_id) for d in current]
            return status_html(), gr.update(choices=choices), corpus_html(current, assistant.status())

        demo.load(on_load, None, [status, doc_filter, corpus], **private)
    return demo


def main() -> None:
    settings = Settings.from_env()
    index_dir = Path(os.environ.get("QA_INDEX", "index"))
    corpus_dir = Path(os.environ.get("QA_CORPUS", "corpus"))
    from qa.index.store import current_name

    if current_name(index_dir) is None:
        from qa.index.embedding import make_embedder
        from qa.index.sync import sync_index

        print(f"No index in '{index_dir}' yet: indexing '{corpus_dir}' first…")
        embedder = make_embedder(settings.model, settings.batch_size)
        print(sync_index(corpus_dir, index_dir, embedder, settings, progress=True).summary())
    assistant = Assistant.open(index_dir, settings=settings)
    demo = build(assistant)
    demo.queue(default_concurrency_limit=settings.answering_at_once, max_size=settings.queue_size)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a stop request still runs the clean-ups at exit
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        share=False,
        max_file_size="1mb",
        # security headers, every upload refused; a raw /ask call may send the question alone
        app_kwargs={"middleware": [Middleware(SecurityHeaders), Middleware(AskDefaults)]},
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
