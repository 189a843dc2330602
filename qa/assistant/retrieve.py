"""One question's retrieval and the inputs answering reads, all from one pinned `IndexReader`.

`retrieve` cleans and reads the question, searches dense and BM25 within the filters and fuses them;
`answering_inputs` gathers what answering needs of the model and the index (candidate sentences' vectors,
word and field matches, profiles) as data; `answer_retrieval` hands that to `qa.answering.pipeline.answer`,
the one pure step from hits to a cited `Answer`. Answering never calls back up: everything it reads is
passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.answering.bold import BoldJudge
from qa.answering.features import Candidates, Lookups, asked_terms, candidate_sentences, field_path
from qa.answering.pipeline import answer
from qa.answering.questions import Question, analyse, clean_question, field_query
from qa.answering.reader import PairScorer
from qa.answering.weights import Weights
from qa.answering.word_match import word_matches
from qa.assistant.encoder import QueryEncoder
from qa.assistant.reader import IndexReader
from qa.index.store import Generation
from qa.records import Answer, Filters, Hit
from qa.search.retrieval import allowed_passages, fuse, lexical_search, segmented_search
from qa.search.spelling import corrected_question, unknown_name_notes
from qa.settings import Settings


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for one question: both rankings, their fusion, and the vectors used; `reader` is the
    generation it searched, which everything after it reads."""

    reader: IndexReader
    question: Question
    dense: list[tuple[int, float]]
    lexical: list[tuple[int, float]]
    hits: list[Hit]
    query_vector: np.ndarray | None
    focus_vector: np.ndarray | None
    filtered_out: bool = False

    @property
    def generation(self) -> Generation:
        return self.reader.generation


class FormJudge(Protocol):
    """Which answer forms a question asks for, from its text and vector (`qa.answering.readings.FormReader`)."""

    def forms(self, text: str, vector: np.ndarray) -> frozenset[str]: ...


def read_question(
    question: str,
    history: Sequence[str] | None,
    settings: Settings,
    followup: bool = False,
    forms: AbstractSet[str] = frozenset(),
) -> Question:
    """The question cleaned and read, with the earlier questions of the conversation (borrowed from when the
    question was read as a follow-up) and the answer forms the fitted model reads in it."""
    text = clean_question(question, settings.max_question_chars)
    earlier = [
        clean_question(h, settings.max_question_chars) for h in (history or []) if isinstance(h, str) and h.strip()
    ]
    return analyse(text, earlier, followup, forms)


def answer_forms(question: str, encoder: QueryEncoder, settings: Settings, judge: FormJudge | None) -> frozenset[str]:
    """The answer forms `judge` reads in the question; none without a judge. Its own text's vector is embedded with
    the field-path query retrieval needs (one forward pass; both cached once the reading model read it)."""
    if judge is None:
        return frozenset()
    text = clean_question(question, settings.max_question_chars)
    return judge.forms(text, encoder.vectors([text, field_query(analyse(text))])[0])


def retrieve(
    reader: IndexReader,
    encoder: QueryEncoder,
    settings: Settings,
    question: str,
    history: Sequence[str] | None = None,
    filters: Filters | None = None,
    followup: bool = False,
    forms: FormJudge | None = None,
) -> Retrieval:
    """Clean and read the question (its answer forms by `forms`), then search `reader`'s generation: dense and
    BM25 rankings, fused."""
    generation = reader.generation
    parsed = read_question(question, history, settings, followup, answer_forms(question, encoder, settings, forms))
    filters = filters or Filters()
    allowed = None if filters.is_empty() else allowed_passages(reader.infos, generation.passage_docs, filters)
    if allowed is not None and len(allowed) == 0:
        return Retrieval(reader, parsed, [], [], [], None, None, filtered_out=True)
    if allowed is None:
        allowed = generation.live_passages()  # None unless some document was removed from its segment
    # the field-path query answering will compare with is embedded in the same batch (one forward pass)
    query_vector, focus_vector = encoder.query(
        parsed.search_text,
        parsed.text if parsed.followup and not parsed.restated else None,
        also=(field_query(parsed),),
    )
    k = settings.candidates
    dense = segmented_search(generation.dense.parts, query_vector, k, allowed)
    lexical = lexical_search(reader.lexical, parsed.terms, k, allowed)
    hits = fuse(dense, lexical, settings.rrf_k, settings.dense_weight, settings.lexical_weight)
    hits = with_dense_scores(generation, hits, query_vector, settings.passages_read)
    return Retrieval(reader, parsed, dense, lexical, hits, query_vector, focus_vector)


