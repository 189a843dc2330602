"""Escaping document and question text into our markup: the leaf every other web piece builds on.

Pure: a string in, a string out. It renders nothing itself.
"""

from __future__ import annotations

_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "&<>\"'\\`*_{}[]()#+-!|~$:=@"}


def escape(text: str) -> str:
    """Escape for our markup: every HTML, Markdown or LaTeX special becomes a numeric entity, so no
    tag, entity, link, emphasis or formula in a document survives as anything but text."""
    return "".join(_ENTITIES.get(ch, ch) for ch in text)
