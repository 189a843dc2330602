"""How a question is answered: routes that each read the question and answer it through one contract.

A route takes the question as asked (`Asked`: its text, the conversation before it, the filters) and the
context pinned for it (`Context`: one `IndexReader`, the query encoder, the settings and weights), and
either answers or passes (None). The first route that answers gives the answer; every answer leaves here
with the scope it searched (`scoped`), so no route can drop the filters, the history or the scope.

- `ChangeRoute`: "What changed since the last update?" — the diff of the series it names, within the filters.
- `AsOfRoute`: "What did the briefings say in 2025 about …?" — narrows the filters to the briefings current
  then, and hands the question to the routes after it.
- `ComparisonRoute`: "Which has a larger population, Mexico or Brazil?" — each side asked on its own.
- `PlainRoute`: retrieval and answering, the newest update of a series first, other updates' versions below.
- `SpellingRoute`: around the others — a question they refuse whose names no briefing mentions but close to
  names the briefings hold ("Egipt") is asked again with those names corrected, and the answer says so.

Routes hold no state; everything a question reads comes from its `Context`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from qa.answering.bold import BoldJudge
from qa.answering.changes import change_answer, change_question, pick_members, series_diff, series_for
from qa.answering.comparison import comparison_sides, join_answers
from qa.answering.over_time import (
    as_of_date,
    current_documents,
    holds_counterpart,
    newer_counterparts,
    newer_members,
    other_versions,
    said_before,
    speaks_of_the_same,
)
from qa.answering.reader import PairScorer
from qa.answering.readings import Reading, default_readings
from qa.answering.weights import Weights
from qa.assistant.encoder import QueryEncoder
from qa.assistant.reader import IndexReader
from qa.assistant.retrieve import FormJudge, answer_retrieval, retrieve
from qa.errors import QuestionError
from qa.records import Answer, Filters
from qa.settings import Settings
from qa.text.language import other_language
from qa.text.series import Series

PLAIN = Reading("plain", 1.0, {})  # asked to be read as plain (no model read it)


@dataclass(frozen=True)
class Asked:
    """One question as asked: as typed, cleaned (`text`), the earlier questions oldest first, the filters, how
    the reading model read it, and the date the briefings' word is asked as of (set by `AsOfRoute`)."""

    question: str
    text: str
    history: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)
    reading: Reading = PLAIN
    as_of: str | None = None
    as_typed: bool = False  # asked to be answered as typed: no spelling correction


@dataclass(frozen=True)
class Context:
    """What every step of one question reads: one reader (one index generation) and the collaborators."""

    reader: IndexReader
    encoder: QueryEncoder
    settings: Settings
    weights: Weights
    bold: BoldJudge | None = None  # the bold short answer's model (`qa.answering.bold`)
    forms: FormJudge | None = None  # the answer-form models (`qa.answering.readings.FormReader`)
    sentence_reader: PairScorer | None = None  # the learned reader (`QA_READER=on`), re-ordering the best sentences

    def answer(self, question: str, history: Sequence[str], filters: Filters, followup: bool = False) -> Answer:
        """Retrieval and answering of one question within `filters`, from this context's reader."""
        found = retrieve(self.reader, self.encoder, self.settings, question, history, filters, followup, self.forms)
        return answer_retrieval(
            found, self.encoder, self.settings, self.weights, bold=self.bold, sentence_reader=self.sentence_reader
        )


class Route(Protocol):
    def answer(self, asked: Asked, context: Context) -> Answer | None:
        """The answer, or None when this route does not read the question as its kind."""
        ...


def scoped(answer: Answer, asked: Asked, context: Context, kind: str = "plain") -> Answer:
    """The answer with what it searched (the filters' scope in the pinned generation, the as-of date) and how the
    question was read: `kind`, the route that answered, with the reading model's probability when it read so."""
    scope = context.reader.scope(asked.filters).model_copy(update={"as_of": asked.as_of})
    confidence = asked.reading.confidence if asked.reading.kind == kind and asked.reading.probabilities else None
    return answer.model_copy(update={"scope": scope, "reading": kind, "reading_confidence": confidence})


def answer_by_routes(routes: Sequence[Route], asked: Asked, context: Context) -> Answer:
    for route in routes:
        found = route.answer(asked, context)
        if found is not None:
            return found
    raise QuestionError("No route answered this question.")  # the plain route always answers


