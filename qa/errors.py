"""The named errors of the package. Each message names the bad value and the fix."""

from __future__ import annotations


class QAError(Exception):
    """Base class: every error the shells turn into a plain message."""


class IndexNotFoundError(QAError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(
            f"No index found in '{index_dir}'. Build one first with: qa index CORPUS_DIR --index {index_dir}"
        )


class IndexCorruptError(QAError):
    """The index on disk fails its checksums or counts; it is never half-loaded."""


class IndexFormatError(IndexCorruptError):
    """The index was written by a version of this program with another on-disk format."""


class IndexMismatchError(QAError):
    """The index was built with another model or chunking configuration than the one asked for."""


class CorpusError(QAError):
    """The corpus folder is missing or holds no readable briefing."""


class QuestionError(QAError):
    """The question is empty, too long, or not text."""


class WeightsError(QAError):
    """The answering weights file is missing, of another format version, or names other features."""


class IndexLockedError(QAError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(
            f"Another 'qa index' is already writing to '{index_dir}'. Wait for it to finish and try again."
        )


class StandingError(QAError):
    """The standing questions' store cannot be read or written (the index itself still serves)."""
