"""`qa index --watch`: a briefing saved in the folder is answered from without anyone running a command."""

import threading
import time
from pathlib import Path

from qa import Assistant
from qa.index.sync import sync_index
from qa.index.watch import is_briefing_event, watch_corpus
from qa.settings import Settings


def test_hidden_and_unsupported_files_are_not_briefing_events() -> None:
    assert is_briefing_event(None, "/c/kenya.md") and is_briefing_event(None, "/c/sub/KENYA.PDF")
    assert not is_briefing_event(None, "/c/.upload-kenya.md") and not is_briefing_event(None, "/c/.git/x.md")
    assert not is_briefing_event(None, "/c/notes.xyz")


def test_a_saved_briefing_is_indexed_and_answered_from(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    stop, synced = threading.Event(), []

    def sync() -> object:
        return sync_index(tiny_corpus, index, fake)

    watcher = threading.Thread(
        target=watch_corpus, args=(tiny_corpus, sync, lambda r, n: synced.append((r, n)), stop, 200), daemon=True
    )
    watcher.start()
    try:
        time.sleep(0.5)  # the watch is set up
        (tiny_corpus / ".upload-partial.md").write_text("# Hidden\n\nNot a briefing yet.\n", encoding="utf-8")
        saved = time.perf_counter()
        (tiny_corpus / "gamma.md").write_text("# Gamma Note\n\nGamma grows rice in the delta.\n", encoding="utf-8")
        while not synced and time.perf_counter() - saved < 20:
            time.sleep(0.05)
        assert synced, "no re-index within 20 s of the save"
        report, _ = synced[0]
        assert report.added == ["gamma.md"]  # type: ignore[attr-defined]
        assert assistant.refresh(force=True)
        answer = assistant.ask("Where does Gamma grow rice?")
        assert answer.citations[0].doc_id == "gamma.md"
        (tiny_corpus / "gamma.md").unlink()
        while len(synced) < 2 and time.perf_counter() - saved < 20:
            time.sleep(0.05)
        assert synced[-1][0].removed == ["gamma.md"]  # type: ignore[attr-defined]
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()
