"""The served app's queue polls for work less often while idle (`qa.web.idle`)."""

import gradio as gr

from qa.web.idle import IDLE_POLL_S, PROGRESS_POLL_S, quiet_when_idle


def test_a_real_gradio_queue_gets_the_idle_polling_and_anything_else_is_left_alone() -> None:
    with gr.Blocks() as demo:
        gr.Markdown("hello")
    demo.queue(default_concurrency_limit=1)
    assert demo._queue.sleep_when_free < IDLE_POLL_S  # Gradio's own: every millisecond
    assert quiet_when_idle(demo)
    assert (demo._queue.sleep_when_free, demo._queue.progress_update_sleep_when_free) == (IDLE_POLL_S, PROGRESS_POLL_S)
    assert not quiet_when_idle(object())  # no queue: nothing set, and no error


def test_the_app_quiets_its_queue_once_it_has_one() -> None:
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "app.py").read_text(encoding="utf-8")
    queue_at, quiet_at = source.index("demo.queue("), source.index("quiet_when_idle(demo)")
    assert queue_at < quiet_at < source.index("demo.launch(")
