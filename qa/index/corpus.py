"""Which files of a corpus folder are briefings to read, and why each other one is skipped.

A hostile folder must not stop a run: links that loop or lead outside the folder, pipes, devices and
sockets named like briefings, file names that are not valid text, and folders that cannot be listed
are each skipped with a reason that names the file safely (`safe_name`), never raised. Only regular
files are read, so no read can block on a pipe while the writer lock is held.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
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


UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # one uploaded briefing; the reader's own limit is larger


def upload_name(name: str) -> str:
    """The corpus file name an uploaded file gets: its base name, checked. ValueError says what is wrong."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or base.startswith(".") or not _is_text(base) or any(not ch.isprintable() for ch in base):
        raise ValueError(f"'{safe_name(name)}' is not a usable file name (hidden, empty or with control characters).")
    if len(base.encode("utf-8")) > 200:
        raise ValueError(f"The file name '{safe_name(base[:60])}…' is too long (over 200 bytes).")
    if Path(base).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ValueError(f"'{safe_name(base)}' is not a supported type: use {', '.join(SUPPORTED_SUFFIXES)}.")
    return base


def add_to_corpus(corpus: Path, name: str, data: bytes, max_bytes: int = UPLOAD_MAX_BYTES) -> tuple[str, bool]:
    """Write one briefing into the corpus folder atomically (a hidden temporary file, synced, then renamed over
    any file of that name): a reader sees the old file or the new one, never part of one. Returns the file name
    and whether it replaced one. ValueError for a bad name, type or size; nothing is written then."""
    base = upload_name(name)
    if len(data) > max_bytes:
        raise ValueError(f"'{safe_name(base)}' is {len(data):,} bytes; the limit is {max_bytes:,}.")
    if not data:
        raise ValueError(f"'{safe_name(base)}' is empty.")
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / base
    if target.exists() and not target.is_file():
        raise ValueError(f"'{safe_name(base)}' names something in the corpus folder that is not a file.")
    replaced = target.exists()
    fd, temp = tempfile.mkstemp(prefix=".upload-", dir=corpus)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut once the folder is synced
        folder = os.open(corpus, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return base, replaced
