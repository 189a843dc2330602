"""Compose a cited answer from retrieved passages, by extractive templates only.

Pure: given the question, the fused passage hits, the query vector and the candidate sentences'
vectors, it reads every sentence of the top `rerank_depth` passages, re-ranks those passages by
what their sentences say (a softmax over a linear score of `PASSAGE_FEATURES`), scores the sentences of the
best `top_passages` again with the re-ranked passage as a prior, picks the evidence, finds a short
answer phrase where the question type allows, and fills a template. Every quote is cut from the
document text by its offsets, so `doc.text[start:end] == quote` holds by construction; every [n]
in the text names a citation in the list. When the evidence is weak it abstains and lists the
nearest passages with their scores; either way it says what the confidence checks found (a number
the question names that the quote lacks, a negated question against a quote that negates nothing).
It does not search, embed, or load anything.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import numpy as np

from qa.lexical import negation_pattern, tokenize
from qa.opposites import stated_opposite
from qa.phrases import answer_phrase
from qa.questions import Question, numbers_in
from qa.records import Answer, Citation, Document, Hit, Passage, Sentence
from qa.structure import line_label


class CorpusView(Protocol):
    documents: list[Document]
    passages: list[Passage]
    sentences: list[Sentence]


SELECTION_FEATURES = (
    "cosine", "overlap", "passage", "answer_type", "heading", "passage_dense", "names", "passage_lexical",
    "context_overlap", "word_match",
)  # fmt: skip
PASSAGE_FEATURES = (
    "fused", "inverse_rank", "dense", "lexical", "best_cosine", "best_overlap", "best_paragraph_overlap",
    "names", "answer_type", "sentences", "document_share", "document_mass", "second_overlap", "word_match",
)  # fmt: skip
# Answers below this confidence abstain: fitted on the SQuAD tune split (`benchmarks/tune.py`); `QA_ABSTAIN_BELOW`
ABSTAIN_BELOW = 0.206

CONFIDENCE_FEATURES = (
    "score",
    "margin",
    "cosine",
    "overlap",
    "paragraph_overlap",
    "names",
    "passage_dense",
    "answer_type",
    "missing_term",
    "passage_share",
    "negation_mismatch",
    "number_mismatch",
    "opposite_mismatch",
)


@dataclass(frozen=True)
class Weights:
    """A passage re-ranker, a linear sentence scorer and a logistic confidence over the features named above.

    The defaults were fitted on the SQuAD 2.0 tune split (`benchmarks/tune.py`); never on held-out.
    """

    cosine: float = 2.8505
    overlap: float = 1.3972
    passage: float = 2.1985
    answer_type: float = 1.2725
    # SQuAD has no headings to fit it on: set on our own Factbook questions, like `missing_name_penalty` and the
    # three field weights below (`benchmarks/quality.py` lists the questions, with each weight's ablation)
    heading: float = 2.5
    passage_dense: float = 1.1062
    names: float = 0.5916
    passage_lexical: float = 0.2377
    context_overlap: float = 2.9763
    word_match: float = 3.4026
    confidence_coefficients: tuple[float, ...] = (
        0.3699,
        0.111,
        1.1181,
        -0.1807,
        -1.2737,
        0.2993,
        1.2189,
        -0.4132,
        0.3547,
        0.6109,
        -1.968,
        -1.2462,
        -1.4187,
    )
    confidence_bias: float = -5.929
    missing_name_penalty: float = 2.5  # a name the question asks about is absent: set on our Factbook questions
    # Re-ranker bonus for a passage holding a field whose heading names what is asked ("Population",
    # not "Major urban areas - population"); SQuAD has no headings: set on our Factbook questions.
    heading_passage: float = 2.0
    # Confidence penalty when the first quote, in a document with headings, shares no word with the
    # question but its names — neither in its text nor in its own heading ("capital of Denmark" →
    # Germany's location line "…south of Denmark"): set on our Factbook questions.
    field_mismatch_penalty: float = 2.5
    # Confidence penalty when the first quote, in a document with headings whose title names none of the
    # question's names, holds them only as entries of a breakdown by shares: another subject's partner list
    # ("What does Austria export?" → North Korea's export partners "China 74%, …, Austria 3%"): set on our
    # Factbook questions.
    partner_penalty: float = 2.5
    # Sentence bonus for the first line under a heading in a document with headings: a field's value
    # ("**total:** 55,751,717" before "**male:** …"; "copper ore, …" before "note: …"): set on our Factbook questions.
    field_first: float = 2.0  # was 1.0; 2.0 after the word-match refit (21/22 of the questions it was set on, was 20)
    # In documents with headings, where some candidate document's title names the place asked about: a
    # penalty for the sentences (and passages) of the others, which only mention it ("main exports of
    # Chile" → Brazil's export partners "…, Chile 2%"): set on our Factbook questions.
    off_subject_penalty: float = 2.0
    # Sentence bonus, in documents with headings, for a list of three or more items answering a "What
    # are…?" question ("copper ore, gold, refined copper" over the exports' dollar value): set on our Factbook questions.
    list_field: float = 2.5  # 1.5 left the value line first in 6 of 16 trade questions
    # Sentence bonus, in documents with headings, for a line whose own label the question asks for, times
    # the share of the label's words asked ("male life expectancy" → "**male:** 81.8 years" over the
    # field's first line "**total population:** …"): set on our Factbook questions.
    label_match: float = 2.5
    # Confidence bonus, times the same share, for a first quote whose own label the question asks for: the
    # line the question names ("chief of state" for "Who is the president of Kenya?") is evidence the
    # confidence, fitted on SQuAD where no line has a label, cannot see: set on our Factbook questions.
    label_confidence: float = 1.0
    # The passage re-ranker: a softmax over the candidates of a linear score of PASSAGE_FEATURES.
    # Empty: keep the fused order (the ablation).
    rerank_coefficients: tuple[float, ...] = (
        -2.3281,
        0.3833,
        7.297,
        0.0196,
        12.0354,
        5.7064,
        2.0287,
        1.1444,
        0.3237,
        -0.0466,
        -0.4535,
        -0.4813,
        -0.8827,
        7.7268,
    )

    def selection(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in SELECTION_FEATURES)

    @property
    def reads_words(self) -> bool:
        """Whether the word match counts anywhere: in the sentence score or in the re-ranker."""
        passage = dict(zip(PASSAGE_FEATURES, self.rerank_coefficients, strict=False)).get("word_match", 0.0)
        return bool(self.word_match or passage)

    def without_word_match(self) -> Weights:
        """These weights with the word match out of the sentence score and the re-ranker (its ablation)."""
        coefficients = tuple(
            0.0 if name == "word_match" else c
            for name, c in zip(PASSAGE_FEATURES, self.rerank_coefficients, strict=False)
        )
        return replace(self, word_match=0.0, rerank_coefficients=coefficients)


@dataclass(frozen=True)
class Scored:
    sid: int
    score: float
    cosine: float
    overlap: float
    passage_score: float
    phrase: tuple[int, int] | None
    hit: Hit
    names_found: float = 1.0  # share of the question's proper names present around the sentence
    heading: float = 0.0
    passage_lexical: float = 0.0
    paragraph_overlap: float = 0.0
    missing_term: float = 0.0  # the rarest question word absent from the paragraph, as a share of the rarest possible
    context_overlap: float = 0.0  # as `overlap`, with the sentence before it when it refers back ("It", "They", …)
    field_mismatch: bool = False  # in a document with headings: nothing asked but the names is in it or its heading
    field_first: bool = False  # the first sentence under its heading, in a document with headings
    off_subject: bool = False  # with headings: another candidate's title names the asked place, this one's does not
    list_field: bool = False  # with headings: a list of 3+ short items, and a list question ("What are…?")
    label: float = 0.0  # with headings: the share of the words of the line's own label ("**male:**") asked for
    # with headings: the question's names that the line holds only as entries of a breakdown by shares, in a
    # document whose title names none of them ("Austria 3%" in North Korea's export partners)
    partner_only: tuple[str, ...] = ()
    bonus: float = 0.0  # what the hand-set heading, first-line, list and label weights add to `score`: they pick the
    # line within a document with headings; the confidence, fitted where there are none, leaves them out
    negation_mismatch: bool = False  # the question is negated ("Who could not…?"), the sentence negates nothing
    missing_numbers: tuple[str, ...] = ()  # the question's numbers in neither the sentence, its headings nor title
    word_match: float = 0.0  # how near each question word comes to one of the sentence's, on average (`word_match`)
    word_bests: tuple[float, ...] = ()  # each question word's best cosine to one of the sentence's pieces
    opposite: tuple[str, str] | None = None  # the question asks "after", the sentence says "before" (`qa.opposites`)

    @property
    def number_mismatch(self) -> bool:
        return bool(self.missing_numbers)

    def selection_features(self) -> tuple[float, ...]:
        return (
            self.cosine, self.overlap, self.passage_score, 1.0 if self.phrase else 0.0, self.heading,
            self.hit.dense, self.names_found, self.passage_lexical, self.context_overlap, self.word_match,
        )  # fmt: skip


def sentence_text(view: CorpusView, sentence: Sentence) -> str:
    return view.documents[sentence.doc].text[sentence.start : sentence.end]


def candidate_sentences(view: CorpusView, hits: Sequence[Hit], top: int) -> list[tuple[int, Hit]]:
    out: list[tuple[int, Hit]] = []
    for hit in hits[:top]:
        passage = view.passages[hit.pid]
        out.extend((sid, hit) for sid in range(passage.first_sentence, passage.last_sentence + 1))
    return out


def sentence_terms(question: Question) -> dict[str, float]:
    """Terms a sentence should contain: a follow-up's own words count, the earlier question's barely."""
    if not question.followup or not question.own_terms:
        return question.terms
    own = set(question.own_terms)
    return {t: (w if t in own else 0.15) for t, w in question.terms.items()}


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


def name_present(name: str, tokens: set[str]) -> bool:
    """Whether `name` (a stem) is among `tokens` (stems): exactly, or in a word that differs from it only in
    such endings after a shared start of 5+ letters (or all of a 4-letter name), or shares 6+ letters and then
    ends within a few letters of it. "Russian" holds Russia; "bolivars" does not hold Bolivia, nor "Australia"
    Austria, nor "Nigeria" Niger."""
    if name in tokens:
        return True
    need = min(len(name), 5)
    if need < 4:
        return False
    start = name[:need]
    for token in tokens:
        if not token.startswith(start):
            continue
        shared = _shared_start(name, token)
        name_rest, token_rest = name[shared:], token[shared:]
        if name_rest in _NAME_ENDINGS and token_rest in _NAME_ENDINGS:
            return True
        if shared >= 6 and len(name_rest) <= 2 and len(token_rest) <= 3:  # long stems: Normandy ~ Normans
            return True
    return False


def named_in(written_names: Sequence[str], tokens: set[str]) -> tuple[str, ...]:
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


# broader than a question's negation (`qa.lexical.is_negated`): "refused" or "failed" answers "did not"
_NEGATES = negation_pattern("nothing", "nobody", "unable", "lacks?", "lacked", "fail(?:s|ed)?", "refused?", "rejected")


def negates(sentence: str) -> bool:
    """Whether a sentence says something is not so ("could not", "never", "refused", "without")."""
    return _NEGATES.search(sentence) is not None


_PERCENT = frozenset(tokenize("percent percentage"))  # "%" in a line says it
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
    if len(items) < 3 or _all_shares(items):
        return False
    return statistics.median(len(item) for item in items) <= 4  # the middle item holds a few words


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


def sentence_features(
    view: CorpusView,
    question: Question,
    hits: Sequence[Hit],
    query_vector: np.ndarray,
    sentence_vectors: Mapping[int, np.ndarray],
    idf: Callable[[str], float],
    depth: int,
    word_matches: Mapping[int, Sequence[float]] | None = None,
) -> list[Scored]:
    """The features of every sentence of the top `depth` passages, in passage order, unscored
    (`passage_score` is set by `rank_sentences`, once the passages are re-ranked). `word_matches`:
    each sentence's `word_bests` (its `word_match` is 0 where missing)."""
    word_matches = word_matches or {}
    if not hits:
        return []
    best_lexical = max((h.lexical for h in hits[:depth]), default=0.0) or 1.0
    terms = sentence_terms(question)
    names = set(question.names)
    asked = [t for t, w in terms.items() if w >= 1.0 and not any(name_present(name, {t}) for name in names)]
    out: list[Scored] = []
    # words of titles, headings, sentences and paragraphs, each tokenised once per question
    titles: dict[int, set[str]] = {}
    sections: dict[tuple[str, ...], set[str]] = {}
    words: dict[int, set[str]] = {}
    context: dict[tuple[int, int], set[str]] = {}  # title and paragraph words

    def title_tokens(doc: int) -> set[str]:
        if doc not in titles:
            titles[doc] = set(tokenize(view.documents[doc].title))
        return titles[doc]

    def section_tokens(section: tuple[str, ...]) -> set[str]:
        if section not in sections:
            sections[section] = {w for title in section for w in tokenize(title)}
        return sections[section]

    def own_tokens(sid: int) -> set[str]:
        if sid not in words:
            words[sid] = set(tokenize(sentence_text(view, view.sentences[sid])))
        return words[sid]

    def context_tokens(sentence: Sentence) -> set[str]:
        key = (sentence.doc, sentence.para_start)
        if key not in context:
            document = view.documents[sentence.doc]
            paragraph = set(tokenize(document.text[sentence.para_start : sentence.para_end]))
            context[key] = title_tokens(sentence.doc) | paragraph
        return context[key]

    candidates = candidate_sentences(view, hits, depth)
    subjects = {  # documents with headings whose title names a place the question asks about
        doc
        for doc in {view.sentences[sid].doc for sid, _ in candidates}
        if view.documents[doc].structured and any(name_present(name, title_tokens(doc)) for name in names)
    }
    for sid, hit in candidates:
        sentence = view.sentences[sid]
        text = sentence_text(view, sentence)
        before = view.sentences[sid - 1] if sid > 0 else None
        carried = (
            own_tokens(sid - 1)
            if before is not None
            and (before.doc, before.para_start) == (sentence.doc, sentence.para_start)
            and refers_back(text)
            else set()
        )
        structured = view.documents[sentence.doc].structured and bool(sentence.section)
        field = section_tokens(tuple(sentence.section[-1:]))  # its own heading: a field's name
        numbers = (
            numbers_in(" ".join((text, *sentence.section, view.documents[sentence.doc].title)))
            if question.numbers
            else set()
        )
        tokens = own_tokens(sid) | title_tokens(sentence.doc) | section_tokens(tuple(sentence.section))
        around = tokens | context_tokens(sentence)
        names_found = sum(1 for name in names if name_present(name, around)) / len(names) if names else 1.0
        out.append(
            Scored(
                sid=sid,
                score=0.0,
                cosine=float(np.dot(query_vector, sentence_vectors[sid])) if sid in sentence_vectors else hit.dense,
                overlap=term_overlap(terms, tokens, idf),
                passage_score=0.0,
                phrase=answer_phrase(question.kind, text, question.terms),
                hit=hit,
                names_found=names_found,
                heading=heading_match(terms, sentence.section[-1] if sentence.section else ""),
                passage_lexical=hit.lexical / best_lexical,
                paragraph_overlap=term_overlap(terms, around, idf),
                missing_term=missing_term(terms, around, idf),
                context_overlap=term_overlap(terms, tokens | carried, idf),
                field_mismatch=structured
                and bool(asked)
                and not any(t in own_tokens(sid) or t in field or (t in _PERCENT and "%" in text) for t in asked),
                field_first=structured
                and (before is None or before.doc != sentence.doc or before.section != sentence.section),
                off_subject=structured and bool(subjects) and sentence.doc not in subjects,
                list_field=structured and question.kind == "list" and is_list(text),
                label=label_match(asked, line_label(text), field) if structured else 0.0,
                partner_only=named_in(question.written_names, own_tokens(sid))
                if structured and sentence.doc not in subjects and is_breakdown(text)
                else (),
                negation_mismatch=question.negated and not negates(text),
                missing_numbers=tuple(n for n in question.numbers if n not in numbers),
                word_match=mean_best([word_matches.get(sid, ())]),
                word_bests=tuple(word_matches.get(sid, ())),
                opposite=stated_opposite(question.opposites, text),
            )
        )
    return out