def _refusal(asked: Asked, lead: str, notice: str, kind: str | None = None, rest: str = "") -> Answer:
    """A refusal: its lead in bold, then `rest`; `kind` None leaves the answer's default question type."""
    answer = Answer(
        question=asked.text,
        text=f"**{lead}**{rest}",
        abstained=True,
        confidence=0.0,
        resolved_question=asked.text,
        notice=notice,
    )
    return answer if kind is None else answer.model_copy(update={"question_type": kind})


class ChangeRoute:
    """A "what changed?" question answered from the diff of the series it names (or the only one), among the
    briefings the filters keep. Passes when the corpus has no series of several briefings."""

    def answer(self, asked: Asked, context: Context) -> Answer | None:
        if asked.reading.kind != "change":
            return None
        change = change_question(asked.text)
        reader = context.reader
        several = [s for s in reader.series if len(s.members) > 1]
        if not several:
            return None
        if not asked.filters.is_empty():
            kept = [_within(s, reader, asked.filters) for s in reader.series]
            several = [s for s in kept if len(s.members) > 1]
            if not several:
                message = "The filters leave no series with two briefings to compare. Widen them and ask again."
                refusal = _refusal(asked, message, "no series within the filters", "change")
                return scoped(refusal, asked, context, "change")
        series = series_for(change, several)
        if series is None:
            names = "; ".join(s.name for s in several[:8])
            rest = (
                f" These have more than one briefing: {names}. "
                f"Name one, for example: “What changed in {several[0].name} since the last update?”"
            )
            refusal = _refusal(asked, "Which series do you mean?", "name the series", "change", rest)
            return scoped(refusal, asked, context, "change")
        try:
            old, new = pick_members(series, None, change.date)
        except QuestionError as exc:
            return scoped(_refusal(asked, str(exc), str(exc), "change"), asked, context, "change")
        diff = series_diff(reader, series, old.doc_id, new.doc_id)
        answer = change_answer(asked.text, diff, reader)
        return scoped(answer.model_copy(update={"index_version": reader.version}), asked, context, "change")


def _within(series: Series, reader: IndexReader, filters: Filters) -> Series:
    return replace(series, members=tuple(m for m in series.members if reader.in_scope(m.doc_id, filters)))


@dataclass(frozen=True)
class AsOfRoute:
    """ "What did the briefings say in 2025 about …?": only the briefings current then (of each series, its last
    update dated then or before) are searched, by the routes after it."""

    then: tuple[Route, ...]

    def answer(self, asked: Asked, context: Context) -> Answer | None:
        as_of = as_of_date(asked.text) if asked.reading.kind == "as_of" else None
        if as_of is None:
            return answer_by_routes(self.then, asked, context)
        current = current_documents(context.reader.series, as_of)
        chosen = sorted(current & set(asked.filters.doc_ids) if asked.filters.doc_ids else current)
        narrowed = replace(asked, filters=asked.filters.model_copy(update={"doc_ids": tuple(chosen)}), as_of=as_of)
        if not chosen:
            lead, rest = f"No briefing was current in {as_of}.", " Ask without the date to search them all."
            refusal = _refusal(narrowed, lead, f"no briefing dated {as_of} or earlier", rest=rest)
            return scoped(refusal, narrowed, context, "as_of")
        answered = answer_by_routes(self.then, narrowed, context)
        confidence = asked.reading.confidence if asked.reading.probabilities else None
        return answered.model_copy(update={"reading": "as_of", "reading_confidence": confidence})


class ComparisonRoute:
    """ "Which has a larger population, Mexico or Brazil?": each side asked on its own (with the conversation and
    the filters), both quoted."""

    def answer(self, asked: Asked, context: Context) -> Answer | None:
        comparison = comparison_sides(asked.text) if asked.reading.kind == "comparison" else None
        if comparison is None:
            return None
        first, second = (context.answer(q, asked.history, asked.filters) for q in comparison.questions)
        joined = join_answers(asked.text, comparison, (first, second))
        return scoped(joined.model_copy(update={"index_version": first.index_version}), asked, context, "comparison")


