"""The learned reader's part in answering: what it reads of a candidate sentence, and how its score moves the
best few sentences.

A learned reader (`qa.index.reader`: the bundled MiniLM read as a cross-encoder, with a small adapter fitted on
tune data by `python -m benchmarks.fit_reader`) reads the question and each of the best `top` scored sentences
together and gives each a score. Here that score is blended in: each of those sentences' selection score gains
`weight` × the reader's score less their mean, and they are ordered again among themselves; the sentences below
them, and every sentence's own features, stay as they were. `top` and `weight` are chosen on tune questions the
reader never trained on.

Pure: the reader itself is passed in (`PairScorer`); nothing is loaded here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from qa.answering.features import Scored

# what a reader reads of a sentence: its document's title and headings give it what the sentence leaves unsaid
# ("Mexico / People and Society / Population: **total:** 130,739,927")
_PATH_SEPARATOR, _TEXT_SEPARATOR = " / ", ": "


def reader_text(title: str, section: tuple[str, ...], sentence: str) -> str:
    """The text a reader is shown for a sentence: its title and heading path, then the sentence."""
    return _PATH_SEPARATOR.join((title, *section)) + _TEXT_SEPARATOR + sentence


@dataclass(frozen=True)
class Blend:
    """How the reader's scores count: over the best `top` sentences, `weight` per unit of reader score."""

    top: int
    weight: float


class PairScorer(Protocol):
    """A learned reader: a score for each text as an answer to the question (higher is better), and how its
    scores are blended with the sentence scores (`Blend`'s two numbers)."""

    @property
    def top(self) -> int: ...
    @property
    def weight(self) -> float: ...

    def score(self, question: str, texts: Sequence[str]) -> Sequence[float]: ...


def blended(scored: Sequence[Scored], reader_scores: Sequence[float], blend: Blend) -> list[Scored]:
    """`scored` (best first) with its best `len(reader_scores)` sentences scored again: each one's score plus
    `blend.weight` × its reader score less their mean, ordered among themselves; the rest after them as they were.
    Ties keep today's order."""
    head = list(scored[: len(reader_scores)])
    if len(head) < 2:
        return list(scored)
    mean = sum(reader_scores) / len(reader_scores)
    moved = [
        (item.score + blend.weight * (r - mean), i, item)
        for i, (item, r) in enumerate(zip(head, reader_scores, strict=True))
    ]
    moved.sort(key=lambda m: (-m[0], m[1]))
    return [replace(item, score=new) for new, _, item in moved] + list(scored[len(head) :])
