"""Read a question: clean it, tell its type, and resolve a follow-up against earlier questions.

Pure. A follow-up ("What about agriculture?", "And what does Mexico sell in return?", "What did
they discuss?") is searched together with the earlier question it continues; the current
question's words weigh more than the earlier ones. This module does not search or answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from qa.answering.opposites import asked_opposites
from qa.errors import QuestionError
from qa.text.tokens import is_negated, tokenize, words

# the kind of answer a question's own grammar asks for: its question word and what follows it (no subject's
# words: "What is the population of Peru?" asks for a quantity by the fitted answer-form model, `forms`)
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("how_many", re.compile(r"\bhow (many|much|large|big|long|far|old|high|tall)\b|\bwhat (number|percentage|proportion|amount)\b", re.I)),
    ("when", re.compile(r"\bwhen\b|\bwhat (year|date|month|day|century|decade|time)\b|\bwhich (year|date|month|day|century|decade)\b|\bhow long ago\b", re.I)),
    ("who", re.compile(r"\bwho(m|se)?\b|\bwhich (person|people|minister|president|leader|official|company|organi[sz]ation|country|group)\b", re.I)),
    ("where", re.compile(r"\bwhere\b|\bwhich (city|place|region|location|state|province)\b|\bwhat (city|place|region|location|state|province)\b|\bin which (city|country|region|place)\b", re.I)),
    ("why", re.compile(r"\bwhy\b|\bwhat (is|was|are|were) the (reason|cause|purpose)\b|\bfor what reason\b", re.I)),
    ("list", re.compile(r"\b(list|name|what are|which are|what kinds?|what types?)\b", re.I)),
    ("definition", re.compile(r"^\s*(what|who) (is|are|was|were) (a|an|the)?\s*[\w-]+( [\w-]+)?\s*\??\s*$|\bdefine\b|\bmeaning of\b", re.I)),
    ("yes_no", re.compile(r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", re.I)),
    ("how", re.compile(r"^\s*how\b", re.I)),
)  # fmt: skip
# the kinds a fitted answer form stands in for, and which kinds it may replace (a "what" or "other" question)
_FORM_KINDS = {"quantity": "how_many", "list": "list"}
OPEN_KINDS = ("what", "other", "definition", "how")
_WH_WORDS = frozenset(["what", "which", "who", "whom", "whose", "when", "where", "why", "how"])
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[,.]\d+)*(?!\w)")
_ORDINAL_OR_DECADE = re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th|s)\b", re.I)  # "19th", "1990s"

# a follow-up's search terms: the earlier question's words weigh this much (the new question's 1 each)
EARLIER_QUESTION_WEIGHT = 0.5


_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"], start=2
    )
} | {
    word: str(10 * tens)
    for tens, word in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2)
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def numbers_in(text: str, spelled: bool = True) -> set[str]:
    """The numbers written in `text`, without thousands separators ("1,000" and "1000" are one number),
    ordinals and decades as written ("19th", "1990s"), and, if `spelled`, the small numbers spelled out
    ("four" is 4; not "one", a pronoun as often as a number)."""
    out = {_NUMBER_WORDS[m.group().lower()] for m in _NUMBER_WORD.finditer(text)} if spelled else set()
    out |= {m.group().lower() for m in _ORDINAL_OR_DECADE.finditer(text)}
    for match in _NUMBER.finditer(text):
        number = match.group()
        out.add(number.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", number) else number)
    return out


_MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|<[/!a-z][^>]*>|```.*?(?:```|$)|`[^`]*`", re.IGNORECASE | re.DOTALL
)


def outside_markup(text: str) -> str:
    """The question less what it holds as markup or code (tags, a script or style with its content, code
    spans): "<script>alert(2)</script>" mentions no number 2."""
    return _MARKUP.sub(" ", text)


@dataclass(frozen=True)
class Question:
    text: str
    kind: str
    terms: dict[str, float]  # token -> weight, for BM25 and sentence overlap
    own_terms: tuple[str, ...]
    search_text: str  # what the dense encoder embeds
    names: tuple[str, ...] = ()  # tokens of proper names in the question ("Belgium", "Lavrov")
    followup: bool = False
    negated: bool = False  # "Who could not recover…?": a quote that negates nothing rarely answers it
    numbers: tuple[str, ...] = ()  # "…in 1705?": a quote without them is about something else
    written_names: tuple[str, ...] = ()  # the names as typed ("Lavorv"), to tell which no briefing holds
    content_words: tuple[str, ...] = ()  # its own words as typed, less stop and question words ("bought", "Lavrov")
    opposites: tuple[
        tuple[str, tuple[str, ...]], ...
    ] = ()  # "after" → ("before",): `qa.answering.opposites.asked_opposites`
    # a follow-up naming one thing in place of the one the earlier question named ("And Egypt?" after "What is the
    # population of Cuba?"): that question asked of it, read in full as if typed ("What is the population of
    # Egypt?", `named_instead`); every field above but `text` and `followup` is read from it. Empty: not so.
    restated: str = ""


def clean_question(raw: object, max_chars: int = 1000) -> str:
    """NFKC-normalise, drop control and format characters, and refuse what is not a question."""
    if not isinstance(raw, str):
        raise QuestionError("The question must be text.")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QuestionError("The question contains characters that are not valid text (a lone surrogate).") from exc
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("Please type a question, for example: What does Mexico supply to Russia?")
    if len(text) > max_chars:
        raise QuestionError(
            f"The question is too long ({len(text)} characters; the limit is {max_chars}). Please shorten it."
        )
    return text


_WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)


def question_kind(text: str, forms: AbstractSet[str] = frozenset()) -> str:
    """The kind of answer asked for, read from the question's own question word: the first one. A kind's cue
    counts before that word ("Name the…", "In which city…") or at it, never after it: in "What is it called
    when…?" or "Who can enforce the law when…?" the later "when" joins two clauses and asks for no date.
    A question whose grammar leaves the kind open ("What is the population of Peru?", "What does Mongolia
    export?") takes the answer form the fitted model reads (`forms`: `qa.answering.readings.FormReader`), a
    quantity before a list."""
    text = re.sub(r"^\s*(and|but|so|also|then)\b[\s,]*", "", text, flags=re.I)
    first = _WH_WORD.search(text)
    kind = None
    for name, pattern in _KINDS:
        if any(first is None or match.start() <= first.start() for match in pattern.finditer(text)):
            kind = name
            break
    if kind is None:
        kind = "what" if first is not None and first.group().lower() in ("what", "which") else "other"
    if kind in OPEN_KINDS:
        for form, form_kind in _FORM_KINDS.items():
            if form in forms:
                return form_kind
    return kind


_NAME_WORD = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-ZÀ-ÖØ-Þ][\w'’-]*|\b[A-Z]{2,}\b")  # "Émile", "Øresund" too


def name_words(text: str) -> tuple[str, ...]:
    """Capitalised words that are not the question's first word, as typed, without a possessive."""
    found: list[str] = []
    for match in _NAME_WORD.finditer(text.strip()):
        word = re.sub(r"['’]s$", "", match.group()).strip("'’-")
        if word and word.lower() not in _WH_WORDS and word not in found:
            found.append(word)
    return tuple(found)


def proper_names(text: str) -> tuple[str, ...]:
    """Tokens of capitalised words that are not the question's first word (names, places, acronyms)."""
    tokens = (token for word in name_words(text) for token in tokenize(word) if token not in _WH_WORDS)
    return tuple(dict.fromkeys(tokens))


def field_query(question: Question) -> str:
    """The question less its names, as typed: what a field path is compared with ("What is the median age of
    women in Peru?" asks for `Median age: female` whatever the country; the name only blurs the match)."""
    text = question.restated or question.text
    for name in sorted(question.written_names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}(['’]s)?\b", " ", text)
    text = re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text if tokenize(text) else (question.restated or question.text)


def named_instead(previous: str, text: str) -> str:
    """The earlier question a follow-up continues, asked of what the follow-up names instead: where each names
    one thing and they differ, the earlier question with its name replaced ("What is the population of Cuba?"
    and "And Egypt?" → "What is the population of Egypt?"); else the earlier question as it is. A follow-up naming
    another place asks the same of it: the earlier name would pull the search and the features to the old one."""
    before, now = name_words(previous), name_words(text)
    if len(before) != 1 or len(now) != 1 or before[0].casefold() == now[0].casefold():
        return previous
    return re.sub(rf"(?<!\w){re.escape(before[0])}(?!\w)", lambda _: now[0], previous, count=1)


def analyse(
    text: str, history: Sequence[str] = (), followup: bool = False, forms: AbstractSet[str] = frozenset()
) -> Question:
    """Type, weighted search terms and search text; a follow-up (as the reading model reads it:
    `qa.answering.readings`) borrows the last question's terms; `forms`: the answer forms the fitted model reads
    in the question (`question_kind`)."""
    earlier = [h.strip() for h in history if isinstance(h, str) and h.strip()]
    followup = followup and bool(earlier)
    restated = named_instead(earlier[-1], text) if followup else text
    if restated != text and restated != earlier[-1]:  # the earlier question, asked of what this one names instead
        return replace(analyse(restated), text=text, followup=True, restated=restated)
    own = [t for t in tokenize(text) if t not in _WH_WORDS]
    terms: dict[str, float] = {}
    for token in own:
        terms[token] = terms.get(token, 0.0) + 1.0
    search_text = text
    kind = question_kind(text, forms)
    if followup:
        previous = earlier[-1]
        for token in tokenize(previous):
            if token not in _WH_WORDS and token not in terms:
                terms[token] = EARLIER_QUESTION_WEIGHT
        search_text = f"{previous} {text}"
        if kind in ("what", "other") and re.match(r"^\s*(and )?(what|how) about\b", text, re.I):
            kind = question_kind(previous)
    return Question(
        text=text,
        kind=kind,
        terms=terms,
        own_terms=tuple(own),
        search_text=search_text,
        names=proper_names(text),
        followup=followup,
        negated=is_negated(text),
        # in digits only: "Which two countries…?" asks for two names, not for the word "two"; none inside markup
        numbers=tuple(sorted(numbers_in(outside_markup(text), spelled=False))),
        written_names=name_words(text),
        content_words=tuple(w for w in words(text) if w.lower() not in _WH_WORDS and tokenize(w)),
        opposites=asked_opposites(text),
    )
