"""Names the briefings never mention, and the spelling the analyst probably meant.

Pure. "What did Lavorv say?" names a word that no indexed passage holds: the answer says so and
offers the closest name the briefings do hold ("Lavrov"). The question is answered as typed first;
only when that is refused is the corrected question asked (`qa.assistant.routes.SpellingRoute`), and
its answer says what it was read as.

Candidates are the words written with a capital somewhere in the corpus (names, places,
acronyms), found by shared one-letter deletions (so within two edits: a dropped, added, changed or
swapped letter on each side), then checked by edit distance and ranked by distance, then how often
the corpus uses them. Accents do not count ("Sao Paulo" is known when the corpus says "São Paulo").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.text.tokens import fold
from qa.text.vocabulary import PARTS as _PARTS
from qa.text.vocabulary import SHORTEST_NAME, Vocabulary, build_vocabulary, deletions

__all__ = ["Vocabulary", "build_vocabulary", "corrected_question", "known", "suggest", "unknown_name_notes"]

_SHORTEST = SHORTEST_NAME


def known(word: str, vocabulary: Vocabulary) -> bool:
    """In the corpus as written (accents aside), or every part of it is ("Russia's", "Saudi-Iranian")."""
    key = fold(word)
    return key in vocabulary.words or all(part in vocabulary.words for part in _PARTS.split(key) if part)


def edit_distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance: fewest insertions, deletions, substitutions and adjacent swaps."""
    far = len(a) + len(b)
    # d[i + 1][j + 1]: distance between a[:i] and b[:j]; row and column 0 hold `far` as a border
    d = [[far] * (len(b) + 2)] + [[far] + [0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i + 1][1] = i
    for j in range(len(b) + 1):
        d[1][j + 1] = j
    last_row: dict[str, int] = {}  # letter → last row of a holding it
    for i in range(1, len(a) + 1):
        last_match = 0  # last column of b matching a[i - 1]
        for j in range(1, len(b) + 1):
            k, m = last_row.get(b[j - 1], 0), last_match
            cost = 0 if a[i - 1] == b[j - 1] else 1
            if cost == 0:
                last_match = j
            d[i + 1][j + 1] = min(
                d[i][j] + cost, d[i + 1][j] + 1, d[i][j + 1] + 1, d[k][m] + (i - k - 1) + 1 + (j - m - 1)
            )
        last_row[a[i - 1]] = i
    return d[len(a) + 1][len(b) + 1]


def suggest(word: str, vocabulary: Vocabulary) -> str | None:
    """The corpus name closest to a word the corpus lacks (one edit under 7 letters, else two)."""
    key = fold(word)
    if len(key) < _SHORTEST or known(word, vocabulary):
        return None
    allowed = 1 if len(key) < 7 else 2
    candidates = {name for variant in {key, *deletions(key)} for name in vocabulary.deletions.get(variant, ())}
    ranked = sorted(
        (distance, -vocabulary.names[name][1], name)
        for name in candidates
        if (distance := edit_distance(key, name)) <= allowed
    )
    return vocabulary.names[ranked[0][2]][0] if ranked else None


def corrected_question(question: str, names: Iterable[str], vocabulary: Vocabulary) -> str | None:
    """The question with every name no briefing mentions replaced by the closest one; None when none has one."""
    corrected = question
    for name in dict.fromkeys(names):
        guess = suggest(name, vocabulary) if len(fold(name)) >= _SHORTEST and not known(name, vocabulary) else None
        if guess:
            corrected = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", guess, corrected)
    return corrected if corrected != question else None


def unknown_name_notes(names: Iterable[str], vocabulary: Vocabulary) -> list[str]:
    """A note for each name no briefing mentions: "no briefing mentions “Lavorv”; the closest name is “Lavrov”"."""
    notes = []
    for name in dict.fromkeys(names):
        if len(fold(name)) < _SHORTEST or known(name, vocabulary):
            continue
        guess = suggest(name, vocabulary)
        notes.append(f"no briefing mentions “{name}”" + (f"; the closest name is “{guess}”" if guess else ""))
    return notes
