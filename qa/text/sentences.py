"""Split a span of text into sentences with exact character offsets.

Pure and rule-based: a boundary is sentence punctuation followed by white space and a capital,
digit or opening quote, unless the word before the dot is a known abbreviation or an initial.
It never changes the text: every span returned satisfies `text[start:end] == sentence` with no
surrounding white space. It does not decide what is quotable: see `structure`.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "hon",
        "rev",
        "messrs",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "no",
        "nos",
        "vol",
        "vols",
        "fig",
        "figs",
        "p",
        "pp",
        "ch",
        "sec",
        "art",
        "approx",
        "est",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "dept",
        "univ",
        "assn",
        "ave",
        "blvd",
        "vs",
        "etc",
        "al",
        "cf",
        "ca",
        "viz",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "u.s.a",
    ]
)

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the '.' at `dot` the end of an abbreviation or an initial rather than of a sentence?"""
    match = _WORD_BEFORE.search(text, 0, dot)
    if match is None:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # An initial ("J. Smith") or a dotted acronym ("U.S.", "a.m.").
    return len(word) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past white space at both ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences in text[start:end]."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, stop):
        cut = match.end()
        if text[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation(text, match.start()):
            continue
        s, e = trim_span(text, cursor, cut)
        if e > s:
            spans.append((s, e))
        cursor = cut
    s, e = trim_span(text, cursor, stop)
    if e > s:
        spans.append((s, e))
    return _merge_parentheticals(text, spans)


_PARENTHETICAL = re.compile(r"\([^()]{1,40}\)[.!?]?")


def _merge_parentheticals(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A short parenthetical after a full stop ("… de base. (French)") belongs to the sentence before."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        found = _PARENTHETICAL.match(text, start, end) if merged else None
        if found is None:
            merged.append((start, end))
            continue
        merged[-1] = (merged[-1][0], found.end())
        rest = trim_span(text, found.end(), end)
        if rest[1] > rest[0]:
            merged.append(rest)
    return merged