def with_dense_scores(generation: Generation, hits: list[Hit], query_vector: np.ndarray, top: int) -> list[Hit]:
    """Lexical-only hits among the `top` passages answering reads get their true cosine, not 0."""
    fixed = []
    for i, hit in enumerate(hits):
        if i < top and hit.dense == 0.0:
            vector = np.asarray(generation.index.reconstruct(hit.pid), dtype=np.float32)
            hit = hit.model_copy(update={"dense": float(np.dot(vector, query_vector))})
        fixed.append(hit)
    return fixed


def sentence_vectors(retrieval: Retrieval, depth: int) -> dict[int, np.ndarray]:
    """Vectors of the candidate sentences of a retrieval's top `depth` passages (stored in the index)."""
    matrix = retrieval.generation.sentence_vectors
    return {sid: matrix[sid] for sid, _ in candidate_sentences(retrieval.generation, retrieval.hits, depth)}


def field_matches(retrieval: Retrieval, encoder: QueryEncoder, depth: int) -> dict[int, float]:
    """Each candidate sentence's cosine between the question and its field path, by the model: how "How many
    people live in Peru?" reaches `Population: total` without sharing a word with it."""
    if retrieval.focus_vector is None:
        return {}
    generation = retrieval.generation
    focus = encoder.field_focus(field_query(retrieval.question))
    candidates = candidate_sentences(generation, retrieval.hits, depth)
    paths = {sid: field_path(generation, generation.sentences[sid]) for sid, _ in candidates}
    vectors = encoder.fields(generation, list(paths.values()))
    return {sid: float(np.dot(focus, vectors[p])) for sid, p in paths.items() if p}


def lookups(retrieval: Retrieval, encoder: QueryEncoder, depth: int, weights: Weights) -> Lookups:
    """What answering reads that takes the model or the whole index: word and field matches (only where `weights`
    count them) and the field profiles."""
    generation = retrieval.generation
    sids = [sid for sid, _ in candidate_sentences(generation, retrieval.hits, depth)]
    own, paragraphs = generation.sentence_words()
    return Lookups(
        word_matches=(  # unused: skip the tokenizer
            word_matches(
                generation,
                retrieval.question,
                retrieval.hits,
                depth,
                encoder.piece_vectors,
                encoder.piece_rows(generation.sentence_pieces(sids)),
            )
            if weights.reads_words
            else {}
        ),
        field_matches=field_matches(retrieval, encoder, depth) if weights.reads_fields else {},
        profiles=retrieval.reader.profiles,
        term_documents=retrieval.reader.term_documents(asked_terms(retrieval.question)),
        sentence_words=own,
        paragraph_words=paragraphs,
    )


def answering_inputs(retrieval: Retrieval, encoder: QueryEncoder, settings: Settings, weights: Weights) -> Candidates:
    """What answering reads of a retrieval (it must have searched: `focus_vector` set)."""
    if retrieval.focus_vector is None:
        raise ValueError("nothing was searched: the filters left no passage")
    depth = settings.passages_read
    return Candidates(
        retrieval.generation,
        retrieval.question,
        retrieval.hits,
        retrieval.focus_vector,
        sentence_vectors(retrieval, depth),
        retrieval.reader.lexical.term_idf,
        lookups(retrieval, encoder, depth, weights),
    )


def answer_retrieval(
    retrieval: Retrieval,
    encoder: QueryEncoder,
    settings: Settings,
    weights: Weights,
    abstain_below: float | None = None,
    bold: BoldJudge | None = None,
    sentence_reader: PairScorer | None = None,
) -> Answer:
    """The cited answer composed from a retrieval; `abstain_below` None: the setting, else the fitted threshold."""
    parsed, reader = retrieval.question, retrieval.reader
    if retrieval.filtered_out or retrieval.focus_vector is None:
        return Answer(
            question=parsed.text,
            text="**No briefing matches the filters.** Widen the document or date filters and ask again.",
            abstained=True,
            confidence=0.0,
            question_type=parsed.kind,
            resolved_question=parsed.search_text,
            index_version=reader.version,
            notice="no documents match the filters",
        )
    result = answer(
        answering_inputs(retrieval, encoder, settings, weights),
        top_passages=settings.top_passages,
        rerank_depth=settings.rerank_depth,
        max_quotes=settings.max_quotes,
        nearest_shown=settings.nearest_shown,
        abstain_below=settings.abstain_below if abstain_below is None else abstain_below,
        weights=weights,
        notes=unknown_name_notes(parsed.written_names, reader.vocabulary),
        bold=bold,
        reader=sentence_reader,
    )
    corrected = corrected_question(parsed.text, parsed.written_names, reader.vocabulary)
    return result.model_copy(update={"index_version": reader.version, "did_you_mean": corrected})