def passage_features(view: CorpusView, hits: Sequence[Hit], features: Sequence[Scored]) -> list[tuple[float, ...]]:
    """PASSAGE_FEATURES of each hit: its retrieval scores, its best sentences, its document's support."""
    if not hits:
        return []
    by_pid: dict[int, list[Scored]] = {}
    for item in features:
        by_pid.setdefault(item.hit.pid, []).append(item)
    best_fused = hits[0].score or 1.0
    best_lexical = max(h.lexical for h in hits) or 1.0
    doc_count: dict[int, int] = {}
    doc_mass: dict[int, float] = {}
    for hit in hits:
        doc = view.passages[hit.pid].doc
        doc_count[doc] = doc_count.get(doc, 0) + 1
        doc_mass[doc] = doc_mass.get(doc, 0.0) + hit.score / best_fused
    total_mass = sum(doc_mass.values()) or 1.0
    rows: list[tuple[float, ...]] = []
    for i, hit in enumerate(hits):
        items = by_pid.get(hit.pid, [])
        overlaps = sorted((s.overlap for s in items), reverse=True) or [0.0]
        doc = view.passages[hit.pid].doc
        rows.append(
            (
                hit.score / best_fused,
                1.0 / (i + 1),
                hit.dense,
                hit.lexical / best_lexical,
                max((s.cosine for s in items), default=0.0),
                overlaps[0],
                max((s.paragraph_overlap for s in items), default=0.0),
                max((s.names_found for s in items), default=0.0),
                1.0 if any(s.phrase for s in items) else 0.0,
                float(len(items)),
                doc_count[doc] / len(hits),
                doc_mass[doc] / total_mass,
                overlaps[1] if len(overlaps) > 1 else 0.0,
                mean_best([s.word_bests for s in items]),
            )
        )
    return rows


