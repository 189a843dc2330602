"""Read briefings under a time limit, in a worker process: a parser stuck on a hostile file (a PDF built to
loop, a document with a pathological structure) is killed and the file skipped with its reason, so the
writer lock is never held by it. Bounded in size too: a file over `max_bytes` is never read.

The worker is started on the first file to read (an up-to-date run starts none) from a fork server, so
starting it again after a kill is quick, and it reads one file at a time.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from qa.records import Document
from qa.text.documents import read_document
from qa.text.loaders import UnreadableFileError

MAX_FILE_BYTES = 200 * 1024 * 1024  # larger files are skipped unread
Reader = Callable[[Path, Path], Document]


def _serve(connection: Connection, read: Reader) -> None:
    """The worker: read each (root, path) it is sent; answer with the document or the reason it failed."""
    while True:
        try:
            root, path = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", read(root, path)))
        except (UnreadableFileError, OSError) as exc:
            connection.send(("unreadable", str(exc)))
        except Exception as exc:  # a parser's own bug on a hostile file: the file is skipped, the run goes on
            connection.send(("unreadable", f"the {path.suffix or 'file'} parser failed: {type(exc).__name__}: {exc}"))


class BoundedReader:
    """`read(root, path)` returns the Document or raises UnreadableFileError with the reason (too large, too
    slow, unreadable). Use as a context manager: the worker stops on exit."""

    def __init__(self, seconds: float = 120.0, max_bytes: int = MAX_FILE_BYTES, read: Reader = read_document) -> None:
        self.seconds, self.max_bytes, self._read = seconds, max_bytes, read
        self._worker: Any = None
        self._connection: Connection | None = None

    def __enter__(self) -> BoundedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, root: Path, path: Path) -> Document:
        size = os.stat(path).st_size
        if size > self.max_bytes:
            raise UnreadableFileError(f"too large: {size:,} bytes (limit {self.max_bytes:,})")
        if self.seconds <= 0:
            return self._read(root, path)
        connection = self._start()
        connection.send((root, path))
        if not connection.poll(self.seconds):
            self.close()  # kill the stuck parser; the next file starts a fresh worker
            raise UnreadableFileError(f"took longer than {self.seconds:g} s to read (the parser was stopped)")
        try:
            kind, value = connection.recv()
        except EOFError as exc:
            self.close()
            raise UnreadableFileError("its parser crashed") from exc
        if kind == "ok":
            return value  # type: ignore[no-any-return]
        raise UnreadableFileError(value)

    def _start(self) -> Connection:
        if self._worker is None or not self._worker.is_alive():
            self.close()
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["qa.text.documents"])
            parent, child = context.Pipe()
            self._worker = context.Process(target=_serve, args=(child, self._read), name="qa-reader", daemon=True)
            self._worker.start()
            child.close()
            self._connection = parent
        assert self._connection is not None
        return self._connection

    def close(self) -> None:
        if self._worker is not None:
            if self._worker.is_alive():
                self._worker.kill()
            self._worker.join(5)
        if self._connection is not None:
            self._connection.close()
        self._worker = self._connection = None
