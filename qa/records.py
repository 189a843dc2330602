"""Typed records shared by every layer: documents, sentences, passages, hits, citations, answers.

Records only hold data. They do not load files, embed text or search; the modules above them do.
Offsets are always character offsets into `Document.text`, end exclusive, so that
`document.text[start:end]` is exactly the quoted string.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """Base for immutable records; unknown fields are rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(Frozen):
    """A heading span inside a document's text."""

    level: int
    start: int
    end: int
    title: str


class Extracted(Frozen):
    """What a loader returns: plain text plus the structure it could see.

    `headings` is empty when the format carries no explicit headings (plain text); the chunker
    then guesses headings from short unpunctuated lines. `pages` holds the start offset of each
    page, for formats that have pages.
    """

    text: str
    headings: tuple[Section, ...] = ()
    pages: tuple[int, ...] = ()
    structured: bool = False


class Document(Frozen):
    """One briefing, as extracted: the unit that citations are pinned to."""

    doc_id: str  # the path relative to the corpus folder, with forward slashes
    source: str
    title: str
    date: str | None = None  # ISO 8601, as precise as the document says: YYYY, YYYY-MM or YYYY-MM-DD
    text: str
    sha256: str  # of the file's bytes: a citation is pinned to this version
    format: str
    headings: tuple[Section, ...] = ()
    pages: tuple[int, ...] = ()
    structured: bool = False
    series: str | None = None  # named by the document itself (front matter `series:`); else read from the title


class Sentence(Frozen):
    """A quotable sentence (or field line) with its exact place in its document."""

    sid: int
    doc: int  # index into the generation's document list
    start: int
    end: int
    para_start: int  # the paragraph (block) that holds the sentence
    para_end: int
    section: tuple[str, ...] = ()  # heading path, outermost first
    passage: int = -1


class Passage(Frozen):
    """Consecutive sentences of one document section, embedded and searched as one unit."""

    pid: int
    doc: int
    start: int
    end: int
    first_sentence: int
    last_sentence: int  # inclusive
    section: tuple[str, ...] = ()
    text: str  # what is embedded and searched: title, section and the sentences


class Hit(Frozen):
    """A retrieved passage with its scores (dense cosine, BM25, fused)."""

    pid: int
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    rank: int = 0


class Citation(Frozen):
    """A verbatim quote pinned to a document version and character offsets."""

    n: int
    doc_id: str
    title: str
    date: str | None
    source: str
    section: str = ""
    quote: str
    start: int
    end: int
    score: float
    sha256: str = ""
    page: int | None = None
    context_before: str = ""
    context_after: str = ""
    paragraph_start: int = 0
    paragraph_end: int = 0
    changed_since_indexed: bool | None = None  # the source file's bytes differ from the indexed version


class Scope(Frozen):
    """What a question searched: how many of the index's briefings, their date span, and the filters that chose them."""

    searched: int
    total: int
    first_date: str | None = None  # the earliest and latest dates of the searched briefings
    last_date: str | None = None
    doc_ids: tuple[str, ...] = ()  # the filters as given
    date_from: str | None = None
    date_to: str | None = None
    as_of: str | None = None  # the question asked the briefings' word as of this date: the ones current then

    @property
    def filtered(self) -> bool:
        return bool(self.doc_ids) or self.date_from is not None or self.date_to is not None

    def describe(self) -> str:
        """ "Searched 1 of 83 briefings, 2025-07 (briefing filter)"."""
        noun = "briefing" if self.total == 1 else "briefings"
        text = f"Searched {'all ' if not self.filtered and self.total > 1 else ''}{self.searched:,} of {self.total:,} {noun}"
        if not self.filtered and self.total <= 1:
            text = f"Searched {self.searched:,} {noun}"
        if self.first_date:
            span = self.first_date if self.first_date == self.last_date else f"{self.first_date} to {self.last_date}"
            text += f", {span}"
        chosen = []
        if self.as_of:
            chosen.append(f"as they stood in {self.as_of}")
        elif self.doc_ids:
            chosen.append(f"{len(self.doc_ids):,} chosen")
        if self.date_from or self.date_to:
            chosen.append(f"dated {self.date_from or 'any'} to {self.date_to or 'any'}")
        return text + (f" ({'; '.join(chosen)})" if chosen else "")


