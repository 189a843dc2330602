"""BM25 over passages, and the tokenizer shared with sentence scoring.

Pure numpy; built in memory from the passages' searchable text when a generation is opened (a
few hundred milliseconds for thousands of passages), so nothing extra is stored on disk.
Snowball stemming folds inflections ("supplies" ~ "supply", "agricultural" ~ "agriculture"), and
accents fold away, so a question typed without them finds the briefing that has them ("Cote d'Ivoire"
~ "Côte d'Ivoire", "Sao Paulo" ~ "São Paulo").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import snowballstemmer

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "s",
        "t",
        "d",
        "ll",
        "re",
        "ve",
        "m",
        "y",
        "many",
        "much",
        "did",
        "does",
        "tell",
        "say",
        "said",
        "according",
        "whose",
    ]
)
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits of any script, after folding
# letters NFKD does not take apart; casefold() already turns "ß" into "ss"
_UNDECOMPOSED = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_STEMMER = snowballstemmer.stemmer("english")
_IRREGULAR = {
    past: base
    for base, forms in {
        "meet": "met", "sell": "sold", "buy": "bought", "make": "made", "hold": "held", "lead": "led",
        "win": "won", "take": "took taken", "give": "gave given", "go": "went gone", "begin": "began begun",
        "become": "became", "grow": "grew grown", "build": "built", "pay": "paid", "find": "found",
        "leave": "left", "bring": "brought", "think": "thought", "fight": "fought", "teach": "taught",
        "seek": "sought", "speak": "spoke spoken", "write": "wrote written", "run": "ran", "choose": "chose chosen",
        "fall": "fell fallen", "rise": "rose risen", "drive": "drove driven", "know": "knew known",
        "see": "saw seen", "send": "sent", "spend": "spent", "lose": "lost", "keep": "kept", "die": "died",
        "child": "children", "person": "people", "man": "men", "woman": "women",
    }.items()
    for past in forms.split()
}  # fmt: skip


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter2 (Snowball English) stem, after folding common irregular forms (met → meet)."""
    word = _IRREGULAR.get(word, word)
    if len(word) <= 3 or word.isdigit():
        return word
    return str(_STEMMER.stemWord(word))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=20_000)
def _fold_run(run: str) -> str:
    marks_apart = unicodedata.normalize("NFKD", run)
    return "".join(ch for ch in marks_apart if not unicodedata.combining(ch)).translate(_UNDECOMPOSED)


def fold(text: str) -> str:
    """Lower case without accents: "Côte d’Ivoire" → "cote d’ivoire", "Straße" → "strasse"."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(lambda m: _fold_run(m.group()), text.casefold())


def words(text: str) -> list[str]:
    """The words of `text` as written (not folded): runs of letters and digits."""
    return _TOKEN.findall(text)


def negation_pattern(*more: str) -> re.Pattern[str]:
    """Words that say something is not so ("not", "never", "can't"), and any `more` regex alternatives."""
    alternatives = "|".join(("not", "never", "no", "none", "nor", "neither", "without", "cannot", *more))
    return re.compile(rf"\b({alternatives})\b|n[’']t\b", re.I)


_NEGATED = negation_pattern()


def is_negated(text: str) -> bool:
    """Whether `text` says "not" in any of `negation_pattern`'s ways ("Who could not…?", "wasn't")."""
    return _NEGATED.search(text) is not None


def tokenize(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lower-case word tokens without accents, stop words dropped, lightly stemmed."""
    words = _TOKEN.findall(fold(text))
    return [stem(w) for w in words if keep_stopwords or w not in STOPWORDS]


class BM25:
    """Okapi BM25 over a fixed list of texts."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(texts)
        docs = [Counter(tokenize(text)) for text in texts]
        lengths = np.array([sum(doc.values()) for doc in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1.0 - b + b * lengths / max(avg, 1e-9))
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in doc.items():
                ids, weights = postings.setdefault(term, ([], []))
                ids.append(i)
                weights.append(tf * (k1 + 1.0) / (tf + norm[i]))
        self.idf: dict[str, float] = {}
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, weights) in postings.items():
            df = len(ids)
            self.idf[term] = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
            self._postings[term] = (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32))
        self.default_idf = math.log(1.0 + (self.size + 0.5) / 0.5) if self.size else 1.0

    def term_idf(self, term: str) -> float:
        return self.idf.get(term, self.default_idf)

    def scores(self, weighted_terms: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """BM25 score of every text; `weighted_terms` maps a token to its query weight."""
        terms = weighted_terms if isinstance(weighted_terms, Mapping) else Counter(weighted_terms)
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            posting = self._postings.get(term)
            if posting is not None:
                ids, weights = posting
                out[ids] += weight * self.idf[term] * weights
        return out
