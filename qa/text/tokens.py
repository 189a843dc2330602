"""Words: the tokenizer shared by BM25 and sentence scoring, accent folding, and negation words.

Pure. Snowball stemming folds inflections ("supplies" ~ "supply", "agricultural" ~ "agriculture"), and
accents fold away, so a question typed without them finds the briefing that has them ("Cote d'Ivoire"
~ "Côte d'Ivoire", "Sao Paulo" ~ "São Paulo"). It does not score or search: see `qa.search.bm25`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

import snowballstemmer

STOPWORDS = frozenset((
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "cannot", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
    "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
    "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself", "yourselves", "also", "s", "t", "d", "ll", "re", "ve", "m", "y", "many", "much", "tell",
    "say", "said", "according", "whose",
))  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits of any script, after folding
# letters NFKD does not take apart; casefold() already turns "ß" into "ss"
_UNDECOMPOSED = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_LOCAL = threading.local()


def _stemmer() -> Any:
    """This thread's Snowball stemmer: one shared by two threads at once raises IndexError mid-word
    or returns another word's stem (it keeps the word being stemmed in its own fields)."""
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return stemmer


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
    return str(_stemmer().stemWord(word))


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


@lru_cache(maxsize=32_768)
def token_set(text: str) -> frozenset[str]:
    """`tokenize(text)` as a set, kept for the texts read most recently: answering reads the same candidate
    sentences and paragraphs for many questions (at most about 30 MB kept)."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=100_000)
def first_token(word: str) -> str | None:
    """The first token of `word` (`tokenize`), or None (a stop word): a phrase's words, each worked out once."""
    tokens = tokenize(word)
    return tokens[0] if tokens else None
