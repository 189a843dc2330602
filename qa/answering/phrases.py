"""Find a short answer phrase inside a quoted sentence: a date for "when", a number for "how many",
a name for "who", a place for "where".

Pure and rule-based. A phrase is always an exact substring of the sentence (returned as offsets),
never rewritten; candidates that repeat the question's own words are dropped, and the one
nearest to where the question's words occur in the sentence wins. Returns None when unsure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from qa.text.structure import FIELD_LINE
from qa.text.tokens import first_token, tokenize

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_DATE = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+\d{3,4}"
    r"|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{3,4}"
    r"|" + _MONTH + r",?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r"(?!\w)"
    r"|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?(?!\d)"
    r"|(?:about\s+|some\s+|around\s+)?[\d.,–-]+\s+(?:(?:thousand|million|billion)\s+)?years\s+ago"
    r"|(?:the\s+)?(?:early\s+|mid-?|late\s+)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|twenty-first)[\s-]+centur(?:y|ies)(?:\s+(?:BC|BCE|AD|CE))?"
    r"|(?<=[a-z,;]\s)(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"|^(?:January|February|March|April|June|July|August|September|October|November|December)(?=\s+(?:is|was)\b)"
    r"|(?:1[0-9]|20)\d\d-\d\d-\d\d"
    r"|(?:the\s+)?(?:early\s+|mid-?|late\s+)?\d{1,2}(?:st|nd|rd|th)[\s-]+centur(?:y|ies)(?:\s+(?:BC|BCE|AD|CE))?"
    r"|(?:the\s+)?\d{3,4}s"
    r"|\d{3,4}\s*(?:–|-|to|and)\s*\d{2,4}"
    r"|(?:1[0-9]|2[01])\d\d(?:\s+(?:BC|BCE|AD|CE))?"
    r"|(?:(?<=\bin\s)|(?<=\bsince\s)|(?<=\buntil\s)|(?<=\bby\s)|(?<=\baround\s)|(?<=\bcirca\s))\d{3}(?!\d)"
    r"|\d{1,4}\s+(?:BC|BCE|AD|CE)"
    r")\b"
)
_UNIT = (
    r"(?:\s*(?:%|percent|per cent|million|billion|trillion|thousand|hundred|km|sq km|square (?:kilometres|kilometers|miles)"
    r"|kilometres|kilometers|miles|metres|meters|m|kg|tonnes|tons|people|years|days|hours|minutes|dollars|euros|USD)\b)*"
)
_NUMBER_WORDS = r"(?:half|(?:a\s+|only\s+a\s+)?few|none|a\s+single|a\s+dozen|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozens?|several)"
_NUMBER = re.compile(
    r"(?:[$€£¥]\s?)?(?<![\w.])-?\d[\d,]*(?:\.\d+)?"
    + _UNIT
    + r"|\b"
    + _NUMBER_WORDS
    + r"(?:[\s-]"
    + _NUMBER_WORDS
    + r")*"
    + _UNIT,
    re.IGNORECASE,
)
_CAPS_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|[A-Z]{2,})"
_NAME = re.compile(
    r"\b" + _CAPS_WORD + r"(?:\s+(?:(?:de|da|del|la|van|von|der|bin|al|of|the|and|y)\s+)*" + _CAPS_WORD + r")*"
)
_TITLES = frozenset((
    "foreign", "prime", "deputy", "vice", "minister", "president", "secretary", "general", "chancellor",
    "ambassador", "chairman", "chair", "director", "king", "queen", "prince", "senator", "governor",
    "mayor", "premier", "envoy", "spokesman", "spokesperson",
))  # fmt: skip
# words that open a name but are no part of it: "President Emmanuel MACRON", "Acting President Sr. Gen. …"
_HONORIFICS = _TITLES | frozenset(("acting", "interim", "transitional", "crown", "emperor", "empress", "emir", "amir",
    "sultan", "sheikh", "sr.", "gen.", "lt.", "col.", "dr.", "mr.", "mrs.", "ms.", "his", "her", "majesty"))  # fmt: skip
_NOT_A_PERSON = re.compile(
    r"^(?:" + _MONTH + r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$", re.IGNORECASE
)  # a month or a weekday is no one's name
_BARE_YEAR = re.compile(r"^(?:1[0-9]|20)\d\d$")  # a year is a date, not a quantity
_CLOSING_QUALIFIER = re.compile(r"\s*\([^()]*\)\W*$")  # "(2024 est.)", "(since 14 May 2017)"
_LEADING_FILLER = frozenset((
    "the", "a", "an", "in", "on", "at", "of", "for", "and", "but", "however", "this", "that", "these",
    "those", "it", "its", "he", "she", "they", "there", "then", "when", "while", "although", "since",
    "after", "before", "during", "by", "from", "with", "as", "if",
))  # fmt: skip

# The short-answer phrase's cost (lowest wins): its distance in characters from the question's words in the
# sentence, TITLE_DISTANCE more for a title asked as a name or place, ASKED_WORD_COST for each word the question
# already gives, LENGTH_GAIN less a word (up to LENGTH_GAIN_WORDS); FIELD_VALUE_GAIN less for a field line's
# leading value, PLACE_GAIN less for a place right after a preposition ("in", "at", …) when asked where.
TITLE_DISTANCE = 30
ASKED_WORD_COST = 40
LENGTH_GAIN = 3
LENGTH_GAIN_WORDS = 4
FIELD_VALUE_GAIN = 100
PLACE_GAIN = 150
FIELD_VALUE_WORDS = 8  # a `**key:** value` line's value is a short answer when it has at most this many words


def _matches(pattern: re.Pattern[str], sentence: str) -> Iterable[tuple[int, int]]:
    for match in pattern.finditer(sentence):
        start, end = match.span()
        text = match.group().rstrip(" ,.;:")
        end = start + len(text)
        if end > start:
            yield start, end


def _names(sentence: str) -> Iterable[tuple[int, int]]:
    """Capitalised runs, without leading filler or titles ("President Emmanuel MACRON" → "Emmanuel MACRON")."""
    for start, end in _matches(_NAME, sentence):
        words = sentence[start:end].split()
        while words and (words[0].lower() in _LEADING_FILLER or words[0].lower() in _HONORIFICS):
            start += len(words[0])
            while start < end and sentence[start].isspace():
                start += 1
            words = words[1:]
        if words and not all(_NOT_A_PERSON.match(w) for w in words):
            yield start, end


def candidates(kind: str, sentence: str) -> list[tuple[int, int]]:
    if kind == "when":
        return list(_matches(_DATE, sentence))
    if kind == "how_many":
        return [
            span
            for span in _matches(_NUMBER, sentence)
            if any(c.isalnum() for c in sentence[span[0] : span[1]])
            and not _BARE_YEAR.match(sentence[span[0] : span[1]])
        ]
    if kind in ("who", "where"):
        return list(_names(sentence))
    return []


@lru_cache(maxsize=65_536)
def _spans(kind: str, sentence: str) -> tuple[bool, tuple[tuple[int, int], ...], tuple[int, int] | None]:
    """What of a sentence's short answers does not depend on the question's words: whether it is a field line,
    the candidate phrases of `kind` (a field line's in its value only), and the fallback (the line's value).
    Kept for the sentences read most recently: answering reads the same ones for many questions."""
    field = FIELD_LINE.match(sentence)
    value_start = field.end() if field else 0
    spans = tuple(span for span in candidates(kind, sentence) if span[0] >= value_start)
    fallback = field_value(sentence) if kind in _VALUE_KINDS else None
    if fallback and kind in ("who", "where") and not _NAME.search(sentence, fallback[0], fallback[1]):
        fallback = None  # a person or a place has a name: "**number of seats:** 225" answers no "where"
    return field is not None, spans, fallback


@lru_cache(maxsize=65_536)
def _anchor_words(sentence: str) -> tuple[tuple[int, str | None], ...]:
    """Each word of a sentence's offset and first token (`first_token`)."""
    return tuple((m.start(), first_token(m.group())) for m in _ANCHOR_WORD.finditer(sentence))


