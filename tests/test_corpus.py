"""A hostile corpus folder: every odd entry is skipped with a reason that names it safely; none stops a run."""

import json
import os
import threading
from pathlib import Path

import pytest

from qa.index.corpus import list_corpus, safe_name
from qa.index.sync import sync_index

posix_only = pytest.mark.skipif(os.name != "posix", reason="links, pipes and byte file names as on POSIX")


@posix_only
def test_a_symlink_loop_is_skipped_and_the_rest_indexed(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    (tiny_corpus / "a.txt").symlink_to(tiny_corpus / "b.txt")
    (tiny_corpus / "b.txt").symlink_to(tiny_corpus / "a.txt")
    (tiny_corpus / "loop").symlink_to(tiny_corpus / "loop")
    report = sync_index(tiny_corpus, tmp_path / "index", fake)
    assert report.added == ["alpha.md", "beta.txt"]
    reasons = dict(report.skipped)
    assert reasons["a.txt"] == reasons["b.txt"] == "a link that loops or leads nowhere"
    assert reasons["loop"] == "a link that loops or leads nowhere"


@posix_only
def test_links_to_folders_are_named_with_a_reason(tiny_corpus: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n\nNot for this corpus.\n", encoding="utf-8")
    (tiny_corpus / "linked").symlink_to(outside)
    (tiny_corpus / "sub").mkdir()
    (tiny_corpus / "again").symlink_to(tiny_corpus / "sub")
    files, skipped = list_corpus(tiny_corpus)
    assert [f.name for f in files] == ["alpha.md", "beta.txt"]
    assert dict(skipped) == {
        "again": "a link to a folder inside the corpus folder (its files are read where they are)",
        "linked": "a link to a folder outside the corpus folder",
    }


@posix_only
def test_a_file_name_that_is_not_utf8_is_skipped_and_named_in_escapes(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    bad = os.fsdecode(b"caf\xe9.txt")
    (tiny_corpus / bad).write_text("Cafe\n\nA briefing about coffee prices in the region.\n", encoding="utf-8")
    report = sync_index(tiny_corpus, tmp_path / "index", fake)
    assert report.added == ["alpha.md", "beta.txt"]
    assert dict(report.skipped) == {"caf\\xe9.txt": "the file name is not valid UTF-8 text; rename it"}
    json.dumps(report.skipped)  # the report serialises: no lone surrogates
    assert "caf\\xe9.txt" in report.summary()


@posix_only
def test_a_newline_in_a_file_name_never_splits_a_report_line(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    (tiny_corpus / "two\nlines.txt").write_text("Two lines\n\nA briefing with an odd name here.\n", encoding="utf-8")
    report = sync_index(tiny_corpus, tmp_path / "index", fake)
    assert "two\nlines.txt" in report.added
    summary = report.summary()
    assert "two\\nlines.txt" in summary and "two\nlines" not in summary


@posix_only
def test_a_fifo_named_like_a_briefing_is_skipped_without_blocking(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    os.mkfifo(tiny_corpus / "pipe.txt")
    done: list[object] = []
    run = threading.Thread(target=lambda: done.append(sync_index(tiny_corpus, tmp_path / "index", fake)), daemon=True)
    run.start()
    run.join(timeout=60)
    assert done, "indexing blocked on a pipe"
    report = done[0]
    assert dict(report.skipped) == {"pipe.txt": "not a regular file (a pipe, device or socket)"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("plain.txt", "plain.txt"), ("two\nlines.txt", "two\\nlines.txt"), (os.fsdecode(b"\xff.txt"), "\\xff.txt")],
)
def test_safe_name(name: str, shown: str) -> None:
    assert safe_name(name) == shown
