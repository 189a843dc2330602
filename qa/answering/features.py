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
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from qa.answering.matching import (
    WordUnion,
    heading_match,
    is_breakdown,
    is_list,
    label_match,
    mean_best,
    name_in_words,
    name_present,
    named_in,
    negates,
    refers_back,
    sentence_terms,
)
from qa.answering.opposites import stated_opposite
from qa.answering.phrases import answer_phrase
from qa.answering.phrases import candidates as phrase_candidates
from qa.answering.questions import Question, numbers_in
from qa.records import Document, DocumentInfo, Hit, Passage, Sentence
from qa.text.structure import field_path_of, line_label
from qa.text.tokens import token_set, tokenize


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
    # sentences' stems and their paragraphs', as the index stores them (`qa.index.words`): a sentence missing here
    # is tokenised from its text, to the same set
    sentence_words: Mapping[int, AbstractSet[str]] = field(default_factory=dict)
    paragraph_words: Mapping[int, AbstractSet[str]] = field(default_factory=dict)


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


# What the passage re-ranker reads of a sentence (`rerank.passage_features`): `Reading.signals` fills only these.
RERANK_READS = (
    "cosine", "overlap", "paragraph_overlap", "names_found", "phrase", "word_bests", "heading", "about", "field_match",
)  # fmt: skip


@dataclass(frozen=True)
class _Shared:
    """A candidate sentence's words and what the re-ranker reads of it (`RERANK_READS`)."""

    sentence: Sentence
    text: str
    tokens: WordUnion  # its own words, its document's title's and its headings'
    around: WordUnion  # those and its paragraph's
    cosine: float
    overlap: float
    paragraph_overlap: float
    names_found: float
    phrase: tuple[int, int] | None
    word_bests: tuple[float, ...]
    heading: float
    about: float
    field_match: float

    def scored(self, sid: int, hit: Hit, **more: Any) -> Scored:
        """A `Scored` record with these signals and `more` (the rest at their defaults)."""
        return Scored(
            sid=sid,
            score=0.0,
            passage_score=0.0,
            hit=hit,
            cosine=self.cosine,
            overlap=self.overlap,
            paragraph_overlap=self.paragraph_overlap,
            names_found=self.names_found,
            phrase=self.phrase,
            word_bests=self.word_bests,
            heading=self.heading,
            about=self.about,
            field_match=self.field_match,
            **more,
        )


def _name_in(name: str, words: AbstractSet[str]) -> bool:
    """`name_present`; for a frozen word set (a stored sentence's or paragraph's), kept across questions."""
    return name_in_words(name, words) if isinstance(words, frozenset) else name_present(name, words)


