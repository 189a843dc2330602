"""Read briefings under a time limit, in a worker process: a parser stuck on a hostile file (a PDF built to
loop, a document with a pathological structure) is killed and the file skipped with its reason, so the
writer lock is never held by it. Bounded in size too: a file over `max_bytes` is never read.

The worker, a fresh interpreter, is started on the first file to read (an up-to-date run starts none) and
reads one file at a time; it is started again after a kill.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from qa.records import Document
from qa.text.documents import read_document
from qa.text.loaders import UnreadableFileError

MAX_FILE_BYTES = 200 * 1024 * 1024  # larger files are skipped unread
Reader = Callable[[Path, Path], Document]


def _serve(connection: Any, read: Reader) -> None:
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
        self._worker: subprocess.Popen[bytes] | None = None
        self._connection: _Pipe | None = None

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

    def _start(self) -> _Pipe:
        if self._worker is None or self._worker.poll() is not None:
            self.close()
            # a fresh interpreter running this module: unlike multiprocessing's spawn or fork server, it never
            # re-runs the caller's main script (a script calling `sync_index` needs no `if __name__` guard)
            child_reads, to_child = os.pipe()  # (read end, write end)
            from_child, child_writes = os.pipe()
            self._worker = subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(child_reads), str(child_writes)],
                pass_fds=(child_reads, child_writes),
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            )
            os.close(child_reads)
            os.close(child_writes)
            self._connection = _Pipe(Connection(from_child, writable=False), Connection(to_child, readable=False))
            self._connection.send(self._read)  # by reference: the worker imports its module
        assert self._connection is not None
        return self._connection

    def close(self) -> None:
        if self._worker is not None:
            if self._worker.poll() is None:
                self._worker.kill()
            self._worker.wait(5)
        if self._connection is not None:
            self._connection.close()
        self._worker = self._connection = None


class _Pipe:
    """Two one-way connections used as one."""

    def __init__(self, incoming: Connection, outgoing: Connection) -> None:
        self.incoming, self.outgoing = incoming, outgoing

    def send(self, value: object) -> None:
        self.outgoing.send(value)

    def recv(self) -> Any:
        return self.incoming.recv()

    def poll(self, timeout: float) -> bool:
        return self.incoming.poll(timeout)

    def close(self) -> None:
        self.incoming.close()
        self.outgoing.close()


# The worker's program: read the reader function, then serve `_serve` over the two pipes it was given
_WORKER = (
    "import sys, pickle\n"
    "from multiprocessing.connection import Connection\n"
    "from qa.index.reading import _serve, _Pipe\n"
    "pipe = _Pipe(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))\n"
    "_serve(pipe, pipe.recv())\n"
)