def rerank(view: CorpusView, hits: Sequence[Hit], features: Sequence[Scored], weights: Weights) -> list[Hit]:
    """The hits re-ordered by the re-ranker; each one's new score is the share of the probability
    that it is the passage holding the answer (a softmax over the candidates)."""
    if not weights.rerank_coefficients or not hits:
        return list(hits)
    heading: dict[int, float] = {}
    off_subject: set[int] = set()
    for item in features:
        heading[item.hit.pid] = max(heading.get(item.hit.pid, 0.0), item.heading)
        if item.off_subject:
            off_subject.add(item.hit.pid)
    logits = [
        sum(c * f for c, f in zip(weights.rerank_coefficients, row, strict=True))
        + weights.heading_passage * heading.get(hit.pid, 0.0)
        - weights.off_subject_penalty * (hit.pid in off_subject)
        for hit, row in zip(hits, passage_features(view, hits, features), strict=True)
    ]
    top = max(logits)
    weights_exp = [math.exp(z - top) for z in logits]
    total = sum(weights_exp)
    scores = [w / total for w in weights_exp]
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
    return [hits[i].model_copy(update={"score": scores[i], "rank": rank}) for rank, i in enumerate(order)]


def rank_sentences(features: Sequence[Scored], hits: Sequence[Hit], top: int, weights: Weights) -> list[Scored]:
    """Score the sentences of the best `top` (re-ranked) hits, with the passage's score as a prior; best first."""
    chosen = {h.pid: h for h in hits[:top]}
    if not chosen:
        return []
    best = hits[0].score or 1.0
    coefficients = weights.selection()
    scored = []
    for item in features:
        hit = chosen.get(item.hit.pid)
        if hit is None:
            continue
        item = replace(item, hit=hit, passage_score=hit.score / best)
        score = sum(c * f for c, f in zip(coefficients, item.selection_features(), strict=True))
        added = (
            weights.field_first * item.field_first
            + weights.list_field * item.list_field
            + weights.label_match * item.label
        )
        score += added - weights.off_subject_penalty * item.off_subject
        scored.append(replace(item, score=score, bonus=added + weights.heading * item.heading))
    scored.sort(key=lambda s: (-s.score, s.sid))
    return scored


