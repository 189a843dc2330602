"""The corpus's words and names, as the spelling check reads them: counted once when a segment of the index
is written (`WordCounts`), the counts of a commit kept with it as JSON, so opening an index does not re-read
every passage. Counts, not sets, so that a removed document's words can be taken away again.

Pure: texts in, `WordCounts` and a `Vocabulary` out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from qa.text.tokens import fold

WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*")
PARTS = re.compile(r"['’-]")
SHORTEST_NAME = 4  # shorter words are too often someone's acronym to second-guess


@dataclass
class Vocabulary:
    """The corpus's words (folded), and its capitalised ones with their written form and frequency."""

    words: frozenset[str]
    names: Mapping[str, tuple[str, int]]  # folded → (form to suggest, count)

    @cached_property
    def deletions(self) -> Mapping[str, tuple[str, ...]]:
        """A folded name, or it less one letter → the names; built when a first suggestion is sought."""
        found: dict[str, list[str]] = {}
        for key in self.names:
            for variant in {key, *deletions(key)}:
                found.setdefault(variant, []).append(key)
        return {k: tuple(v) for k, v in found.items()}

    def to_json(self) -> bytes:
        payload = {"words": sorted(self.words), "names": {k: list(v) for k, v in sorted(self.names.items())}}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Vocabulary:
        payload = json.loads(data)
        return cls(frozenset(payload["words"]), {k: (v[0], int(v[1])) for k, v in payload["names"].items()})


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass
class WordCounts:
    """How often each folded word occurs, and each written form of each name: what a `Vocabulary` is made
    from. Counts add and subtract, so an index can take a document's words in and out without a re-count."""

    words: Counter[str] = field(default_factory=Counter)
    forms: dict[str, Counter[str]] = field(default_factory=dict)  # folded name → written form → count

    @classmethod
    def of(cls, texts: Iterable[str]) -> WordCounts:
        words: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        for text in texts:
            words.update(WORD.findall(fold(text)))
            capitalised.update(word for word in WORD.findall(text) if word[0].isupper())
        forms: dict[str, Counter[str]] = {}
        for word, count in capitalised.items():
            for part in {word, *PARTS.split(word)}:  # "Al-Assad" also as "Assad"
                key = fold(part)
                words[key] += count
                forms.setdefault(key, Counter())[part] += count
        return cls(words, forms)

    def add(self, other: WordCounts, sign: int = 1) -> None:
        """Add `other`'s counts (or take them away: `sign` -1); what falls to zero is gone."""
        for word, count in other.words.items():
            left = self.words[word] + sign * count
            if left > 0:
                self.words[word] = left
            else:
                del self.words[word]
        for key, written in other.forms.items():
            mine = self.forms.setdefault(key, Counter())
            for form, count in written.items():
                left = mine[form] + sign * count
                if left > 0:
                    mine[form] = left
                else:
                    del mine[form]
            if not mine:
                del self.forms[key]

    def vocabulary(self) -> Vocabulary:
        names = {
            key: (_shown(forms), sum(forms.values())) for key, forms in self.forms.items() if len(key) >= SHORTEST_NAME
        }
        return Vocabulary(frozenset(self.words), names)

    def to_json(self) -> bytes:
        payload = {
            "words": dict(sorted(self.words.items())),
            "forms": {k: dict(v) for k, v in sorted(self.forms.items())},
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> WordCounts:
        payload = json.loads(data)
        return cls(Counter(payload["words"]), {k: Counter(v) for k, v in payload["forms"].items()})


def build_vocabulary(texts: Iterable[str]) -> Vocabulary:
    return WordCounts.of(texts).vocabulary()


def _shown(forms: Counter[str]) -> str:
    """The form to suggest: the most frequent, but "Macron" before the headings' "MACRON"."""
    return max(forms.items(), key=lambda item: (not item[0].isupper(), item[1]))[0]
