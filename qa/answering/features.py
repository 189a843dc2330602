"""The features of each candidate sentence: every signal that says a sentence answers the question.

Pure: given the `Candidates` (the question, the fused passage hits, the query vector, the candidate
sentences' vectors and what was looked up for them), it reads every sentence of the top passages and
fills one `Scored` record per sentence with named signals (cosine, overlaps, names, headings, labels,
checks). It does not weigh them: `model` scores sentences and confidence, `rerank` re-orders passages.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from qa.answering.matching import (
    heading_match,
    is_breakdown,
    is_list,
    label_match,
    mean_best,
    missing_term,
    name_present,
    named_in,
    negates,
    refers_back,
    sentence_terms,
    term_overlap,
)
from qa.answering.opposites import stated_opposite
from qa.answering.phrases import answer_phrase
from qa.answering.phrases import candidates as phrase_candidates
from qa.answering.questions import Question, numbers_in
from qa.records import Document, DocumentInfo, Hit, Passage, Sentence
from qa.text.structure import field_path_of, line_label
from qa.text.tokens import tokenize


class CorpusView(Protocol):
    """What answering reads of an index generation: its documents, passages and sentences."""

    @property
    def documents(self) -> Sequence[Document]: ...
    @property
    def passages(self) -> Sequence[Passage]: ...
    @property
    def sentences(self) -> Sequence[Sentence]: ...


@dataclass(frozen=True)
class Scored:
    """One candidate sentence with every named signal about it; `score` is set by `model.rank_sentences`."""

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
    profile: bool = False  # the sentence is a line of a field profile (`profile_documents`) under a heading
    field_mismatch: bool = False  # in a profile: nothing asked but the names is in the line or its heading
    field_first: bool = False  # in a profile: the first line under its heading (a field's value, before its notes)
    list_field: bool = False  # in a profile: a list of 3+ short items, and a list question ("What are…?")
    label: float = 0.0  # in a profile: the share of the words of the line's own label ("**male:**") asked for
    # in a profile: the question's names that the line holds only as entries of a breakdown by shares, in a
    # document whose title names none of them ("Austria 3%" in North Korea's export partners)
    partner_only: tuple[str, ...] = ()
    about: float = 1.0  # the share of the question's names its document's title holds (1 when it names none)
    field_match: float = 0.0  # the question's cosine to the line's field path ("Population: total"), by the model
    # in a profile: `field_match` less the best of the other candidate lines under the same heading of the same
    # document (0 for a line alone under its heading): which line of a field the question asks for
    field_margin: float = 0.0
    # in a profile: the line's field match is the highest of its field's candidate lines (ties, and a line alone, too)
    field_best: bool = False
    # the question asks when or how many, and the sentence holds no date or quantity: "kind_missing" names which
    kind_missing: str = ""
    negation_mismatch: bool = False  # the question is negated ("Who could not…?"), the sentence negates nothing
    missing_numbers: tuple[str, ...] = ()  # the question's numbers in neither the sentence, its headings nor title
    word_match: float = 0.0  # how near each question word comes to one of the sentence's, on average (`word_match`)
    word_bests: tuple[float, ...] = ()  # each question word's best cosine to one of the sentence's pieces
    opposite: tuple[str, str] | None = (
        None  # the question asks "after", the sentence says "before" (`qa.answering.opposites`)
    )
    # coverage: the share of the question's own terms the corpus holds anywhere, and the sentence's document holds
    corpus_coverage: float = 1.0
    doc_coverage: float = 1.0

    @property
    def number_mismatch(self) -> bool:
        return bool(self.missing_numbers)

    def selection_features(self) -> dict[str, float]:
        """The features the sentence score weighs, by name (`weights.SELECTION_FEATURES`, in that order)."""
        return {
            "cosine": self.cosine,
            "overlap": self.overlap,
            "passage": self.passage_score,
            "answer_type": 1.0 if self.phrase else 0.0,
            "heading": self.heading,
            "passage_dense": self.hit.dense,
            "names": self.names_found,
            "passage_lexical": self.passage_lexical,
            "context_overlap": self.context_overlap,
            "word_match": self.word_match,
            "field_first": float(self.field_first),
            "list_field": float(self.list_field),
            "label": self.label,
            "about": self.about,
            "field_match": self.field_match,
            "field_margin": self.field_margin,
            "field_best": float(self.field_best),
        }


def sentence_text(view: CorpusView, sentence: Sentence) -> str:
    return view.documents[sentence.doc].text[sentence.start : sentence.end]


def candidate_sentences(view: CorpusView, hits: Sequence[Hit], top: int) -> list[tuple[int, Hit]]:
    """Every sentence of the top `top` hits' passages, with the hit it came from, in passage order."""
    out: list[tuple[int, Hit]] = []
    for hit in hits[:top]:
        passage = view.passages[hit.pid]
        out.extend((sid, hit) for sid in range(passage.first_sentence, passage.last_sentence + 1))
    return out