def rank_passages(
    view: CorpusView,
    question: Question,
    hits: Sequence[Hit],
    query_vector: np.ndarray,
    sentence_vectors: Mapping[int, np.ndarray],
    idf: Callable[[str], float],
    depth: int,
    weights: Weights,
    word_matches: Mapping[int, Sequence[float]] | None = None,
) -> tuple[list[Scored], list[Hit]]:
    """The features of the sentences of the top `depth` hits, and those hits re-ranked."""
    features = sentence_features(view, question, hits, query_vector, sentence_vectors, idf, depth, word_matches)
    return features, rerank(view, hits[:depth], features, weights)


def confidence_features(scored: Sequence[Scored]) -> tuple[float, ...]:
    """CONFIDENCE_FEATURES of the best sentence (its passage's score is the re-ranker's share)."""
    best = scored[0]
    score = best.score - best.bonus
    margin = score - (scored[1].score - scored[1].bonus) if len(scored) > 1 else score
    return (
        score, margin, best.cosine, best.overlap, best.paragraph_overlap, best.names_found, best.hit.dense,
        1.0 if best.phrase else 0.0, best.missing_term, best.hit.score, float(best.negation_mismatch),
        float(best.number_mismatch), float(best.opposite is not None),
    )  # fmt: skip


def confidence(scored: Sequence[Scored], weights: Weights) -> float:
    """A logistic model of "the first quote answers the question", in 0..1."""
    z = weights.confidence_bias + sum(
        c * f for c, f in zip(weights.confidence_coefficients, confidence_features(scored), strict=True)
    )
    z -= weights.missing_name_penalty * (1.0 - scored[0].names_found)
    z -= weights.field_mismatch_penalty * scored[0].field_mismatch
    z -= weights.partner_penalty * bool(scored[0].partner_only)
    z += weights.label_confidence * scored[0].label
    z = max(-30.0, min(30.0, z))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def sentence_confidence(scored: Sequence[Scored], index: int, weights: Weights) -> float:
    """The confidence as if sentence `index` were the answer: what a citation's score shows (0..1)."""
    others = [s for i, s in enumerate(scored) if i != index]
    return confidence([scored[index], *others[:1]], weights)


