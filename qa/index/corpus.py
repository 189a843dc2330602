"""Which files of a corpus folder are briefings to read, and why each other one is skipped.

A hostile folder must not stop a run: links that loop or lead outside the folder, pipes, devices and
sockets named like briefings, file names that are not valid text, and folders that cannot be listed
are each skipped with a reason that names the file safely (`safe_name`), never raised. Only regular
files are read, so no read can block on a pipe while the writer lock is held.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from qa.text.loaders import SUPPORTED_SUFFIXES


def safe_name(name: str) -> str:
    """`name` as it can be printed on one line and written as JSON: bytes that are not UTF-8 as `\\xNN`,
    control characters (a newline) escaped."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _is_text(name: str) -> bool:
    """Whether a file name decoded from the file system is valid UTF-8 (else it holds lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _target(path: Path) -> Path | None:
    """Where a link finally points, or None when it loops or leads nowhere."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def list_corpus(corpus: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Supported regular files below `corpus` (sorted, hidden ones left out), and every other entry with the
    reason it is skipped (by `safe_name`)."""
    root = corpus.resolve()
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []

    def skip(path: Path, reason: str) -> None:
        skipped.append((safe_name(path.relative_to(corpus).as_posix()), reason))

    def unlisted(error: OSError) -> None:
        where = Path(error.filename) if error.filename else corpus
        if where != corpus:
            skip(where, f"cannot list the folder: {error.strerror or error}")

    for folder, folders, names in os.walk(corpus, followlinks=False, onerror=unlisted):
        here = Path(folder)
        for name in sorted(folders):
            path = here / name
            if name.startswith("."):
                folders.remove(name)
            elif path.is_symlink():
                folders.remove(name)
                target = _target(path)
                if target is None:
                    skip(path, "a link that loops or leads nowhere")
                elif target.is_relative_to(root):
                    skip(path, "a link to a folder inside the corpus folder (its files are read where they are)")
                else:
                    skip(path, "a link to a folder outside the corpus folder")
        folders.sort()
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = here / name
            relative = path.relative_to(corpus).as_posix()
            if not _is_text(relative):
                skip(path, "the file name is not valid UTF-8 text; rename it")
                continue
            target = _target(path)
            if target is None:
                skip(path, "a link that loops or leads nowhere" if path.is_symlink() else "cannot be read")
                continue
            if path.is_symlink() and not target.is_relative_to(root):
                skip(path, "a link to a file outside the corpus folder")
                continue
            try:
                mode = os.stat(target).st_mode
            except OSError as exc:
                skip(path, f"cannot be read: {exc.strerror or exc}")
                continue
            if not stat.S_ISREG(mode):
                skip(path, "not a regular file (a pipe, device or socket)")
            elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
                skip(path, f"unsupported file type '{safe_name(path.suffix) or '(none)'}'")
            else:
                files.append(path)
    return sorted(files), sorted(skipped)
