"""Briefing QA: cited, extractive answers from a folder of briefings."""

from qa.assistant import Assistant
from qa.errors import QAError
from qa.indexing import IndexReport, sync_index
from qa.records import Answer, Citation, DocumentInfo, Filters, IndexStatus
from qa.settings import Settings

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