def _neighbour(view: CorpusView, sid: int, step: int) -> str:
    other = sid + step
    if 0 <= other < len(view.sentences) and view.sentences[other].doc == view.sentences[sid].doc:
        return sentence_text(view, view.sentences[other])
    return ""


def make_citation(view: CorpusView, n: int, sid: int, score: float) -> Citation:
    sentence = view.sentences[sid]
    document = view.documents[sentence.doc]
    quote = document.text[sentence.start : sentence.end]
    page = bisect.bisect_right(document.pages, sentence.start) if document.pages else None
    return Citation(
        n=n,
        doc_id=document.doc_id,
        title=document.title,
        date=document.date,
        source=document.source,
        section=" > ".join(sentence.section),
        quote=quote,
        start=sentence.start,
        end=sentence.end,
        score=round(float(score), 4),
        sha256=document.sha256,
        page=page,
        context_before=_neighbour(view, sid, -1),
        context_after=_neighbour(view, sid, +1),
        paragraph_start=sentence.para_start,
        paragraph_end=sentence.para_end,
    )


def pick_evidence(
    view: CorpusView,
    scored: Sequence[Scored],
    max_quotes: int,
    weights: Weights,
    abstain_below: float,
) -> list[Scored]:
    """The best sentence, then up to `max_quotes - 1` supporting ones.

    A support must be a confident answer in its own right (its confidence at least the abstention
    threshold and half the main one), except the sentences just before and after the main one in
    its paragraph: they carry its context and need only rank among the best `max_quotes` candidates.
    """
    if not scored:
        return []
    main = scored[0]
    anchor = view.sentences[main.sid]
    bar = max(abstain_below, 0.5 * confidence(scored, weights))
    chosen = [main]
    for i, item in enumerate(scored[1:], start=1):
        if len(chosen) >= max_quotes:
            break
        s = view.sentences[item.sid]
        adjacent = abs(item.sid - main.sid) == 1 and (s.doc, s.para_start) == (anchor.doc, anchor.para_start)
        if (adjacent and i < max_quotes) or sentence_confidence(scored, i, weights) >= bar:
            chosen.append(item)
    return chosen


