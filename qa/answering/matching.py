"""Word-level tests of a sentence against a question: overlap of weighted terms, names present,
lists and breakdowns, a line's label and heading asked for, and the word-piece match.

Pure functions over words and small arrays; each is one named signal that `features` turns into a
feature of a candidate sentence. It does not score, rank or choose: see `model` and `rerank`.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache

import numpy as np

from qa.answering.questions import Question
from qa.text.tokens import negation_pattern, tokenize

# a follow-up's sentence terms: the earlier question's words weigh this much (its own words their full weight)
EARLIER_TERM_WEIGHT = 0.15
# a name is found in a longer word sharing its first NAME_PREFIX letters (all of a name of NAME_PREFIX_SHORTEST)
NAME_PREFIX = 5
NAME_PREFIX_SHORTEST = 4
# or sharing LONG_STEM letters, then ending within a few letters of it (the name's and the word's rests)
LONG_STEM = 6
LONG_STEM_NAME_REST = 2
LONG_STEM_TOKEN_REST = 3
# a list: at least LIST_ITEMS items, the middle one of at most LIST_ITEM_WORDS words
LIST_ITEMS = 3
LIST_ITEM_WORDS = 4


def sentence_terms(question: Question) -> dict[str, float]:
    """Terms a sentence should contain: a follow-up's own words count, the earlier question's barely."""
    if not question.followup or not question.own_terms:
        return question.terms
    own = set(question.own_terms)
    return {t: (w if t in own else EARLIER_TERM_WEIGHT) for t, w in question.terms.items()}


def term_overlap(terms: Mapping[str, float], tokens: set[str], idf: Callable[[str], float]) -> float:
    total = sum(w * idf(t) for t, w in terms.items())
    if total <= 0:
        return 0.0
    return sum(w * idf(t) for t, w in terms.items() if t in tokens) / total


# How a place's name ends, or what follows it, in the stems of its people, language or plural:
# Russia ~ Russian, Mexico ~ Mexican, Kenya ~ Kenyan, Japan ~ Japanese, Somalia ~ Somali
_NAME_ENDINGS = frozenset(
    ("", "a", "e", "i", "o", "y", "s", "n", "an", "ns", "ans", "ian", "ean", "es", "ese", "ish", "ic")
)


def _shared_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class WordUnion(AbstractSet[str]):
    """The union of a few word sets, read without building it: membership asks each part, iteration walks them
    all (a word in two parts comes twice). A sentence's words are its own, its title's, its headings' and its
    paragraph's; each feature asks a handful of question words of them."""

    __slots__ = ("parts",)

    def __init__(self, *parts: AbstractSet[str]) -> None:
        self.parts = parts

    def __contains__(self, word: object) -> bool:
        return any(word in part for part in self.parts)

    def __iter__(self) -> Iterator[str]:
        for part in self.parts:
            yield from part

    def __len__(self) -> int:
        return len(set().union(*self.parts))


@lru_cache(maxsize=131_072)
def name_in_words(name: str, tokens: frozenset[str]) -> bool:
    """`name_present` for a frozen word set, kept for the pairs asked most recently (a sentence's stored words are
    one frozenset, read again for each question naming the same place)."""
    return name_present(name, tokens)


def name_present(name: str, tokens: AbstractSet[str]) -> bool:
    """Whether `name` (a stem) is among `tokens` (stems): exactly, or in a word that differs from it only in
    such endings after a shared start of 5+ letters (or all of a 4-letter name), or shares 6+ letters and then
    ends within a few letters of it. "Russian" holds Russia; "bolivars" does not hold Bolivia, nor "Australia"
    Austria, nor "Nigeria" Niger."""
    if name in tokens:
        return True
    need = min(len(name), NAME_PREFIX)
    if need < NAME_PREFIX_SHORTEST:
        return False
    start = name[:need]
    for token in tokens:
        if not token.startswith(start):
            continue
        shared = _shared_start(name, token)
        name_rest, token_rest = name[shared:], token[shared:]
        if name_rest in _NAME_ENDINGS and token_rest in _NAME_ENDINGS:
            return True
        if shared >= LONG_STEM and len(name_rest) <= LONG_STEM_NAME_REST and len(token_rest) <= LONG_STEM_TOKEN_REST:
            # long stems: Normandy ~ Normans
            return True
    return False


def named_in(written_names: Sequence[str], tokens: AbstractSet[str]) -> tuple[str, ...]:
    """The names, as the question writes them, whose every word is present in `tokens`."""
    return tuple(
        name for name in written_names if (words := tokenize(name)) and all(name_present(w, tokens) for w in words)
    )


