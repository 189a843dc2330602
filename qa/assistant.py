"""The Assistant: opens an index generation, answers questions, and swaps to a newer generation
live when `qa index` writes one (checked at most once a second, verified before use; on any
failure the generation in use stays).

It wires retrieval and answering together and holds the only state: the loaded generation, its
BM25 table, the embedder and a cache of sentence vectors. It knows no screen and no CLI.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.answering.changes import (
    ChangeQuestion,
    change_answer,
    find_series,
    pick_members,
    read_change_question,
    series_diff,
    series_for,
)
from qa.answering.comparison import join_answers, read_comparison
from qa.answering.evidence import make_citation
from qa.answering.features import Candidates, Lookups, candidate_sentences, field_path, profiles_from_counts
from qa.answering.over_time import current_documents, newest_first, other_versions, read_as_of
from qa.answering.pipeline import answer
from qa.answering.questions import Question, analyse, clean_question, field_query
from qa.answering.weights import Weights, default_weights
from qa.answering.word_match import word_matches
from qa.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, QAError, QuestionError
from qa.index.embedding import Embedder, make_embedder
from qa.index.store import Generation, current_name, load_generation
from qa.index.sync import index_fingerprint
from qa.records import (
    Answer,
    Citation,
    Document,
    DocumentInfo,
    Filters,
    Hit,
    IndexStatus,
    Scope,
    SeriesDiff,
    SeriesInfo,
)
from qa.search.retrieval import (
    allowed_passages,
    describe_scope,
    document_matches,
    fuse,
    lexical_search,
    segmented_search,
    use_threads,
)
from qa.search.searcher import SearchIndex
from qa.search.spelling import corrected_question, unknown_name_notes
from qa.settings import Settings
from qa.text.documents import content_hash
from qa.text.series import Series, group_series

log = logging.getLogger(__name__)
_QUERIES_KEPT = 4096  # question vectors cached
_FIELDS_KEPT = 65536  # field-path vectors kept (most are views of the index's stored ones)
_HASHES_KEPT = 4096  # source-file hashes cached (by path, modification time and size)


@dataclass
class Retrieval:
    """What retrieval found for one question: both rankings, their fusion, and the vectors used."""

    index: SearchIndex  # the generation searched (a newer one may be served by the time it is answered)
    question: Question
    dense: list[tuple[int, float]]
    lexical: list[tuple[int, float]]
    hits: list[Hit]
    query_vector: np.ndarray | None
    focus_vector: np.ndarray | None
    filtered_out: bool = False


class Assistant:
    """Answers questions from one index folder. Use `Assistant.open(index_dir)`."""

    def __init__(
        self,
        index_dir: Path,
        generation: Generation,
        embedder: Embedder,
        settings: Settings,
        weights: Weights | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.settings = settings
        self.weights = weights or default_weights()
        use_threads(settings.threads)  # QA_THREADS, default 1: a single question's search contends on more
        self._check_compatible(generation)
        self._loaded = SearchIndex.build(generation)
        self._embed_lock = threading.Lock()
        self._swap_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._loader: threading.Thread | None = None  # a background swap in progress, if any
        self._failed: str | None = None  # the newest generation that failed to load
        self._last_check = time.monotonic()
        self._query_cache: dict[str, np.ndarray] = {}  # bounded: cleared past _QUERIES_KEPT (or what was primed)
        self._primed = 0
        self._series_cache: tuple[str, list[Series], dict[str, Series]] = ("", [], {})
        self._whole_scope: tuple[str, Scope | None] = ("", None)
        self._field_cache: dict[str, np.ndarray] = {}  # a field path's vector ("Population: total")
        self._profiles: dict[str, frozenset[int]] = {}  # per generation: the documents that are field profiles
        self._hashes: dict[tuple[str, int, int], str] = {}

    @classmethod
    def open(
        cls,
        index_dir: str | Path = "index",
        *,
        embedder: Embedder | None = None,
        settings: Settings | None = None,
        weights: Weights | None = None,
    ) -> Assistant:
        settings = settings or Settings.from_env()
        path = Path(index_dir)
        generation = load_generation(path)
        if embedder is None:
            embedder = make_embedder(settings.model, settings.batch_size, settings.threads)
        return cls(path, generation, embedder, settings, weights)

    def _check_compatible(self, generation: Generation) -> None:
        """Refuse an index built with another model or chunking configuration, naming the fix."""
        built_with = generation.manifest.get("model")
        rebuild = f"Rebuild it with `qa index CORPUS_DIR --index {self.index_dir} --rebuild`"
        if built_with != self.embedder.model_id:
            raise IndexMismatchError(
                f"The index in '{self.index_dir}' was built with the model '{built_with}', but the configured "
                f"model is '{self.embedder.model_id}'. {rebuild}, or set QA_MODEL={built_with}."
            )
        expected = index_fingerprint(self.settings, self.embedder.model_id)
        recorded = generation.manifest.get("settings") or {}
        differing = sorted(k for k in expected if recorded.get(k) != expected[k])
        if differing:
            details = ", ".join(f"{k} {recorded.get(k)!r} (now {expected[k]!r})" for k in differing)
            raise IndexMismatchError(
                f"The index in '{self.index_dir}' was built with other chunking settings: {details}. {rebuild}."
            )

    # --- generations -------------------------------------------------------------------------

    @property
    def generation(self) -> Generation:
        return self._loaded.generation

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
        if name is None or name == self._loaded.generation.name:
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
            if name == self._loaded.generation.name:
                return False
            try:
                generation = load_generation(self.index_dir, name)
                self._check_compatible(generation)
                loaded = SearchIndex.build(generation)
            except (IndexCorruptError, IndexNotFoundError, IndexMismatchError, OSError) as exc:
                log.warning("Keeping index generation %s: %s", self._loaded.generation.name, exc)
                self._failed = name
                return False
            self._loaded = loaded  # one reference swap: a question in flight keeps the generation it started with
            self._failed = None
            log.info("Now serving index generation %s", name)
            return True

    # --- answering ---------------------------------------------------------------------------

    def _embed_query(self, text: str, focus: str | None, also: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
        """The search vector, and the vector sentences are scored against.

        For a follow-up the search uses the earlier question too, while sentences are scored
        mostly against the new question, so "What about agriculture?" is about agriculture.
        """
        vectors = self._query_vectors([text, *also] if focus is None else [text, focus, *also])
        if focus is None:
            return vectors[0], vectors[0]
        mixed = 0.25 * vectors[0] + 0.75 * vectors[1]
        return vectors[0], mixed / max(float(np.linalg.norm(mixed)), 1e-9)

    def _query_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The model's vectors of question texts, through a bounded cache."""
        known = {t: self._query_cache[t] for t in texts if t in self._query_cache}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            with self._embed_lock:
                fresh = dict(zip(missing, self.embedder.embed(missing), strict=True))
            if len(self._query_cache) > max(_QUERIES_KEPT, self._primed):
                self._query_cache.clear()
            self._query_cache.update(fresh)
            known.update(fresh)
        return [known[t] for t in texts]

    def search(
        self, question: str, history: Sequence[str] | None = None, *, filters: Filters | None = None
    ) -> Retrieval:
        """Clean and read the question, then retrieve: dense and BM25 rankings and their fusion."""
        self.refresh()
        loaded = self._loaded
        generation = loaded.generation
        text = clean_question(question, self.settings.max_question_chars)
        earlier = [
            clean_question(h, self.settings.max_question_chars)
            for h in (history or [])
            if isinstance(h, str) and h.strip()
        ]
        parsed = analyse(text, earlier)
        filters = filters or Filters()
        allowed = (
            None
            if filters.is_empty()
            else allowed_passages(generation.documents.info, generation.passage_docs, filters)
        )
        if allowed is not None and len(allowed) == 0:
            return Retrieval(loaded, parsed, [], [], [], None, None, filtered_out=True)
        if allowed is None:
            allowed = generation.live_passages()  # None unless some document was removed from its segment
        # the field-path query answering will compare with is embedded in the same batch (one forward pass)
        query_vector, focus_vector = self._embed_query(
            parsed.search_text, parsed.text if parsed.followup else None, also=(field_query(parsed),)
        )
        k = self.settings.candidates
        dense = segmented_search(generation.dense.parts, query_vector, k, allowed)
        lexical = lexical_search(loaded.bm25, parsed.terms, k, allowed)
        hits = fuse(dense, lexical, self.settings.rrf_k, self.settings.dense_weight, self.settings.lexical_weight)
        hits = self._with_dense_scores(generation, hits, query_vector)
        return Retrieval(loaded, parsed, dense, lexical, hits, query_vector, focus_vector)

    def answer_from(
        self, retrieval: Retrieval, weights: Weights | None = None, abstain_below: float | None = None
    ) -> Answer:
        """Compose the cited answer from a retrieval (the benchmark varies `weights` here)."""
        generation = retrieval.index.generation
        parsed = retrieval.question
        version = f"{generation.name} ({generation.manifest.get('created_at', '')})"
        if retrieval.filtered_out or retrieval.focus_vector is None:
            return Answer(
                question=parsed.text,
                text="**No briefing matches the filters.** Widen the document or date filters and ask again.",
                abstained=True,
                confidence=0.0,
                question_type=parsed.kind,
                resolved_question=parsed.search_text,
                index_version=version,
                notice="no documents match the filters",
            )
        weights = weights or self.weights
        result = answer(
            self.candidates(retrieval, weights),
            top_passages=self.settings.top_passages,
            rerank_depth=self.settings.rerank_depth,
            max_quotes=self.settings.max_quotes,
            nearest_shown=self.settings.nearest_shown,
            abstain_below=self.settings.abstain_below if abstain_below is None else abstain_below,
            weights=weights,
            notes=unknown_name_notes(parsed.written_names, retrieval.index.vocabulary),
        )
        corrected = corrected_question(parsed.text, parsed.written_names, retrieval.index.vocabulary)
        return result.model_copy(update={"index_version": version, "did_you_mean": corrected})

    def candidates(self, retrieval: Retrieval, weights: Weights | None = None) -> Candidates:
        """What answering reads of a retrieval (it must have searched: `focus_vector` set)."""
        assert retrieval.focus_vector is not None, "nothing was searched"
        return Candidates(
            retrieval.index.generation,
            retrieval.question,
            retrieval.hits,
            retrieval.focus_vector,
            self.sentence_vectors(retrieval),
            retrieval.index.bm25.term_idf,
            self.lookups(retrieval, weights),
        )

    def sentence_vectors(self, retrieval: Retrieval) -> dict[int, np.ndarray]:
        """Vectors of the candidate sentences of a retrieval's passages (stored in the index)."""
        generation = retrieval.index.generation
        matrix = generation.sentence_vectors
        candidates = candidate_sentences(generation, retrieval.hits, self.settings.passages_read)
        return {sid: matrix[sid] for sid, _ in candidates}

    def word_matches(self, retrieval: Retrieval) -> dict[int, tuple[float, ...]]:
        """`qa.answering.word_match.word_matches` of a retrieval's candidate sentences."""
        return word_matches(
            retrieval.index.generation,
            retrieval.question,
            retrieval.hits,
            self.settings.passages_read,
            self._piece_vectors,
        )

    def lookups(self, retrieval: Retrieval, weights: Weights | None = None) -> Lookups:
        """What answering reads that takes the model or the whole index: word and field matches (only where
        `weights` count them) and the field profiles."""
        weights = weights or self.weights
        return Lookups(
            word_matches=self.word_matches(retrieval) if weights.reads_words else {},  # unused: skip the tokenizer
            field_matches=self.field_matches(retrieval) if weights.reads_fields else {},
            profiles=self.profiles(retrieval.index.generation),
        )

    def profiles(self, generation: Generation) -> frozenset[int]:
        """The documents of `generation` that are field profiles (counted when it was written)."""
        if generation.name not in self._profiles:
            self._profiles = {generation.name: profiles_from_counts(generation.documents.info)}
        return self._profiles[generation.name]

    def field_matches(self, retrieval: Retrieval) -> dict[int, float]:
        """Each candidate sentence's cosine between the question and its field path, by the model: how
        "How many people live in Peru?" reaches `Population: total` without sharing a word with it."""
        generation = retrieval.index.generation
        if retrieval.focus_vector is None:
            return {}
        focus = self._query_vectors([field_query(retrieval.question)])[0]
        candidates = candidate_sentences(generation, retrieval.hits, self.settings.passages_read)
        paths = {sid: field_path(generation, generation.sentences[sid]) for sid, _ in candidates}
        missing = [p for p in dict.fromkeys(paths.values()) if p and p not in self._field_cache]
        if missing:  # stored with the index when its segments were written; embedded here only if not
            if len(self._field_cache) > _FIELDS_KEPT:
                self._field_cache.clear()
            self._field_cache.update(generation.field_vectors(missing))
        self._embed_fields([p for p in paths.values() if p])
        return {sid: float(np.dot(focus, self._field_cache[p])) for sid, p in paths.items() if p}

    def prime_fields(self) -> None:
        """Embed every field path of the served index ahead of time (a benchmark's warm-up); answers are unchanged."""
        generation = self.generation
        self._embed_fields([field_path(generation, s) for s in generation.sentences if s.section])

    def _embed_fields(self, paths: Sequence[str]) -> None:
        self._embed_into(self._field_cache, paths)

    def _embed_into(self, cache: dict[str, np.ndarray], texts: Sequence[str]) -> None:
        """Embed the texts `cache` lacks, in batches, into it."""
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        for i in range(0, len(missing), 256):
            batch = missing[i : i + 256]
            with self._embed_lock:
                vectors = self.embedder.embed(batch)
            cache.update(zip(batch, vectors, strict=True))

    def _piece_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        with self._embed_lock:  # the tokenizer is not safe to share between threads
            return self.embedder.piece_vectors(texts)

    def ask(self, question: str, history: Sequence[str] | None = None, *, filters: Filters | None = None) -> Answer:
        """Answer `question`; `history` is the list of earlier questions, oldest first. A comparison of two named
        sides ("Which has a larger population, Mexico or Russia?") asks each side on its own and quotes both."""
        text = clean_question(question, self.settings.max_question_chars)
        filters = filters or Filters()
        comparison = read_comparison(text)
        change = read_change_question(text)
        changes = self._changes(text, change) if change is not None else None
        as_of = read_as_of(text) if changes is None else None
        if as_of is not None:  # "What did the briefings say in 2025 about …?": only those current then
            current = current_documents(self._series(), as_of)
            chosen = sorted(current & set(filters.doc_ids) if filters.doc_ids else current)
            if not chosen:
                changes = Answer(question=text, text=f"**No briefing was current in {as_of}.** Ask without the date to "
                                 "search them all.", abstained=True, confidence=0.0, resolved_question=text,
                                 notice=f"no briefing dated {as_of} or earlier")  # fmt: skip
            filters = filters.model_copy(update={"doc_ids": tuple(chosen)})
        if changes is not None:
            result = changes
        elif comparison is not None:
            first, second = (self.answer_from(self.search(q, filters=filters)) for q in comparison.questions)
            result = join_answers(text, comparison, (first, second)).model_copy(
                update={"index_version": first.index_version}
            )
        else:
            result = self._over_time(
                self.answer_from(self.search(question, history, filters=filters)), question, history, filters
            )
        scope = self._scope(filters).model_copy(update={"as_of": as_of})
        return self.flag_changed(result.model_copy(update={"scope": scope}))

    def _scope(self, filters: Filters) -> Scope:
        """What a question searched; with no filter, counted once per generation (it is the whole index)."""
        if not filters.is_empty():
            return describe_scope(self.generation.documents.info, filters)
        name = self.generation.name
        if self._whole_scope[0] != name:
            self._whole_scope = (name, describe_scope(self.generation.documents.info, filters))
        scope = self._whole_scope[1]
        assert scope is not None
        return scope

    def _changes(self, question: str, change: ChangeQuestion) -> Answer | None:
        """A "what changed?" question answered from the diff of the series it names (or the only one); None
        when the corpus has no series of several briefings (the question is then answered as any other)."""
        found = self._series()
        several = [s for s in found if len(s.members) > 1]
        if not several:
            return None
        series = series_for(change, found)
        if series is None:
            names = "; ".join(s.name for s in several[:8])
            return Answer(
                question=question,
                text=f"**Which series do you mean?** These have more than one briefing: {names}. "
                f"Name one, for example: “What changed in {several[0].name} since the last update?”",
                abstained=True,
                confidence=0.0,
                question_type="change",
                resolved_question=question,
                notice="name the series",
            )
        try:
            old, new = pick_members(series, None, change.date)
        except QuestionError as exc:
            return Answer(question=question, text=f"**{exc}**", abstained=True, confidence=0.0,
                          question_type="change", resolved_question=question, notice=str(exc))  # fmt: skip
        view = _Sentences(self.generation)
        diff = series_diff(view, series, old.doc_id, new.doc_id)
        answer = change_answer(question, diff, lambda n, q: view.citation(n, q.doc_id, q.start, q.end))
        version = f"{self.generation.name} ({self.generation.manifest.get('created_at', '')})"
        return answer.model_copy(update={"index_version": version})

    def _over_time(self, answer: Answer, question: str, history: Sequence[str] | None, filters: Filters) -> Answer:
        """Newest first within a series, and the other updates' differing versions quoted below
        (`qa.answering.over_time`)."""
        view = _Sentences(self.generation, self._series_index())
        infos = self.generation.documents.info
        by_id = self.generation.doc_by_id

        def in_scope(doc_id: str) -> bool:
            return doc_id in by_id and document_matches(infos[by_id[doc_id]], filters)

        def ask_within(doc_id: str) -> Answer:
            return self.answer_from(self.search(question, history, filters=Filters(doc_ids=(doc_id,))))

        return other_versions(newest_first(answer, view, in_scope, ask_within), view, in_scope)

    def _series(self) -> list[Series]:
        """The served generation's series, grouped once per generation."""
        self._series_index()
        return self._series_cache[1]

    def _series_index(self) -> dict[str, Series]:
        """Each document's series, for the served generation (grouped once per generation)."""
        name = self.generation.name
        if self._series_cache[0] != name:
            grouped = group_series(self._series_rows())
            self._series_cache = (name, grouped, {m.doc_id: g for g in grouped for m in g.members})
        return self._series_cache[2]

    def flag_changed(self, answer: Answer) -> Answer:
        """Mark each citation whose source file no longer has the indexed bytes (edited or removed)."""
        corpus = self.generation.manifest.get("corpus")
        if not corpus or not (answer.citations or answer.nearest):
            return answer

        def check(citation: Citation) -> Citation:
            current = self._file_hash(Path(corpus) / citation.source)
            return citation.model_copy(update={"changed_since_indexed": current != citation.sha256})

        return answer.model_copy(
            update={"citations": [check(c) for c in answer.citations], "nearest": [check(c) for c in answer.nearest]}
        )

    def _file_hash(self, path: Path) -> str | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        known = self._hashes.get(key)
        if known is None:
            try:
                known = content_hash(path.read_bytes())
            except OSError:
                return None
            if len(self._hashes) >= _HASHES_KEPT:  # bounded: forget the oldest half
                for old in list(self._hashes)[: _HASHES_KEPT // 2]:
                    self._hashes.pop(old, None)
            self._hashes[key] = known
        return known

    def prime(self, questions: Sequence[str]) -> None:
        """Embed many questions (and, where the weights read field matches, the questions less their names) in
        batches ahead of time; answers are unchanged."""
        texts = list(questions)
        if self.weights.reads_fields:
            texts += [field_query(analyse(clean_question(q, self.settings.max_question_chars))) for q in questions]
        self._primed = max(self._primed, len(self._query_cache) + len(texts))  # what a benchmark primes stays
        self._embed_into(self._query_cache, texts)

    def _with_dense_scores(self, generation: Generation, hits: list[Hit], query_vector: np.ndarray) -> list[Hit]:
        """Lexical-only hits among the passages answering reads get their true cosine, not 0."""
        top = self.settings.passages_read
        fixed = []
        for i, hit in enumerate(hits):
            if i < top and hit.dense == 0.0:
                vector = np.asarray(generation.index.reconstruct(hit.pid), dtype=np.float32)
                hit = hit.model_copy(update={"dense": float(np.dot(vector, query_vector))})
            fixed.append(hit)
        return fixed

    # --- corpus information ------------------------------------------------------------------

    def document(self, doc_id: str) -> Document:
        generation = self.generation
        index = generation.doc_by_id.get(doc_id)
        if index is None:
            raise QAError(f"No document '{doc_id}' in the index.")
        return generation.documents[index]

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The extracted text of each of `doc_ids` the served index holds (others are left out)."""
        generation = self.generation
        return {d: generation.documents[generation.doc_by_id[d]].text for d in doc_ids if d in generation.doc_by_id}

    def all_documents(self) -> list[Document]:
        """Every document of the served index, with its text (read from disk: for small corpora and tests)."""
        return list(self.generation.documents)

    def newest_documents(self, count: int) -> list[Document]:
        """The `count` most recently dated documents, with their text."""
        infos = self.generation.documents.info
        order = sorted(range(len(infos)), key=lambda i: infos[i].date or "", reverse=True)
        return [self.generation.documents[i] for i in order[:count]]

    def series(self) -> list[SeriesInfo]:
        """The corpus's series of dated briefings (`qa.text.series`), each with its members oldest first; a
        briefing alone in its series is a series of one."""
        infos = {d.doc_id: d for d in self.generation.documents.info}
        grouped = self._series()
        return [SeriesInfo(name=g.name, members=tuple(infos[m.doc_id] for m in g.members)) for g in grouped]

    def diff(self, series: str, date_from: str | None = None, date_to: str | None = None) -> SeriesDiff:
        """What changed in a series between two of its briefings: by default its newest and the one before;
        `date_from` / `date_to` (ISO prefixes) pick the last briefing dated on or before each."""
        found = find_series(self._series(), series)
        old, new = pick_members(found, date_from, date_to)
        return series_diff(_Sentences(self.generation), found, old.doc_id, new.doc_id)

    def _series_rows(self) -> list[tuple[str, str, str | None, str | None]]:
        return [(d.doc_id, d.title, d.date, d.series) for d in self.generation.documents.info]

    def documents(self) -> list[DocumentInfo]:
        """What the corpus panel shows of each document (stored with the generation: nothing is counted here)."""
        return list(self.generation.documents.info)

    def status(self) -> IndexStatus:
        generation = self.generation
        return IndexStatus(
            generation=generation.name,
            built_at=str(generation.manifest.get("created_at", "")),
            model=str(generation.manifest.get("model", "")),
            documents=len(generation.documents),
            passages=int(generation.manifest.get("counts", {}).get("passages", len(generation.passages))),
            sentences=int(generation.manifest.get("counts", {}).get("sentences", len(generation.sentences))),
        )


class _Sentences:
    """What `qa.answering.changes` and `over_time` read of a generation: documents, their sentences' spans and
    citations, by doc id; each document's series."""

    def __init__(self, generation: Generation, series: dict[str, Series] | None = None) -> None:
        self._generation, self._series = generation, series or {}

    def series_of(self, doc_id: str) -> Series | None:
        return self._series.get(doc_id)

    def citation(self, n: int, doc_id: str, start: int, end: int) -> Citation:
        sentences = self._generation.sentences
        for sid in sentences.of_document(self._generation.doc_by_id[doc_id]):
            if (sentences[sid].start, sentences[sid].end) == (start, end):
                return make_citation(self._generation, n, sid, 0.0)
        raise ValueError(f"no sentence of {doc_id} at {start}–{end}")

    def document(self, doc_id: str) -> Document:
        return self._generation.documents[self._generation.doc_by_id[doc_id]]

    def info(self, doc_id: str) -> DocumentInfo:
        return self._generation.documents.info[self._generation.doc_by_id[doc_id]]

    def spans(self, doc_id: str) -> list[tuple[int, int]]:
        sentences = self._generation.sentences
        return [
            (sentences[i].start, sentences[i].end) for i in sentences.of_document(self._generation.doc_by_id[doc_id])
        ]