def mismatch_notes(item: Scored, quote: str = "the quote") -> list[str]:
    """What the confidence checks found wrong with a quote, in words an analyst can check."""
    notes = []
    if item.missing_numbers:
        notes.append(f"the question mentions {', '.join(item.missing_numbers)}; {quote} does not")
    if item.negation_mismatch:
        notes.append(f"the question asks about what is not so; {quote} negates nothing")
    if item.opposite:
        asked, stated = item.opposite
        notes.append(f"the question says “{asked}”; {quote} says “{stated}”")
    if item.partner_only:
        notes.append(
            f"{quote} names {', '.join(item.partner_only)} only as a partner, in a briefing on another subject"
        )
    return notes


def _date_note(citation: Citation) -> str:
    return f", {citation.date}" if citation.date else ""


_INTROS = {
    "why": "The reason the briefings give",
    "list": "The briefings list",
    "yes_no": "What the briefings say",
    "definition": "How the briefings describe it",
}


def compose(
    question: Question,
    evidence: Sequence[Scored],
    citations: Sequence[Citation],
    conf: float,
    checks: Sequence[str] = (),
) -> tuple[str, str | None]:
    """The Markdown answer text and the short answer phrase (if any)."""
    main = citations[0]
    phrase: str | None = None
    first = evidence[0]
    if first.phrase is not None:
        phrase = main.quote[first.phrase[0] : first.phrase[1]]
    source = f"*{main.title}*{_date_note(main)}"
    if phrase:
        lead = f"**{_inline(phrase)}** [1] — from {source}:"
    else:
        lead = f"{_INTROS.get(question.kind, 'The briefings say')} ({source}):"
    lines = [lead, "", f"> {_inline(main.quote)} [1]"]
    if len(citations) > 1:
        lines += ["", "Also relevant:"]
        lines += [f"- “{_inline(c.quote)}” [{c.n}]" for c in citations[1:]]
    if conf < 0.4:
        lines += ["", f"_Confidence is moderate ({conf:.2f}): check the quotes against their sources._"]
    lines += [f"\n_Check: {note}._" for note in checks]
    return "\n".join(lines), phrase


