"""The corpus's words and names, as the spelling check reads them: built once when a generation is
written and stored with it as JSON (`to_json` / `from_json`), so opening an index does not re-read every
passage.

Pure: texts in, a `Vocabulary` out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def build_vocabulary(texts: Iterable[str]) -> Vocabulary:
    words: set[str] = set()
    capitalised: Counter[str] = Counter()
    for text in texts:
        words.update(WORD.findall(fold(text)))
        capitalised.update(word for word in WORD.findall(text) if word[0].isupper())
    written: dict[str, Counter[str]] = {}
    for word, count in capitalised.items():
        for part in {word, *PARTS.split(word)}:  # "Al-Assad" also as "Assad"
            key = fold(part)
            words.add(key)
            if len(key) >= SHORTEST_NAME:
                written.setdefault(key, Counter())[part] += count
    names = {key: (_shown(forms), sum(forms.values())) for key, forms in written.items()}
    return Vocabulary(frozenset(words), names)


def _shown(forms: Counter[str]) -> str:
    """The form to suggest: the most frequent, but "Macron" before the headings' "MACRON"."""
    return max(forms.items(), key=lambda item: (not item[0].isupper(), item[1]))[0]