class Answer(Frozen):
    """The composed answer: Markdown text with [n] markers, and the citations those markers name."""

    question: str
    text: str
    short_answer: str | None = None
    abstained: bool
    confidence: float = Field(ge=0.0, le=1.0)
    citations: list[Citation] = Field(default_factory=list)
    nearest: list[Citation] = Field(default_factory=list)
    question_type: str = "other"
    resolved_question: str = ""
    index_version: str = ""
    notice: str | None = None
    # what the confidence checks found wrong with the first quote (or, when abstaining, the closest one)
    checks: list[str] = Field(default_factory=list)
    scope: Scope | None = None  # which briefings were searched (set by `Assistant.ask`)
    did_you_mean: str | None = None  # the question with each name no briefing mentions replaced by the closest one
    # the question this answer answers when it is not the one typed: the names no briefing mentions corrected
    # (`qa.assistant.routes.SpellingRoute`; the typed question was refused)
    read_as: str | None = None
    # how the question was read (plain, change, as_of, comparison, followup: `qa.answering.readings`) and the
    # reading model's probability for it (None: not read by a model, for example asked to be read as plain)
    reading: str = "plain"
    # the bold short answer's own probability of being right (`qa.answering.bold`); None: no model judged it
    bold_confidence: float | None = None
    reading_confidence: float | None = None
    # the numbers of the citations that quote another update of the main quote's series saying otherwise
    other_versions: list[int] = Field(default_factory=list)
    sides: list[str] = Field(default_factory=list)  # a comparison's two sides, in the order of its citations
    changes: SeriesDiff | None = None  # a "what changed?" question: the diff its lines quote


class Filters(Frozen):
    """Restrict retrieval to some documents and/or a date range (inclusive, ISO prefixes)."""

    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def is_empty(self) -> bool:
        return not self.doc_ids and self.date_from is None and self.date_to is None


class Turn(Frozen):
    """One question of a chat conversation: as asked, when, under which filters, and its answer or error."""

    question: str
    asked_at: str  # ISO 8601, UTC
    filters: Filters = Field(default_factory=Filters)
    answer: Answer | None = None
    error: str | None = None


class DocumentInfo(Frozen):
    """What the corpus panel and `qa status` show of one indexed document."""

    doc_id: str
    title: str
    date: str | None
    sha256: str
    passages: int
    sentences: int
    chars: int
    labelled_lines: int = 0  # sentences that are `**label:** value` field lines (what makes a field profile)
    series: str | None = None  # as the document names it (front matter); `qa.text.series` reads the rest


class SeriesInfo(Frozen):
    """Dated briefings of one series (`qa.text.series`), oldest first."""

    name: str
    members: tuple[DocumentInfo, ...]


class Quoted(Frozen):
    """One sentence of one version of a briefing, pinned by offsets, with the spans of the words that changed."""

    doc_id: str
    date: str | None
    start: int
    end: int
    text: str
    sha256: str = ""
    marks: tuple[tuple[int, int], ...] = ()  # absolute offsets in the document of the changed words


class DiffLine(Frozen):
    kind: Literal["changed", "added", "removed"]
    old: Quoted | None = None
    new: Quoted | None = None


class SeriesDiff(Frozen):
    """What changed between two members of a series, sentence by sentence (`qa.text.diffing`)."""

    series: str
    old: DocumentInfo
    new: DocumentInfo
    lines: list[DiffLine] = Field(default_factory=list)
    unchanged: int = 0  # sentences the same in both

    def counts(self) -> dict[str, int]:
        return {kind: sum(line.kind == kind for line in self.lines) for kind in ("changed", "added", "removed")}


class IndexStatus(Frozen):
    generation: str
    built_at: str
    model: str
    documents: int
    passages: int
    sentences: int


class AnswerSeen(Frozen):
    """A standing question's answer at one re-check: what the next re-check compares against."""

    answered: bool
    short_answer: str | None = None
    quote: str = ""  # the main quote, verbatim
    doc_id: str = ""
    title: str = ""
    date: str | None = None
    start: int = 0
    end: int = 0
    sha256: str = ""  # the quoted document's content hash at the time
    confidence: float = 0.0
    generation: str = ""  # the index commit it was answered from
    checked: str = ""  # when (ISO 8601, UTC)


class StandingQuestion(Frozen):
    """A question kept and answered again at every commit of the index, with its state since last seen:
    `unchanged`, `changed`, `newly answered`, `no longer answered`, `source edited` (`qa.assistant.standing`)."""

    id: int
    question: str
    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    added: str = ""
    seen: AnswerSeen | None = None  # the answer as last seen (shown, or marked seen)
    latest: AnswerSeen | None = None  # the answer at the latest re-check
    state: str = "unchanged"
    error: str | None = None  # why the latest re-check could not answer it (the last answer is kept)