class PlainRoute:
    """Retrieval and answering; when the main quote's series has a newer update holding the same sentence, the
    question is asked again within it (the newest word first), and other updates' versions are quoted below.
    When none holds it in its words, a newer update answering with the sentence nearest in meaning to the main
    quote leads, the older quote cited below it (`qa.answering.over_time.speaks_of_the_same`)."""

    def answer(self, asked: Asked, context: Context) -> Answer:
        reader = context.reader
        followup = asked.reading.kind == "followup" and bool(asked.history)
        answer = context.answer(asked.question, asked.history, asked.filters, followup)

        def in_scope(doc_id: str) -> bool:
            return reader.in_scope(doc_id, asked.filters)

        for doc_id, sentence in newer_counterparts(answer, reader, in_scope):
            again = context.answer(asked.question, asked.history, Filters(doc_ids=(doc_id,)), followup)
            if holds_counterpart(again, doc_id, sentence):
                answer = again
                break
        else:  # no newer member holds the main sentence in its words: one may answer in others
            for doc_id in newer_members(answer, reader, in_scope):
                again = context.answer(asked.question, asked.history, Filters(doc_ids=(doc_id,)), followup)
                if speaks_of_the_same(again, answer, reader.kin):
                    answer = said_before(again, answer, reader)
                    break
        answer = widened_note(other_versions(answer, reader, in_scope), asked, context)
        return scoped(answer, asked, context, "followup" if followup else "plain")


def widened_note(answer: Answer, asked: Asked, context: Context) -> Answer:
    """A refusal within filters that left briefings out says what was searched and how to search them all."""
    scope = context.reader.scope(asked.filters)
    if not answer.abstained or asked.filters.is_empty() or scope.searched >= scope.total:
        return answer
    said = f"\n\n_{scope.describe()}: ask again without the filters to search all {scope.total:,}._"
    return answer.model_copy(update={"text": answer.text + said})


@dataclass(frozen=True)
class LanguageRoute:
    """A question confidently in another language than English (`qa.text.language`, at the fitted threshold) is
    answered with a message naming the language: the briefings are English, and no spelling suggestion is made
    for another language's words."""

    threshold: float
    english_below: float

    def answer(self, asked: Asked, context: Context) -> Answer | None:
        found = other_language(asked.text, self.threshold, self.english_below)
        if found is None:
            return None
        rest = f" Your question seems to be in {found.name} ({found.probability:.2f}): please ask it in English."
        refusal = _refusal(
            asked, "The briefings are in English.", f"the question seems to be in {found.name}", rest=rest
        )
        return scoped(refusal, asked, context)


@dataclass(frozen=True)
class SpellingRoute:
    """`routes` answer the question as typed; when they refuse it and it names what no briefing mentions but a
    name close to it is in the briefings ("Who is the president of Egipt?"), they are asked again with the
    names corrected, and an answer to that is given with `read_as` set (the question it answers) and the
    note that the typed name is in no briefing. Nothing is corrected behind a given answer, nor when the
    question is asked as typed."""

    routes: tuple[Route, ...]

    def answer(self, asked: Asked, context: Context) -> Answer | None:
        typed = answer_by_routes(self.routes, asked, context)
        corrected = typed.did_you_mean
        if not typed.abstained or not corrected or asked.as_typed:
            return typed
        again = answer_by_routes(self.routes, replace(asked, question=corrected, text=corrected), context)
        if again.abstained:
            return typed
        said = f"\n\n_Read as: “{corrected}” (no briefing mentions {_typed_names(asked.text, corrected)})._"
        return again.model_copy(update={"question": asked.text, "read_as": corrected, "text": again.text + said})


def _typed_names(typed: str, corrected: str) -> str:
    """The words of `typed` that `corrected` replaced, quoted and joined: “Egipt” and “Kazakstan”."""
    pairs = zip(re.findall(r"[\w'’-]+", typed), re.findall(r"[\w'’-]+", corrected), strict=False)
    changed = [f"“{a}”" for a, b in pairs if a != b]
    return " and ".join(changed) or f"“{typed}”"


ROUTES: tuple[Route, ...] = (SpellingRoute((ChangeRoute(), AsOfRoute((ComparisonRoute(), PlainRoute())))),)


def default_routes() -> tuple[Route, ...]:
    """The language check at the fitted threshold, then `ROUTES`."""
    fitted = default_readings()
    return (LanguageRoute(fitted.language_threshold, fitted.english_below), *ROUTES)