class _Reader:
    """The words of titles, headings, sentences and paragraphs for one question, each tokenised once, and the
    question's weighted terms, each weighed once: what every feature of every candidate sentence reads."""

    def __init__(self, candidates: Candidates, depth: int) -> None:
        self.candidates = candidates
        view, question = candidates.view, candidates.question
        self.view = view
        self.terms = sentence_terms(question)
        self.weighted = {t: w * candidates.idf(t) for t, w in self.terms.items()}
        self.total = sum(self.weighted.values())
        ceiling = max((candidates.idf(t) for t in self.terms), default=0.0) or 1.0
        self.rarity = [(t, candidates.idf(t) / ceiling) for t, w in self.terms.items() if w >= 1.0]
        self.names = set(question.names)
        self.best_lexical = max((h.lexical for h in candidates.hits[:depth]), default=0.0) or 1.0
        self.read = candidate_sentences(view, candidates.hits, depth)
        self._titles: dict[int, set[str]] = {}
        self._sections: dict[tuple[str, ...], set[str]] = {}
        self._words: dict[int, AbstractSet[str]] = {}
        self._context: dict[tuple[int, int], AbstractSet[str]] = {}  # paragraph words
        # the question's terms and names as bits: a word set's are found once (`_terms_of`, `_names_of`), by the
        # set's id, the set kept beside them so that no other takes its id; a union's are its parts' or-ed
        self._term_bits = [(1 << i, t) for i, t in enumerate(self.weighted)]
        self._weight_of_bits: dict[int, float] = {}
        bit_of = {t: bit for bit, t in self._term_bits}
        self._rarity_bits = [(bit_of[t], r) for t, r in self.rarity]
        self._missing_of_bits: dict[int, float] = {}
        self._name_list = list(self.names)
        self._term_sets: dict[int, tuple[AbstractSet[str], int]] = {}
        self._name_sets: dict[int, tuple[AbstractSet[str], int]] = {}
        self._own_names: dict[int, int] = {}
        names = self.names
        self.about = {  # the share of the question's names each candidate document's title holds
            doc: sum(1 for name in names if name_present(name, self.title_tokens(doc))) / len(names) if names else 1.0
            for doc in {view.sentences[sid].doc for sid, _ in self.read}
        }
        word_matches = candidates.lookups.word_matches
        rows = [word_matches.get(sid, ()) for sid, _ in self.read]
        width = {len(r) for r in rows if len(r)}
        if len(width) == 1:  # every row one length (the question's words): their means in one call
            table = np.array([r if len(r) else [0.0] * next(iter(width)) for r in rows])
            means = table.mean(axis=1)
            self.word_match = {
                sid: float(m) if len(r) else 0.0 for (sid, _), r, m in zip(self.read, rows, means, strict=True)
            }
        else:
            self.word_match = {sid: mean_best([r]) for (sid, _), r in zip(self.read, rows, strict=True)}

    def title_tokens(self, doc: int) -> set[str]:
        if doc not in self._titles:
            self._titles[doc] = set(tokenize(self.view.documents[doc].title))
        return self._titles[doc]

    def section_tokens(self, section: tuple[str, ...]) -> set[str]:
        if section not in self._sections:
            self._sections[section] = {w for title in section for w in tokenize(title)}
        return self._sections[section]

    def own_tokens(self, sid: int) -> AbstractSet[str]:
        if sid not in self._words:
            stored = self.candidates.lookups.sentence_words.get(sid)
            self._words[sid] = (
                stored if stored is not None else token_set(sentence_text(self.view, self.view.sentences[sid]))
            )
        return self._words[sid]

    def paragraph_tokens(self, sid: int, sentence: Sentence) -> AbstractSet[str]:
        """The words of a sentence's paragraph (as stored, else tokenised once a question)."""
        key = (sentence.doc, sentence.para_start)
        found = self._context.get(key)
        if found is None:
            found = self.candidates.lookups.paragraph_words.get(sid)
            if found is None:
                document = self.view.documents[sentence.doc]
                found = token_set(document.text[sentence.para_start : sentence.para_end])
            self._context[key] = found
        return found

    def _terms_of(self, part: AbstractSet[str]) -> int:
        """The bits of the question's terms among one word set's, found once a question."""
        kept = self._term_sets.get(id(part))
        if kept is None:
            kept = self._term_sets[id(part)] = (part, sum(bit for bit, t in self._term_bits if t in part))
        return kept[1]

    def found_bits(self, tokens: AbstractSet[str]) -> int:
        """The bits of the question's terms among `tokens` (a `WordUnion`'s: those of any of its parts)."""
        if isinstance(tokens, WordUnion):
            bits = 0
            for part in tokens.parts:
                bits |= self._terms_of(part)
            return bits
        return sum(bit for bit, t in self._term_bits if t in tokens)

    def overlap(self, tokens: AbstractSet[str]) -> float:
        """`matching.term_overlap` with the question's weights worked out once."""
        if self.total <= 0:
            return 0.0
        bits = self.found_bits(tokens)
        share = self._weight_of_bits.get(bits)
        if share is None:
            weights = zip(self._term_bits, self.weighted.values(), strict=True)
            share = self._weight_of_bits[bits] = sum(v for (bit, _), v in weights if bits & bit) / self.total
        return share

    def missing(self, tokens: AbstractSet[str]) -> float:
        """`matching.missing_term` with the question's rarities worked out once."""
        bits = self.found_bits(tokens)
        rarest = self._missing_of_bits.get(bits)
        if rarest is None:
            rarest = self._missing_of_bits[bits] = max(
                (r for bit, r in self._rarity_bits if not bits & bit), default=0.0
            )
        return rarest

    def _names_of(self, part: AbstractSet[str]) -> int:
        """The bits of the question's names present (`name_present`) in one word set, found once a question."""
        kept = self._name_sets.get(id(part))
        if kept is None:
            bits = sum(1 << i for i, name in enumerate(self._name_list) if _name_in(name, part))
            kept = self._name_sets[id(part)] = (part, bits)
        return kept[1]

    def names_in(self, sid: int, sentence: Sentence) -> float:
        """The share of the question's names present (`name_present`) around a sentence: its own words, its
        headings', its title's or its paragraph's. A name found in a union is one found in one of its parts, so
        each shared part (a heading path, a paragraph with its title) is searched once a question."""
        names = self._name_list
        if not names:
            return 1.0
        own = self._own_names.get(sid)
        if own is None:
            words = self.own_tokens(sid)
            own = self._own_names[sid] = sum(1 << i for i, name in enumerate(names) if _name_in(name, words))
        bits = own | self._names_of(self.section_tokens(tuple(sentence.section)))
        bits |= self._names_of(self.title_tokens(sentence.doc)) | self._names_of(self.paragraph_tokens(sid, sentence))
        return bin(bits).count("1") / len(names)

    def shared(self, sid: int, hit: Hit) -> _Shared:
        """What the re-ranker reads of a sentence (`RERANK_READS`), and the words the other features read."""
        view, candidates, question = self.view, self.candidates, self.candidates.question
        sentence = view.sentences[sid]
        text = sentence_text(view, sentence)
        own, title = self.own_tokens(sid), self.title_tokens(sentence.doc)
        tokens = WordUnion(own, title, self.section_tokens(tuple(sentence.section)))
        around = WordUnion(*tokens.parts, self.paragraph_tokens(sid, sentence))
        vectors = candidates.sentence_vectors
        return _Shared(
            sentence=sentence,
            text=text,
            tokens=tokens,
            around=around,
            cosine=float(np.dot(candidates.query_vector, vectors[sid])) if sid in vectors else hit.dense,
            overlap=self.overlap(tokens),
            paragraph_overlap=self.overlap(around),
            names_found=self.names_in(sid, sentence),
            phrase=answer_phrase(question.kind, text, question.terms),
            word_bests=tuple(candidates.lookups.word_matches.get(sid, ())),
            heading=heading_match(self.terms, sentence.section[-1] if sentence.section else ""),
            about=self.about[sentence.doc],
            field_match=candidates.lookups.field_matches.get(sid, 0.0),
        )