def _inline(quote: str) -> str:
    return " ".join(quote.split())


def abstain(
    question: Question, nearest: Sequence[Citation], conf: float, reason: str, checks: Sequence[str] = ()
) -> Answer:
    lines = [f"**Not in the briefings.** {reason}"]
    if nearest:
        lines += ["", "The closest passages, for reference (they do not answer the question):"]
        lines += [
            f"- *{c.title}*{_date_note(c)}"
            + (f", {c.section}" if c.section else "")
            + f" (score {c.score:.2f}): “{_inline(c.quote)}”"
            for c in nearest
        ]
    return Answer(
        question=question.text,
        text="\n".join(lines),
        abstained=True,
        confidence=conf,
        citations=[],
        nearest=list(nearest),
        question_type=question.kind,
        resolved_question=question.search_text,
        checks=list(checks),
    )


def answer(
    view: CorpusView,
    question: Question,
    hits: Sequence[Hit],
    query_vector: np.ndarray,
    sentence_vectors: Mapping[int, np.ndarray],
    idf: Callable[[str], float],
    *,
    top_passages: int = 5,
    rerank_depth: int = 20,
    max_quotes: int = 3,
    nearest_shown: int = 3,
    abstain_below: float = ABSTAIN_BELOW,
    weights: Weights | None = None,
    notes: Sequence[str] = (),
    word_matches: Mapping[int, Sequence[float]] | None = None,
) -> Answer:
    """`notes`: what the caller found about the question itself (names no briefing holds), shown with the checks."""
    weights = weights or Weights()
    depth = max(rerank_depth, top_passages)  # read the re-ranked passages, and at least those quoted from
    features, ranked = rank_passages(
        view, question, hits, query_vector, sentence_vectors, idf, depth, weights, word_matches
    )
    scored = rank_sentences(features, ranked, top_passages, weights)
    if not scored:
        reason = "No passage in the searched briefings matches this question"
        return abstain(question, [], 0.0, f"{reason} ({'; '.join(notes)})." if notes else f"{reason}.", notes)
    conf = confidence(scored, weights)
    if conf < abstain_below:
        nearest: list[Citation] = []
        seen_passages: set[int] = set()
        for i, item in enumerate(scored):
            if item.hit.pid not in seen_passages and len(nearest) < nearest_shown:
                seen_passages.add(item.hit.pid)
                score = sentence_confidence(scored, i, weights)
                nearest.append(make_citation(view, len(nearest) + 1, item.sid, score))
        checks = [*mismatch_notes(scored[0], "the closest quote"), *notes]
        reason = "I found no sentence that answers this question with enough support"
        return abstain(question, nearest, conf, f"{reason} ({'; '.join(checks)})." if checks else f"{reason}.", checks)
    evidence = pick_evidence(view, scored, max_quotes, weights, abstain_below)
    position = {item.sid: i for i, item in enumerate(scored)}
    citations = [
        make_citation(view, n, item.sid, sentence_confidence(scored, position[item.sid], weights))
        for n, item in enumerate(evidence, start=1)
    ]
    checks = [*mismatch_notes(evidence[0]), *notes]
    text, phrase = compose(question, evidence, citations, conf, checks)
    return Answer(
        question=question.text,
        text=text,
        short_answer=phrase,
        abstained=False,
        confidence=conf,
        citations=citations,
        question_type=question.kind,
        resolved_question=question.search_text,
        checks=checks,
    )