# an unbolded lower-case lead such as "note: …" labels its line too: a note is no part of its field's value
def field_path(view: CorpusView, sentence: Sentence) -> str:
    """What a line is an answer to (`qa.text.structure.field_path_of`): "Population: total"."""
    return field_path_of(tuple(sentence.section), sentence_text(view, sentence)) if sentence.section else ""


# A field profile holds mostly `**label:** value` lines (the Factbook's: 57–69% of their sentences);
# prose briefings hold none, or a stray one. Decided from the content, whatever the file's format.
PROFILE_LINE_SHARE = 0.5


def is_profile(view: CorpusView, doc: int) -> bool:
    """Whether at least `PROFILE_LINE_SHARE` of the document's sentences are labelled field lines. Its sentences
    are found by bisection (they are stored in document order): nothing else of the corpus is read."""
    sentences = view.sentences
    lo = bisect.bisect_left(sentences, doc, key=lambda s: s.doc)
    hi = bisect.bisect_right(sentences, doc, lo=lo, key=lambda s: s.doc)
    labelled = sum(1 for i in range(lo, hi) if line_label(sentence_text(view, sentences[i])))
    return hi > lo and labelled >= PROFILE_LINE_SHARE * (hi - lo)


def profiles_from_counts(infos: Sequence[DocumentInfo]) -> frozenset[int]:
    """The field profiles, from each document's stored count of labelled lines (what `is_profile` counts)."""
    return frozenset(
        d
        for d, info in enumerate(infos)
        if info.sentences and info.labelled_lines >= PROFILE_LINE_SHARE * info.sentences
    )


def profile_documents(view: CorpusView) -> frozenset[int]:
    """Every document that is a field profile, counted from the corpus (the oracle of `profiles_from_counts`,
    which answering reads: the counts stored with the generation)."""
    return frozenset(d for d in range(len(view.documents)) if is_profile(view, d))


_PERCENT = frozenset(tokenize("percent percentage"))  # "%" in a line says it
# the kinds of question whose answer must be a phrase of that kind in the quote, and what to call it
_KIND_NOUNS = {"when": "date", "how_many": "quantity"}


@dataclass(frozen=True)
class Lookups:
    """What the caller worked out with the model and the index for these candidates; each may be left out.

    `word_matches`: each sentence's `word_bests` (its `word_match` is 0 where missing); `field_matches`:
    each sentence's cosine to its field path (0 where missing); `profiles`: the documents that are field
    profiles (`profile_documents`)."""

    word_matches: Mapping[int, Sequence[float]] = field(default_factory=dict)
    field_matches: Mapping[int, float] = field(default_factory=dict)
    profiles: AbstractSet[int] = frozenset()
    # each of the question's own terms (`asked_terms`) → the documents holding it; a term missing here counts as held
    term_documents: Mapping[str, AbstractSet[int]] = field(default_factory=dict)


def asked_terms(question: Question) -> list[str]:
    """The question's own search terms (a follow-up's borrowed ones left out): what its coverage is counted over."""
    return [t for t, w in question.terms.items() if w >= 1.0]


def coverage(terms: Sequence[str], term_documents: Mapping[str, AbstractSet[int]], doc: int | None) -> float:
    """The share of `terms` some document holds (`doc` None), or document `doc` holds; 1 with no terms. A term
    not looked up counts as held."""
    if not terms:
        return 1.0
    held = sum(
        1 for t in terms if t not in term_documents or (term_documents[t] if doc is None else doc in term_documents[t])
    )
    return held / len(terms)


@dataclass(frozen=True)
class Candidates:
    """What answering reads for one question: the corpus, the question read, its fused passage hits, the vector
    sentences are scored against, the candidate sentences' vectors, the lexical rarity of a word, and what the
    caller looked up with the model and the whole index (`Lookups`)."""

    view: CorpusView
    question: Question
    hits: Sequence[Hit]
    query_vector: np.ndarray
    sentence_vectors: Mapping[int, np.ndarray]
    idf: Callable[[str], float]
    lookups: Lookups = field(default_factory=Lookups)