class Reading:
    """The candidate sentences of one question, read once: what the re-ranker reads of each (`signals`), then
    every feature of those of the passages that can be quoted (`features`), the words and signals shared."""

    def __init__(self, candidates: Candidates, depth: int) -> None:
        self.candidates = candidates
        self.reader = _Reader(candidates, depth) if candidates.hits else None
        self._shared: dict[int, _Shared] = {}

    def _of(self, sid: int, hit: Hit) -> _Shared:
        assert self.reader is not None
        if sid not in self._shared:
            self._shared[sid] = self.reader.shared(sid, hit)
        return self._shared[sid]

    def signals(self) -> list[Scored]:
        """What the passage re-ranker reads of every candidate sentence (`RERANK_READS`), in passage order; every
        other field is left at its default."""
        if self.reader is None:
            return []
        return [self._of(sid, hit).scored(sid, hit) for sid, hit in self.reader.read]

    def features(self, passages: AbstractSet[int] | None = None) -> list[Scored]:
        """Every feature of the candidate sentences (of those of `passages`, when given), in passage order, unscored
        (`passage_score` is set by `rank_sentences`, once the passages are re-ranked). A profile line's field
        margin is taken against the lines of all the candidate passages, whichever are read."""
        reader = self.reader
        if reader is None:
            return []
        candidates = self.candidates
        view, question, lookups = candidates.view, candidates.question, candidates.lookups
        profiles, names = lookups.profiles, reader.names
        asked = [t for t, w in reader.terms.items() if w >= 1.0 and not any(name_present(name, {t}) for name in names)]
        own = asked_terms(question)
        in_corpus = coverage(own, lookups.term_documents, None)
        margins = field_margins(view, reader.read, lookups)
        doc_coverage: dict[int, float] = {}  # a document's share of the question's terms: one look-up a document
        out: list[Scored] = []
        for sid, hit in reader.read:
            if passages is not None and hit.pid not in passages:
                continue
            shared = self._of(sid, hit)
            sentence, text, phrase = shared.sentence, shared.text, shared.phrase
            before = view.sentences[sid - 1] if sid > 0 else None
            carried = (
                reader.own_tokens(sid - 1)
                if before is not None
                and (before.doc, before.para_start) == (sentence.doc, sentence.para_start)
                and refers_back(text)
                else set()
            )
            profile = sentence.doc in profiles and bool(sentence.section)
            heading_words = reader.section_tokens(tuple(sentence.section[-1:]))  # its own heading: a field's name
            numbers = (
                numbers_in(" ".join((text, *sentence.section, view.documents[sentence.doc].title)))
                if question.numbers
                else set()
            )
            margin = margins.get(sid, 0.0) if profile else 0.0
            out.append(
                shared.scored(
                    sid,
                    hit,
                    passage_lexical=hit.lexical / reader.best_lexical,
                    missing_term=reader.missing(shared.around),
                    context_overlap=reader.overlap(WordUnion(*shared.tokens.parts, carried)),
                    profile=profile,
                    field_mismatch=profile
                    and bool(asked)
                    and not any(
                        t in reader.own_tokens(sid) or t in heading_words or (t in _PERCENT and "%" in text)
                        for t in asked
                    ),
                    field_first=profile
                    and (before is None or before.doc != sentence.doc or before.section != sentence.section),
                    list_field=profile and question.kind == "list" and is_list(text),
                    label=label_match(asked, line_label(text), heading_words) if profile else 0.0,
                    partner_only=named_in(question.written_names, reader.own_tokens(sid))
                    if profile and reader.about[sentence.doc] == 0.0 and is_breakdown(text)
                    else (),
                    field_margin=margin,
                    field_best=profile and margin >= 0,  # lines of one path tie: all best
                    kind_missing=_KIND_NOUNS[question.kind]
                    if question.kind in _KIND_NOUNS and phrase is None and not phrase_candidates(question.kind, text)
                    else "",
                    negation_mismatch=question.negated and not negates(text),
                    missing_numbers=tuple(n for n in question.numbers if n not in numbers),
                    word_match=reader.word_match[sid],
                    opposite=stated_opposite(question.opposites, text),
                    corpus_coverage=in_corpus,
                    doc_coverage=doc_coverage[sentence.doc]
                    if sentence.doc in doc_coverage
                    else doc_coverage.setdefault(sentence.doc, coverage(own, lookups.term_documents, sentence.doc)),
                )
            )
        return out


def sentence_features(candidates: Candidates, depth: int, passages: AbstractSet[int] | None = None) -> list[Scored]:
    """Every feature of the sentences of the top `depth` passages (of those among `passages`, when given)
    (`Reading.features`)."""
    return Reading(candidates, depth).features(passages)


def field_margins(view: CorpusView, read: Sequence[tuple[int, Hit]], lookups: Lookups) -> dict[int, float]:
    """Each candidate profile line's `field_margin`: its field match less the best of the other candidate lines
    under its heading in its document (0 for a line alone under its heading)."""
    fields: dict[tuple[int, tuple[str, ...]], dict[int, float]] = {}
    for sid, _ in read:
        sentence = view.sentences[sid]
        if sentence.doc in lookups.profiles and sentence.section:
            fields.setdefault((sentence.doc, tuple(sentence.section)), {})[sid] = lookups.field_matches.get(sid, 0.0)
    margins: dict[int, float] = {}
    for lines in fields.values():
        for sid, match in lines.items():
            others = [m for other, m in lines.items() if other != sid]
            margins[sid] = match - max(others) if others else 0.0
    return margins
