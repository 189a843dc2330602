"""Answer a question from retrieved passages: the one path from hits to a cited `Answer`.

Pure: given the `Candidates` (the question, the fused passage hits, the query vector, the candidate
sentences' vectors and what was looked up for them), it reads every sentence of the top `rerank_depth` passages (`features`), re-ranks those
passages (`rerank`), scores the sentences of the best `top_passages` with the re-ranked passage as
a prior (`model`), then either abstains with the nearest passages or picks the evidence
(`evidence`) and fills a template (`compose`). It does not search, embed, or load anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answering.bold import BoldJudge, bold_features
from qa.answering.compose import abstain, compose, short_phrase
from qa.answering.evidence import make_citation, mismatch_notes, pick_evidence
from qa.answering.features import Candidates, Reading, Scored, sentence_text
from qa.answering.model import confidence, rank_sentences, sentence_confidence, threshold
from qa.answering.reader import Blend, PairScorer, blended, reader_text
from qa.answering.rerank import rerank
from qa.answering.weights import Weights, default_weights
from qa.records import Answer, Citation, Hit


def rank_passages(
    candidates: Candidates, depth: int, weights: Weights, top: int | None = None
) -> tuple[list[Scored], list[Hit]]:
    """The top `depth` hits re-ranked, and the features of the sentences of the best `top` of them (all `depth`
    when None). The re-ranker reads a few signals of every sentence (`Reading.signals`); the sentences of the
    passages that can be quoted are then read in full."""
    reading = Reading(candidates, depth)
    ranked = rerank(candidates.view, candidates.hits[:depth], reading.signals(), weights)
    chosen = None if top is None else {h.pid for h in ranked[:top]}
    return reading.features(chosen), ranked


def read_again(candidates: Candidates, scored: list[Scored], reader: PairScorer) -> list[Scored]:
    """`scored` with its best `reader.top` sentences re-ordered by the learned reader's scores blended in."""
    view = candidates.view
    head = [view.sentences[item.sid] for item in scored[: reader.top]]
    texts = [reader_text(view.documents[s.doc].title, tuple(s.section), sentence_text(view, s)) for s in head]
    return blended(scored, reader.score(candidates.question.search_text, texts), Blend(reader.top, reader.weight))


# a refusal shows its closest passages only at this confidence or more (under it, "0.00" tells the reader nothing)
NEAREST_FLOOR = 0.005


def answer(
    candidates: Candidates,
    *,
    top_passages: int = 5,
    rerank_depth: int = 20,
    max_quotes: int = 3,
    nearest_shown: int = 3,
    abstain_below: float | None = None,
    weights: Weights | None = None,
    notes: Sequence[str] = (),
    bold: BoldJudge | None = None,
    reader: PairScorer | None = None,
) -> Answer:
    """`notes`: what the caller found about the question itself (names no briefing holds), shown with the checks.
    `bold`: the bold model (`qa.answering.bold`): a short answer phrase under its threshold is not shown in bold.
    `abstain_below`: the confidence under which it abstains (default: the weights' fitted threshold for the first
    quote's kind of document, `model.threshold`). `reader`: a learned reader (`qa.answering.reader`) whose scores
    re-order the best few sentences."""
    weights = weights or default_weights()
    depth = max(rerank_depth, top_passages)  # read the re-ranked passages, and at least those quoted from
    view, question = candidates.view, candidates.question
    features, ranked = rank_passages(candidates, depth, weights, top_passages)
    scored = rank_sentences(features, ranked, top_passages, weights)
    if reader is not None and len(scored) > 1:
        scored = read_again(candidates, scored, reader)
    if not scored:
        reason = "No passage in the searched briefings matches this question"
        return abstain(question, [], 0.0, f"{reason} ({'; '.join(notes)})." if notes else f"{reason}.", notes)
    conf = confidence(scored, weights)
    if abstain_below is None:
        abstain_below = threshold(scored, weights)
    if conf < abstain_below:
        nearest: list[Citation] = []
        seen_passages: set[int] = set()
        for i, item in enumerate(scored):
            if item.hit.pid not in seen_passages and len(nearest) < nearest_shown:
                seen_passages.add(item.hit.pid)
                score = sentence_confidence(scored, i, weights)
                # one scored 0.00 is near nothing, unless it holds every name asked about ("Sao Paulo"'s line)
                if score >= NEAREST_FLOOR or (question.names and item.names_found == 1.0):
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
    phrase = short_phrase(question, evidence[0], citations[0])
    bold_confidence = None
    if phrase and bold is not None:
        signals = bold_features(question, evidence[0], phrase, conf)
        bold_confidence = round(bold.probability(signals), 4)
        if bold_confidence < bold.threshold_for(signals):
            phrase = None  # not sure enough of the phrase: the quote stands alone
    return Answer(
        question=question.text,
        text=compose(question, citations, conf, checks, phrase),
        short_answer=phrase,
        bold_confidence=bold_confidence,
        abstained=False,
        confidence=conf,
        citations=citations,
        question_type=question.kind,
        resolved_question=question.search_text,
        checks=checks,
    )
