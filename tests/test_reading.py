"""Reading files under a time and size limit, in a worker process that a stuck parser cannot hold."""

import time
from pathlib import Path

import pytest

from qa.index.reading import BoundedReader
from qa.index.sync import sync_index
from qa.settings import Settings
from qa.text.documents import read_document
from qa.text.loaders import UnreadableFileError


def stuck_read(root: Path, path: Path):  # type: ignore[no-untyped-def]
    """A parser that never returns on files named 'stuck…' (as one might on a hostile PDF)."""
    if path.name.startswith("stuck"):
        while True:
            time.sleep(1)
    if path.name.startswith("crash"):
        raise RecursionError("maximum recursion depth exceeded")
    return read_document(root, path)


def test_a_stuck_parser_is_stopped_and_the_next_file_read(tiny_corpus: Path) -> None:
    (tiny_corpus / "stuck.txt").write_text("Stuck\n\nA file its parser never finishes.\n", encoding="utf-8")
    with BoundedReader(seconds=3, read=stuck_read) as reader:
        with pytest.raises(UnreadableFileError, match="took longer than 3 s"):
            reader.read(tiny_corpus, tiny_corpus / "stuck.txt")
        assert reader.read(tiny_corpus, tiny_corpus / "beta.txt").doc_id == "beta.txt"  # a fresh worker


def test_a_parser_crash_skips_the_file_only(tiny_corpus: Path) -> None:
    (tiny_corpus / "crash.txt").write_text("Crash\n\nA file its parser fails on.\n", encoding="utf-8")
    with BoundedReader(seconds=30, read=stuck_read) as reader:
        with pytest.raises(UnreadableFileError, match="RecursionError"):
            reader.read(tiny_corpus, tiny_corpus / "crash.txt")
        assert reader.read(tiny_corpus, tiny_corpus / "alpha.md").title == "Alpha Report: 3 March 2024"


def test_a_file_over_the_size_limit_is_never_read(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    with BoundedReader(max_bytes=10) as reader, pytest.raises(UnreadableFileError, match="too large"):
        reader.read(tiny_corpus, tiny_corpus / "beta.txt")


def test_the_index_run_skips_a_stuck_file_and_keeps_the_rest(
    tiny_corpus: Path, tmp_path: Path, fake, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import qa.index.sync

    (tiny_corpus / "stuck.txt").write_text("Stuck\n\nA file its parser never finishes.\n", encoding="utf-8")
    monkeypatch.setattr(qa.index.sync, "BoundedReader", lambda seconds: BoundedReader(seconds, read=stuck_read))
    report = sync_index(tiny_corpus, tmp_path / "index", fake, Settings(read_seconds=3))
    assert report.added == ["alpha.md", "beta.txt"]
    assert dict(report.skipped)["stuck.txt"].startswith("took longer than 3 s to read")


def test_a_script_without_a_main_guard_can_index(tiny_corpus: Path, tmp_path: Path) -> None:
    """The worker is a fresh interpreter: it never re-runs the calling script (multiprocessing's spawn and fork
    server would, and fail, for a script that calls `sync_index` at its top level)."""
    import subprocess
    import sys

    script = tmp_path / "build.py"
    script.write_text(
        "from pathlib import Path\n"
        "from qa.index.embedding import HashingEmbedder\n"
        "from qa.index.sync import sync_index\n"
        f"report = sync_index(Path({str(tiny_corpus)!r}), Path({str(tmp_path / 'index')!r}), HashingEmbedder(64))\n"
        "print(sorted(report.added), report.skipped)\n",
        encoding="utf-8",
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "['alpha.md', 'beta.txt'] []"