def missing_term(terms: Mapping[str, float], tokens: set[str], idf: Callable[[str], float]) -> float:
    """How rare the rarest question word missing from `tokens` is (0: none missing), relative to the rarest word."""
    ceiling = max((idf(t) for t in terms), default=0.0) or 1.0
    return max((idf(t) / ceiling for t, w in terms.items() if w >= 1.0 and t not in tokens), default=0.0)


_REFERS_BACK = re.compile(
    r"^\W*(?:it|its|they|their|them|this|these|those|he|she|his|her|such|the latter|the former|both|thus"
    r"|therefore|in turn|later|then|after (?:this|that))\b",
    re.IGNORECASE,
)


def refers_back(sentence: str) -> bool:
    """Whether a sentence opens by pointing at the one before it ("It in turn evolved…", "They were…")."""
    return _REFERS_BACK.match(sentence) is not None


# broader than a question's negation (`qa.text.tokens.is_negated`): "refused" or "failed" answers "did not"
_NEGATES = negation_pattern("nothing", "nobody", "unable", "lacks?", "lacked", "fail(?:s|ed)?", "refused?", "rejected")


def negates(sentence: str) -> bool:
    """Whether a sentence says something is not so ("could not", "never", "refused", "without")."""
    return _NEGATES.search(sentence) is not None


_PARENTHESES = re.compile(r"\([^()]*\)")
_ITEM_SEPARATOR = re.compile(r"[,;]")


def _items(sentence: str) -> list[list[str]]:
    """The words of a sentence's comma- or semicolon-separated items, separators in parentheses not counting."""
    items = [item.split() for item in _ITEM_SEPARATOR.split(_PARENTHESES.sub("", sentence))]
    return [item for item in items if item]


def _all_shares(items: Sequence[Sequence[str]]) -> bool:
    return all(any("%" in word for word in item) for item in items)


def is_list(sentence: str) -> bool:
    """Whether a sentence is a list of three or more short things ("copper ore, gold, refined copper
    (2023)", "tsunamis; typhoons; volcanoes"), separators inside parentheses not counting; not prose
    that happens to hold commas (its clauses are long), nor a breakdown by shares ("China 39%, USA 16%")."""
    items = _items(sentence)
    if len(items) < LIST_ITEMS or _all_shares(items):
        return False
    return statistics.median(len(item) for item in items) <= LIST_ITEM_WORDS  # the middle item holds a few words


def is_breakdown(sentence: str) -> bool:
    """Whether a sentence is a breakdown by shares: two or more items, each with a percentage ("China 39%, USA 16%")."""
    items = _items(sentence)
    return len(items) >= 2 and _all_shares(items)


def label_match(asked: Sequence[str], label: str, heading_words: set[str]) -> float:
    """The share of a line's label words asked for, leaving out those its field's heading repeats: under
    "Life expectancy at birth", "**male:**" answers "male life expectancy"; under "Exports", "**Exports
    2024:**" adds nothing to "exports"."""
    words = [w for w in tokenize(label) if w not in heading_words]
    return sum(1 for w in words if w in asked) / len(words) if words else 0.0


@lru_cache(maxsize=4096)
def _heading_words(heading: str) -> tuple[str, ...]:
    """A heading's words, leaving out what it puts in parentheses (unless that is all it holds)."""
    return tuple(tokenize(_PARENTHESES.sub(" ", heading)) or tokenize(heading))


def heading_match(terms: Mapping[str, float], heading: str) -> float:
    """How much of a sentence's own heading (a Factbook field name) the question asks for, leaving out
    what the heading puts in parentheses: a qualifier ("GDP (official exchange rate)" is the GDP asked
    for, not a lesser match than "Real GDP per capita"). Every candidate sentence asks this of its
    heading, and a profile repeats a few hundred headings: their words are computed once."""
    words = _heading_words(heading)
    if not words:
        return 0.0
    return sum(1 for w in words if w in terms) / len(words)


def word_bests(question_words: np.ndarray, pieces: np.ndarray) -> tuple[float, ...]:
    """Each question word's best cosine to one of a sentence's word pieces (0 with no pieces): unit
    vectors from the model's input table, so "bought" comes near "purchased" without a forward pass."""
    if not len(pieces):
        return (0.0,) * len(question_words)
    return tuple(float(x) for x in (question_words @ pieces.T).max(axis=1))


def mean_best(bests: Sequence[Sequence[float]]) -> float:
    """The mean over the question's words of each one's best cosine in any of `bests` (one row per
    sentence): a sentence's word match, or, with all of its sentences, a passage's."""
    rows = [b for b in bests if len(b)]
    return float(np.max(np.array(rows), axis=0).mean()) if rows else 0.0
