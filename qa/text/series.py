"""Series of dated briefings: "Russia, Mexico, Bilateral Relations: July 2025 Update" and the January 2026
update of the same name are two members of one series, "Russia, Mexico, Bilateral Relations".

A document's series is its title less its date words (a month and year, a full date, a quarter, a lone
year) and edition words ("Update", "Edition", "as of"), unless the document names its series itself (a
`series:` line in its front matter, kept as `Document.series`). Titles that differ only in case, accents
or punctuation name the same series. Pure: titles in, `Series` out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa.text.tokens import fold

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DATE_WORDS = re.compile(
    r"\b(?:"
    + rf"{_YEAR}-[01]\d(?:-[0-3]\d)?"  # 2025-07, 2025-07-12
    + rf"|{_DAY}\s+{_MONTH},?\s+{_YEAR}"  # 12 July 2025
    + rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR}"  # July 12, 2025
    + rf"|{_MONTH},?\s+{_YEAR}"  # July 2025
    + rf"|(?:q[1-4]|h[12])\s+{_YEAR}|{_YEAR}\s+(?:q[1-4]|h[12])"  # Q3 2025
    + rf"|{_YEAR}"
    + r")\b",
    re.IGNORECASE,
)
_EDITION_WORDS = re.compile(
    r"\b(?:updates?|updated|edition|issue|as\s+of|version|no\.\s*\d+)(?:\s+(?:on|of|for)\b)?", re.IGNORECASE
)
_SEPARATORS = " \t:;,.-–—()[]|/"


def series_name(title: str) -> str:
    """The title less its date and edition words and the separators they leave at either end."""
    name = _EDITION_WORDS.sub(" ", _DATE_WORDS.sub(" ", title))
    name = re.sub(r"\s+([,;:])", r"\1", re.sub(r"\s+", " ", name))
    name = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", name)  # "X: , Y" left by a removed date → "X: Y"
    name = re.sub(r"\s*[,;:]\s*(?=[–—-]\s)", " ", name)  # "Algeria, — profile" → "Algeria — profile"
    name = name.strip(_SEPARATORS)
    return name or title.strip()


def series_key(name: str) -> str:
    """What two names of one series share: folded letters and digits, single-spaced."""
    return " ".join(re.findall(r"\w+", fold(name)))


@dataclass(frozen=True)
class Member:
    doc_id: str
    title: str
    date: str | None


@dataclass(frozen=True)
class Series:
    """A series' name (as its newest member's title gives it) and its members, oldest first (undated first)."""

    key: str
    name: str
    members: tuple[Member, ...]

    @property
    def newest(self) -> Member:
        return self.members[-1]


def group_series(documents: Iterable[tuple[str, str, str | None, str | None]]) -> list[Series]:
    """Documents as (doc_id, title, date, series named by the document or None), grouped into series, sorted by
    name. A document alone in its series is a series of one."""
    groups: dict[str, list[tuple[Member, str]]] = {}
    for doc_id, title, date, named in documents:
        name = named.strip() if named and named.strip() else series_name(title)
        groups.setdefault(series_key(name), []).append((Member(doc_id, title, date), name))
    out = []
    for key, members in groups.items():
        members.sort(key=lambda m: (m[0].date or "", m[0].doc_id))
        out.append(Series(key, members[-1][1], tuple(m for m, _ in members)))
    return sorted(out, key=lambda s: (s.key, s.name))


def current_at(series: Series, date: str) -> Sequence[Member]:
    """The members already published on `date` (any ISO precision): those dated no later, undated ones too."""
    return [m for m in series.members if m.date is None or m.date[: len(date)] <= date]