def sentence_features(candidates: Candidates, depth: int) -> list[Scored]:
    """The features of every sentence of the top `depth` passages, in passage order, unscored
    (`passage_score` is set by `rank_sentences`, once the passages are re-ranked)."""
    view, question, hits, idf = candidates.view, candidates.question, candidates.hits, candidates.idf
    query_vector, sentence_vectors, lookups = candidates.query_vector, candidates.sentence_vectors, candidates.lookups
    word_matches, field_matches, profiles = lookups.word_matches, lookups.field_matches, lookups.profiles
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

    read = candidate_sentences(view, hits, depth)
    own = asked_terms(question)
    in_corpus = coverage(own, lookups.term_documents, None)
    about = {  # the share of the question's names each candidate document's title holds
        doc: sum(1 for name in names if name_present(name, title_tokens(doc))) / len(names) if names else 1.0
        for doc in {view.sentences[sid].doc for sid, _ in read}
    }
    for sid, hit in read:
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
        profile = sentence.doc in profiles and bool(sentence.section)
        heading_words = section_tokens(tuple(sentence.section[-1:]))  # its own heading: a field's name
        numbers = (
            numbers_in(" ".join((text, *sentence.section, view.documents[sentence.doc].title)))
            if question.numbers
            else set()
        )
        tokens = own_tokens(sid) | title_tokens(sentence.doc) | section_tokens(tuple(sentence.section))
        around = tokens | context_tokens(sentence)
        names_found = sum(1 for name in names if name_present(name, around)) / len(names) if names else 1.0
        phrase = answer_phrase(question.kind, text, question.terms)
        out.append(
            Scored(
                sid=sid,
                score=0.0,
                cosine=float(np.dot(query_vector, sentence_vectors[sid])) if sid in sentence_vectors else hit.dense,
                overlap=term_overlap(terms, tokens, idf),
                passage_score=0.0,
                phrase=phrase,
                hit=hit,
                names_found=names_found,
                heading=heading_match(terms, sentence.section[-1] if sentence.section else ""),
                passage_lexical=hit.lexical / best_lexical,
                paragraph_overlap=term_overlap(terms, around, idf),
                missing_term=missing_term(terms, around, idf),
                context_overlap=term_overlap(terms, tokens | carried, idf),
                profile=profile,
                field_mismatch=profile
                and bool(asked)
                and not any(
                    t in own_tokens(sid) or t in heading_words or (t in _PERCENT and "%" in text) for t in asked
                ),
                field_first=profile
                and (before is None or before.doc != sentence.doc or before.section != sentence.section),
                list_field=profile and question.kind == "list" and is_list(text),
                label=label_match(asked, line_label(text), heading_words) if profile else 0.0,
                partner_only=named_in(question.written_names, own_tokens(sid))
                if profile and about[sentence.doc] == 0.0 and is_breakdown(text)
                else (),
                about=about[sentence.doc],
                field_match=field_matches.get(sid, 0.0),
                kind_missing=_KIND_NOUNS[question.kind]
                if question.kind in _KIND_NOUNS and phrase is None and not phrase_candidates(question.kind, text)
                else "",
                negation_mismatch=question.negated and not negates(text),
                missing_numbers=tuple(n for n in question.numbers if n not in numbers),
                word_match=mean_best([word_matches.get(sid, ())]),
                word_bests=tuple(word_matches.get(sid, ())),
                opposite=stated_opposite(question.opposites, text),
                corpus_coverage=in_corpus,
                doc_coverage=coverage(own, lookups.term_documents, sentence.doc),
            )
        )
    return with_field_margins(view, out)


def with_field_margins(view: CorpusView, scored: list[Scored]) -> list[Scored]:
    """Set each profile line's `field_margin` and `field_best` against the other candidate lines under its heading."""
    fields: dict[tuple[int, tuple[str, ...]], dict[int, float]] = {}
    for s in scored:
        if s.profile:
            sentence = view.sentences[s.sid]
            fields.setdefault((sentence.doc, sentence.section), {})[s.sid] = s.field_match
    out = []
    for s in scored:
        if not s.profile:
            out.append(s)
            continue
        sentence = view.sentences[s.sid]
        others = [m for sid, m in fields[(sentence.doc, sentence.section)].items() if sid != s.sid]
        margin = s.field_match - max(others) if others else 0.0
        out.append(replace(s, field_margin=margin, field_best=margin >= 0))  # lines of one path tie: all best
    return out
