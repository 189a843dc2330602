"""The features of each candidate sentence: every signal that says a sentence answers the question.

Pure: given the question, the fused passage hits, the query vector and the candidate sentences'
vectors, it reads every sentence of the top passages and fills one `Scored` record per sentence
with named signals (cosine, overlaps, names, headings, labels, checks). It does not weigh them:
`model` scores sentences and confidence, `rerank` re-orders passages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
from qa.answering.questions import Question, numbers_in
from qa.records import Document, Hit, Passage, Sentence
from qa.text.structure import line_label
from qa.text.tokens import tokenize


class CorpusView(Protocol):
    """What answering reads of an index generation: its documents, passages and sentences."""

    documents: list[Document]
    passages: list[Passage]
    sentences: list[Sentence]


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
    opposite: tuple[str, str] | None = (
        None  # the question asks "after", the sentence says "before" (`qa.answering.opposites`)
    )

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


_PERCENT = frozenset(tokenize("percent percentage"))  # "%" in a line says it


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
