"""What changed between two versions of a briefing, sentence by sentence.

`align` pairs the sentences of an older and a newer text: the same sentence (same words, whatever the
spacing or case), a changed one (a sentence of the old text rewritten in the new: another number, name or
date in the same words around it), an added one and a removed one. Sentences are compared by their folded
words: `difflib.SequenceMatcher` finds the runs that stayed, and inside each run that did not, old and new
sentences are paired, in order, when enough of their words agree (`PAIRED_AT`). `changed_words` marks the
words of a changed pair that differ. Pure: lists of strings in, `Change` records out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from qa.text.tokens import fold

PAIRED_AT = 0.34  # share of words two sentences must have in common (difflib ratio) to be one sentence changed:
# "The minister is Juan Ramon de la Fuente." → "The minister is Alicia Barcena." shares 0.46
_WORD = re.compile(r"\w+(?:[.,:/'’-]\w+)*")


@dataclass(frozen=True)
class Change:
    kind: Literal["same", "changed", "added", "removed"]
    old: int | None  # index into the old sentences
    new: int | None  # index into the new sentences


def _words(text: str) -> tuple[str, ...]:
    return tuple(m.group() for m in _WORD.finditer(fold(text)))


def similarity(a: str, b: str) -> float:
    """The share of words two sentences have in common, in order (difflib's ratio over their words)."""
    return difflib.SequenceMatcher(a=_words(a), b=_words(b), autojunk=False).ratio()


def align(old: Sequence[str], new: Sequence[str], paired_at: float = PAIRED_AT) -> list[Change]:
    """Every sentence of both texts, once, in reading order: same, changed, removed or added."""
    keys_old, keys_new = [_words(s) for s in old], [_words(s) for s in new]
    matcher = difflib.SequenceMatcher(a=keys_old, b=keys_new, autojunk=False)
    out: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [Change("same", i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        elif tag == "delete":
            out += [Change("removed", i, None) for i in range(i1, i2)]
        elif tag == "insert":
            out += [Change("added", None, j) for j in range(j1, j2)]
        else:
            out += _pair(keys_old, keys_new, range(i1, i2), range(j1, j2), paired_at)
    return out


def _pair(
    keys_old: Sequence[tuple[str, ...]], keys_new: Sequence[tuple[str, ...]], olds: range, news: range, paired_at: float
) -> list[Change]:
    """Inside a run that changed: pair old and new sentences in order, each old with the most alike new one after
    the last paired, when alike enough; the rest removed or added, in place."""
    out: list[Change] = []
    matchers = {k: difflib.SequenceMatcher(b=keys_new[k], autojunk=False) for k in news}  # the new side analysed once

    def alike(i: int, k: int) -> float:
        """The ratio, or 0 when its cheap upper bounds already fall short (most pairs of unrelated sentences)."""
        matcher = matchers[k]
        matcher.set_seq1(keys_old[i])
        if matcher.real_quick_ratio() < paired_at or matcher.quick_ratio() < paired_at:
            return 0.0
        return matcher.ratio()

    j = news.start
    for i in olds:
        scores = [(alike(i, k), k) for k in range(j, news.stop)]
        best = max(scores, default=(0.0, -1), key=lambda s: (s[0], -s[1]))
        if best[0] >= paired_at:
            out += [Change("added", None, k) for k in range(j, best[1])]
            out.append(Change("changed", i, best[1]))
            j = best[1] + 1
        else:
            out.append(Change("removed", i, None))
    out += [Change("added", None, k) for k in range(j, news.stop)]
    return out


def best_match(sentence: str, others: Sequence[str], paired_at: float = PAIRED_AT) -> tuple[str, int] | None:
    """("same", i) for the first of `others` with the same words, else ("changed", i) for the most alike one
    sharing at least `paired_at` of its words (the first of equals); None when none does."""
    target = _words(sentence)
    matcher = difflib.SequenceMatcher(b=target, autojunk=False)
    best, at = 0.0, -1
    for i, other in enumerate(others):
        words = _words(other)
        if words == target:
            return "same", i
        matcher.set_seq1(words)
        if matcher.real_quick_ratio() < paired_at or matcher.quick_ratio() < paired_at:
            continue
        ratio = matcher.ratio()
        if ratio > best:
            best, at = ratio, i
    return ("changed", at) if at >= 0 and best >= paired_at else None


def changed_words(old: str, new: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The character spans of the words that differ between two versions of a sentence: (in old, in new)."""
    a = [(m.start(), m.end()) for m in _WORD.finditer(old)]
    b = [(m.start(), m.end()) for m in _WORD.finditer(new)]
    words_a = [fold(old[s:e]) for s, e in a]
    words_b = [fold(new[s:e]) for s, e in b]
    marks_old: list[tuple[int, int]] = []
    marks_new: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=words_a, b=words_b, autojunk=False).get_opcodes():
        if tag != "equal":
            marks_old += a[i1:i2]
            marks_new += b[j1:j2]
    return marks_old, marks_new