@lru_cache(maxsize=65_536)
def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(tokenize(phrase))


_ANCHOR_WORD = re.compile(r"[A-Za-z0-9]+")


def answer_phrase(kind: str, sentence: str, question_terms: Iterable[str]) -> tuple[int, int] | None:
    """Offsets (within `sentence`) of the best short answer of the question's type, or None. In a field line
    (`**label:** value`) only the value is a candidate: markup and labels are never a short answer."""
    field, spans, fallback = _spans(kind, sentence)
    if not spans:
        return fallback
    asked = set(question_terms)
    anchors = [start for start, token in _anchor_words(sentence) if token in asked]
    best: tuple[float, tuple[int, int]] | None = None
    for start, end in spans:
        phrase = sentence[start:end]
        tokens = _phrase_tokens(phrase)
        if tokens and all(t in asked for t in tokens):
            continue  # repeats the question
        if kind == "who" and start == 0 and len(phrase.split()) == 1:
            continue  # a lone capitalised first word is usually not a name
        distance = min((abs(a - start) for a in anchors), default=len(sentence))
        if kind in ("who", "where") and any(w.lower() in _TITLES for w in phrase.split()):
            distance += TITLE_DISTANCE  # "Foreign Minister Mexico" is a title, not a name
        overlap = sum(1 for t in tokens if t in asked)
        score = distance + ASKED_WORD_COST * overlap - LENGTH_GAIN * min(len(phrase.split()), LENGTH_GAIN_WORDS)
        if field and (start, end) == spans[0]:
            score -= FIELD_VALUE_GAIN  # a field line's value leads with its answer: "**name:** Rangoon (… Burmese …)"
        if kind == "where" and re.search(
            r"\b(in|at|from|near|to|into|across|outside|inside)\s+(the\s+)?$", sentence[:start]
        ):
            score -= PLACE_GAIN
        if best is None or score < best[0]:
            best = (score, (start, end))
    return best[1] if best else fallback


# kinds whose short answer, in a `**label:** value` line with no phrase of the kind, is the value itself
_VALUE_KINDS = frozenset(("what", "other", "who", "where", "how"))


def field_value(sentence: str, max_words: int = FIELD_VALUE_WORDS) -> tuple[int, int] | None:
    """For a `**key:** value` line with a short value, the value's offsets, less a closing qualifier such as
    "(2024 est.)"; else None."""
    if FIELD_LINE.match(sentence) is None:
        return None
    return line_value(sentence, max_words)


def line_value(line: str, max_words: int) -> tuple[int, int] | None:
    """A profile line's value: what follows its `**label:**`, or the whole line when it has none ("copper ore,
    gold, refined copper (2023)"), less a closing qualifier; None when that is empty or longer than `max_words`."""
    match = FIELD_LINE.match(line)
    start = match.end() if match else len(line) - len(line.lstrip())
    value = line[start:].rstrip()
    qualifier = _CLOSING_QUALIFIER.search(value)
    if qualifier is not None and qualifier.start() > 0:
        value = value[: qualifier.start()]
    value = value.rstrip(" -:;,")
    if not value or len(value.split()) > max_words:
        return None
    return start, start + len(value)
