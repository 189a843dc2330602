"""Briefing QA: cited, extractive answers from a folder of briefings.

The public API, loaded lazily: `import qa.records` (or `from qa import Answer`) loads no model or
index library; `from qa import Assistant` loads what answering needs, when it is first named.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.assistant import Assistant
    from qa.errors import QAError
    from qa.index.sync import IndexReport, sync_index
    from qa.records import Answer, Citation, DocumentInfo, Filters, IndexStatus
    from qa.settings import Settings

_WHERE = {
    "Answer": "qa.records",
    "Assistant": "qa.assistant",
    "Citation": "qa.records",
    "DocumentInfo": "qa.records",
    "Filters": "qa.records",
    "IndexReport": "qa.index.sync",
    "IndexStatus": "qa.records",
    "QAError": "qa.errors",
    "Settings": "qa.settings",
    "sync_index": "qa.index.sync",
}
__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "DocumentInfo",
    "Filters",
    "IndexReport",
    "IndexStatus",
    "QAError",
    "Settings",
    "sync_index",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'qa' has no attribute '{name}'")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
