"""The Assistant: the one object a shell holds. It opens an index, answers, and swaps to a newer generation
live when `qa index` writes one (checked at most once a second, loaded on a background thread, verified
before use; on any failure the generation in use stays).

Each question is pinned to the `IndexReader` in use when it arrives: retrieval, answering, the over-time
checks, the scope and the citations all read that one generation, whatever is swapped in meanwhile. The
question is answered by the first of the routes (`qa.assistant.routes`) that reads it as its kind. The
Assistant holds only what outlives a question: the reader in use, the query encoder, the file hashes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from qa.answering.bold import default_bold
from qa.answering.changes import find_series, pick_members, series_diff
from qa.answering.features import field_path
from qa.answering.field_map import default_field_map
from qa.answering.questions import analyse, clean_question, field_query
from qa.answering.readings import Reading
from qa.answering.weights import Weights, default_weights
from qa.assistant.encoder import QueryEncoder
from qa.assistant.examples import SHOWN, TRIED, answered_examples, candidate_questions, read_examples, write_examples
from qa.assistant.provenance import FileHashes, flag_changed
from qa.assistant.reader import IndexReader, check_compatible
from qa.assistant.readers import QuestionReader, default_forms, default_reader
from qa.assistant.retrieve import Retrieval, answer_retrieval, read_question, retrieve
from qa.assistant.routes import PLAIN, Asked, Context, Route, answer_by_routes, default_routes
from qa.assistant.standing import RecheckReport, StandingStore, now_iso, recheck, seen_from
from qa.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, QAError
from qa.index.embedding import Embedder, make_embedder
from qa.index.reader import CrossReader
from qa.index.store import Generation, current_name, load_generation
from qa.records import (
    Answer,
    Document,
    DocumentInfo,
    Filters,
    IndexStatus,
    SeriesDiff,
    SeriesInfo,
    StandingQuestion,
)
from qa.search.retrieval import use_threads
from qa.settings import Settings

log = logging.getLogger(__name__)


WARM_UP_QUESTION = "What do the briefings say?"  # asked once by `Assistant.warm`, its answer dropped


class Assistant:
    """Answers questions from one index folder. Use `Assistant.open(index_dir)`."""

    def __init__(
        self,
        index_dir: Path,
        generation: Generation,
        embedder: Embedder,
        settings: Settings,
        weights: Weights | None = None,
        routes: Sequence[Route] | None = None,
        reader: QuestionReader | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.settings = settings
        self.weights = weights or default_weights()
        self.encoder = QueryEncoder(embedder, field_map=default_field_map(embedder.model_id))
        self.routes = tuple(default_routes() if routes is None else routes)
        self.bold = default_bold(
            embedder.model_id
        )  # the bold short answer's model: under its threshold, no phrase is bold
        self.question_reader = reader or default_reader(embedder.model_id)  # how a question is read
        self.forms = default_forms(embedder.model_id)  # which form of answer it asks for (a quantity, a list)
        # the learned reader (QA_READER=on): re-orders the best few sentences; off by default (docs/reader.md)
        self.sentence_reader = CrossReader(embedder.model_id, settings.threads) if settings.reader == "on" else None
        self.hashes = FileHashes()
        use_threads(settings.threads)  # QA_THREADS, default 1: a single question's search contends on more
        check_compatible(generation, self.encoder.model_id, self.settings, self.index_dir)
        self._reader = IndexReader(generation)
        self._load_lock, self._swap_lock = threading.Lock(), threading.Lock()
        self._loader: threading.Thread | None = None  # a background swap in progress, if any
        self._failed: str | None = None  # the newest generation that failed to load
        self._last_check = time.monotonic()

    @classmethod
    def open(
        cls,
        index_dir: str | Path = "index",
        *,
        embedder: Embedder | None = None,
        settings: Settings | None = None,
        weights: Weights | None = None,
        reader: QuestionReader | None = None,
    ) -> Assistant:
        settings = settings or Settings.from_env()
        path = Path(index_dir)
        generation = load_generation(path)
        if embedder is None:
            embedder = make_embedder(settings.model, settings.batch_size, settings.threads, settings.backend)
        return cls(path, generation, embedder, settings, weights, reader=reader)

    # --- the generation in use ---------------------------------------------------------------

    @property
    def reader(self) -> IndexReader:
        """The reader of the generation in use now (a question pins the one it started with)."""
        return self._reader

    @property
    def generation(self) -> Generation:
        return self._reader.generation

    @property
    def abstain_below(self) -> float:
        """The confidence under which answers quoting prose abstain: the setting, else the weights' fitted threshold."""
        return self.weights.abstain_below if self.settings.abstain_below is None else self.settings.abstain_below

    @property
    def thresholds(self) -> str:
        """The abstention thresholds in words: one, or one for prose and one for lines of field profiles."""
        profile = self.weights.profile_confidence
        if self.settings.abstain_below is not None or profile is None or profile.abstain_below is None:
            return f"{self.abstain_below}"
        return f"{self.abstain_below} for prose, {profile.abstain_below} for lines of field profiles"

    def refresh(self, force: bool = False) -> bool:
        """Swap in a newer generation if one was written; keep the current one on any failure.

        Asked while answering (at most once a second), it only starts loading a newer generation on a background
        thread and answers from the current one meanwhile: no question waits for an index to load. `force` loads
        it now, on the calling thread, and says whether it was swapped in."""
        now = time.monotonic()
        if not force and now - self._last_check < 1.0:
            return False
        self._last_check = now
        name = current_name(self.index_dir)
        if name is None or name == self._reader.name:
            return False
        if force:
            return self._swap_to(name)
        if name == self._failed:
            return False  # already tried and refused: wait for the next generation
        with self._swap_lock:
            if self._loader is None or not self._loader.is_alive():
                self._loader = threading.Thread(target=self._swap_to, args=(name,), name="qa-index-swap", daemon=True)
                self._loader.start()
        return False

    def wait_for_swap(self, timeout: float | None = None) -> None:
        """Wait until a background swap started by `refresh` has finished (tests, tools)."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)

    def _swap_to(self, name: str) -> bool:
        with self._load_lock:  # one load at a time; answers go on reading the current generation meanwhile
            if name == self._reader.name:
                return False
            try:
                generation = load_generation(self.index_dir, name)
                check_compatible(generation, self.encoder.model_id, self.settings, self.index_dir)
            except (IndexCorruptError, IndexNotFoundError, IndexMismatchError, OSError) as exc:
                log.warning("Keeping index generation %s: %s", self._reader.name, exc)
                self._failed = name
                return False
            self._reader = IndexReader(generation)  # one reference swap: questions in flight keep their reader
            self._failed = None
            log.info("Now serving index generation %s", name)
            return True

    # --- answering ---------------------------------------------------------------------------

    def context(self) -> Context:
        """What one question reads, pinned now: the reader in use and the collaborators."""
        self.refresh()
        return Context(
            self._reader, self.encoder, self.settings, self.weights, self.bold, self.forms, self.sentence_reader
        )

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        plain: bool = False,
    ) -> Answer:
        """Answer `question`; `history` is the list of earlier questions, oldest first. `plain` asks it as typed: as
        a plain question, whatever the reading model makes of it, and with no name corrected (the answer's "ask
        it plainly instead" and "ask it as typed")."""
        context = self.context()
        text = clean_question(question, self.settings.max_question_chars)
        earlier = tuple(h for h in history or () if isinstance(h, str) and h.strip())
        reading = PLAIN if plain else self.read(text, bool(earlier))
        asked = Asked(question, text, tuple(history or ()), filters or Filters(), reading, as_typed=plain)
        answer = answer_by_routes(self.routes, asked, context)
        return flag_changed(answer, context.reader.generation.manifest.get("corpus"), self.hashes)

    def read(self, text: str, has_history: bool) -> Reading:
        """How the reading model reads a cleaned question. Its vector is embedded with the field-path query
        retrieval will need, in one forward pass, and both stay cached for the retrieval that follows."""
        vector = self.encoder.vectors([text, field_query(analyse(text))])[0]
        return self.question_reader.read(text, vector, has_history)

    def search(
        self, question: str, history: Sequence[str] | None = None, *, filters: Filters | None = None
    ) -> Retrieval:
        """Retrieval alone, from the generation in use: the question read, both rankings and their fusion."""
        return retrieve(
            self.context().reader, self.encoder, self.settings, question, history, filters, forms=self.forms
        )

    def answer_from(
        self, retrieval: Retrieval, weights: Weights | None = None, abstain_below: float | None = None
    ) -> Answer:
        """The cited answer composed from a retrieval, from its own generation (benchmarks vary `weights`)."""
        return answer_retrieval(
            retrieval,
            self.encoder,
            self.settings,
            weights or self.weights,
            abstain_below,
            bold=self.bold,
            sentence_reader=self.sentence_reader,
        )

    def warm(self) -> None:
        """Load what a first question would otherwise wait for (the model, the language identifier, the reading
        models, the series): one question asked and its answer dropped. The app and each `qa serve` replica call
        it before they take questions; answers are unchanged."""
        with contextlib.suppress(QAError):
            self.ask(WARM_UP_QUESTION)

    def prime(self, questions: Sequence[str]) -> None:
        """Embed many questions (and, where the weights read field matches, the questions less their names) in
        batches ahead of time; answers are unchanged."""
        texts = list(questions)
        if self.weights.reads_fields:
            texts += [field_query(read_question(q, None, self.settings)) for q in questions]
        self.encoder.prime(texts)

    def prime_fields(self) -> None:
        """Embed every field path of the index in use ahead of time (a benchmark's warm-up); answers are unchanged."""
        generation = self.generation
        self.encoder.prime_fields([field_path(generation, s) for s in generation.sentences if s.section])

    # --- the corpus --------------------------------------------------------------------------

    def diff(self, series: str, date_from: str | None = None, date_to: str | None = None) -> SeriesDiff:
        """What changed in a series between two of its briefings: by default its newest and the one before;
        `date_from` / `date_to` (ISO prefixes) pick the last briefing dated on or before each."""
        reader = self.context().reader
        found = find_series(reader.series, series)
        old, new = pick_members(found, date_from, date_to)
        return series_diff(reader, found, old.doc_id, new.doc_id)

    def series(self) -> list[SeriesInfo]:
        """The corpus's series of dated briefings, each with its members oldest first (one alone: a series of one)."""
        return self._reader.series_infos()

    def documents(self) -> list[DocumentInfo]:
        """What the corpus panel shows of each document (stored with the generation: nothing is counted here)."""
        return list(self._reader.infos)

    def document(self, doc_id: str) -> Document:
        return self._reader.document_or_error(doc_id)

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The extracted text of each of `doc_ids` the index in use holds (others are left out)."""
        return self._reader.texts(doc_ids)

    def all_documents(self) -> list[Document]:
        """Every document of the index in use, with its text (read from disk: for small corpora and tests)."""
        return list(self.generation.documents)

    def examples(self, count: int = SHOWN) -> list[str]:
        """Example questions this index answers (`qa.assistant.examples`): those stored for the generation in use,
        else drawn from its newest briefings, asked, kept when answered, and stored."""
        reader = self.context().reader
        stored = read_examples(self.index_dir, reader.name)
        if stored is not None:
            return stored[:count]
        kept = answered_examples(self.ask, candidate_questions(reader.newest(5), TRIED), count)
        write_examples(self.index_dir, reader.name, kept)
        return kept

    # --- standing questions (`qa.assistant.standing`) ---------------------------------------------

    def standing(self) -> StandingStore:
        """The standing questions kept beside this index."""
        return StandingStore(self.index_dir)

    def keep_watching(self, question: str, filters: Filters | None = None) -> StandingQuestion:
        """Keep `question` standing: answered now (that answer taken as seen) and again at every commit."""
        name = self.context().reader.name
        answer = self.ask(question, filters=filters)
        return self.standing().add(question, filters or Filters(), seen_from(answer, name, now_iso()))

    def recheck_standing(self) -> RecheckReport:
        """Answer every standing question against the newest commit and record what changed since last seen."""
        self.refresh(force=True)
        self.wait_for_swap()
        name = self.context().reader.name
        ask = lambda question, filters: self.ask(question, filters=filters)  # noqa: E731
        return recheck(self.standing(), ask, name, prime=self.prime)  # the questions embedded in one batch first

    def newest_documents(self, count: int) -> list[Document]:
        """The `count` most recently dated documents, with their text."""
        return self._reader.newest(count)

    def status(self) -> IndexStatus:
        return self._reader.status()
