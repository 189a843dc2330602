"""The web page's handlers as plain functions: a fake service, and the real Assistant over a tiny index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

import qa.web.handlers as web
from qa.assistant import Assistant
from qa.errors import QuestionError
from qa.index.maintenance import Maintenance
from qa.index.sync import sync_index
from qa.records import Answer, Citation, DocumentInfo, Filters, IndexStatus, SeriesDiff, SeriesInfo
from qa.settings import Settings

STATUS = IndexStatus(generation="gen-000001", built_at="2026-01-01", model="fake", documents=1, passages=1, sentences=1)


class FakeService:
    """Answers every question with its own words, refuses one that says "refuse"; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, list[str], Filters | None]] = []
        self.refreshed = 0

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        plain: bool = False,
    ) -> Answer:
        self.asked.append((question, list(history or []), filters))
        self.plain = plain
        if "refuse" in question:
            raise QuestionError("That is not a question.")
        quote = Citation(
            n=1, doc_id="a.md", title="Alpha", date="2025-07", source="a.md", quote="Alpha", start=0, end=5, score=0.9
        )
        return Answer(question=question, text=f"**{question}** [1]", abstained=False, confidence=0.9, citations=[quote])

    def diff(self, series: str, date_from: str | None = None, date_to: str | None = None) -> SeriesDiff:
        raise QuestionError(f"No series is called '{series}'.")

    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(
                doc_id="a.md", title="Alpha", date="2025-07", sha256="0" * 64, sentences=1, chars=11, passages=2
            )
        ]

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        return {d: "Alpha text." for d in doc_ids if d == "a.md"}

    def status(self) -> IndexStatus:
        return STATUS

    def series(self) -> list[SeriesInfo]:
        return []

    def refresh(self, force: bool = False) -> bool:
        self.refreshed += 1
        return False


def now() -> str:
    return "2026-12-07T00:00:00+00:00"


def test_asking_adds_a_turn_and_passes_the_conversation_and_filters() -> None:
    service = FakeService()
    first = web.ask(service, "  What does Alpha sell?  ", [], [], ([], "", ""), 1000, now)
    assert first.box == "" and first.shown is not None and first.turns is not None and first.saved is not None
    assert first.shown[0]["question"] == "What does Alpha sell?" and "qa-answer" in first.shown[0]["html"]
    second = web.ask(service, "What about Beta?", first.shown, first.saved, (["a.md"], "2025", ""), 1000, now)
    assert service.asked[-1] == (
        "What about Beta?",
        ["What does Alpha sell?"],
        Filters(doc_ids=("a.md",), date_from="2025"),
    )
    assert second.shown is not None and [t["serial"] for t in second.shown] == [0, 1]


@pytest.mark.parametrize(
    ("question", "filters", "message"),
    [
        ("", ([], "", ""), "Type a question first."),
        ("x" * 21, ([], "", ""), "the limit is 20"),
        ("When?", ([], "last year", ""), "is not a date"),
    ],
)
def test_a_question_refused_before_asking_changes_nothing_but_the_notice(
    question: str, filters: tuple[list[str], str, str], message: str
) -> None:
    service = FakeService()
    asked = web.ask(service, question, [], [], filters, 20, now)
    assert message in asked.notice and asked.shown is None and asked.turns is None and asked.box is None
    assert service.asked == []


def test_asking_plainly_reaches_the_service() -> None:
    service = FakeService()
    web.ask(service, "What changed?", [], [], ([], "", ""), 1000, now, plain=True)
    assert service.plain is True
    web.ask(service, "What changed?", [], [], ([], "", ""), 1000, now)
    assert service.plain is False


def test_widening_asks_over_every_briefing_whatever_the_filter_inputs() -> None:
    service = FakeService()
    web.ask(service, "Q?", [], [], (["a.md"], "2025", "not a date"), 1000, now, widen=True)
    assert service.asked[-1][2] == Filters()
    web.ask(service, "Q?", [], [], (["a.md"], "2025", ""), 1000, now)
    assert service.asked[-1][2] == Filters(doc_ids=("a.md",), date_from="2025")


def test_an_error_while_answering_is_a_turn_and_keeps_the_question_in_the_box() -> None:
    asked = web.ask(FakeService(), "please refuse", [], [], ([], "", ""), 1000, now)
    assert (
        asked.box == "please refuse"
        and asked.shown is not None
        and asked.shown[0]["error"] == "That is not a question."
    )


def test_the_api_handlers_name_what_is_wrong() -> None:
    service = FakeService()
    assert "must be text" in web.api_ask(service, 3, None, 1000)["error"]
    assert "list of earlier questions" in web.api_ask(service, "Q?", "not a list", 1000)["error"]
    assert web.api_ask(service, "Q?", ["Earlier?"], 1000)["text"] == "**Q?** [1]"
    assert web.api_ask(service, "y" * 5000, None, 100) and len(service.asked[-1][0]) == 200  # cut at twice the limit
    assert "Name a series" in web.api_diff(service, " ", None, None)["error"]
    assert web.api_diff(service, "Nowhere", None, None) == {
        "error": "No series is called 'Nowhere'.",
        "series": "Nowhere",
    }


def test_restore_keeps_the_turns_it_can_read_and_counts_the_rest() -> None:
    good = web.ask(FakeService(), "Q?", [], [], ([], "", ""), 1000, now).saved
    assert good is not None
    turns, lost = web.restore([*good, {"question": 3}, "junk"])
    assert [t.question for t in turns] == ["Q?"] and lost == 2
    assert web.restore("not a list") == ([], 0)
    loaded = web.load(FakeService(), [*good, {"bad": 1}])
    assert [t["question"] for t in loaded.shown] == ["Q?"] and "1 earlier turns could not be restored" in loaded.notice


def test_picker_document_and_status() -> None:
    service = FakeService()
    choices, kept, label = web.picker(service, "Title", ["a.md", "gone.md"])
    assert choices == [("Alpha · 2025-07 · 2 passages", "a.md")] and kept == ["a.md"] and "1 of 1 chosen" in label
    assert "Alpha text." in web.open_document(service, "a.md")
    assert "Alpha text." not in web.open_document(service, "gone.md")
    assert "gen&#45;000001" in web.status_html(service) and "data-loaded" in web.status_html(service, loaded=True)


def test_the_pack_is_written_for_the_turns(tmp_path: Path) -> None:
    asked = web.ask(FakeService(), "Q?", [], [], ([], "", ""), 1000, now)
    assert asked.turns is not None
    written = web.pack(tmp_path, asked.turns, now)
    assert written is not None and all(p.is_file() for p in written) and "Q?" in written[0].read_text()
    assert web.pack(tmp_path, [], now) is None


def test_the_handlers_over_the_real_assistant(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    """The fake service's counterpart: the same handlers over an Assistant and a real index."""
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake, settings=Settings(abstain_below=0.0))
    asked = web.ask(assistant, "What does Beta sell to Alpha?", [], [], ([], "", ""), 1000, now)
    assert asked.turns is not None and asked.turns[0].answer is not None
    assert asked.turns[0].answer.citations and asked.shown is not None and "qa-answer" in asked.shown[0]["html"]
    assert web.api_ask(assistant, "What does Beta sell to Alpha?", [], 1000)["citations"]
    assert "No series" in web.api_diff(assistant, "Nowhere at all", None, None)["error"]
    choices, _, _ = web.picker(assistant, "Newest first", [])
    assert {doc for _, doc in choices} == {d.doc_id for d in assistant.documents()}


def test_maintenance_adds_briefings_reindexes_and_swaps(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake)
    maintenance = Maintenance(tiny_corpus, index, Settings(), swap=lambda: assistant.refresh(force=True), embedder=fake)
    upload = tmp_path / "gamma.md"
    upload.write_text("# Gamma Note\n\nGamma grows rice in the delta.\n", encoding="utf-8")
    report = maintenance.add([upload, tmp_path / "missing.md"])
    assert "added: gamma.md" in report and "refused:" in report
    assert "Answers now come from the new index." in maintenance.reindex()
    assert "gamma.md" in {d.doc_id for d in assistant.documents()}


def test_every_web_setting_comes_from_the_environment_through_settings() -> None:
    settings = Settings.from_env(
        {
            "QA_INDEX": "/srv/index",
            "QA_CORPUS": "/srv/corpus",
            "QA_ADMIN_TOKEN": "  s3cret ",
            "QA_EXAMPLES": "A?|B?",
            "GRADIO_SERVER_NAME": "0.0.0.0",
            "GRADIO_SERVER_PORT": "7999",
            "QA_MAX_QUESTION_CHARS": "300",
        }
    )
    assert (settings.index, settings.corpus, settings.admin_token, settings.examples) == (
        "/srv/index",
        "/srv/corpus",
        "s3cret",
        "A?|B?",
    )
    assert (settings.server_name, settings.server_port, settings.max_question_chars) == ("0.0.0.0", 7999, 300)
    assert "s3cret" not in repr(settings)
    assert Settings.from_env({"QA_ADMIN_TOKEN": "   "}).admin_token is None


def test_no_module_reads_the_environment_for_a_setting_but_settings() -> None:
    root = Path(__file__).resolve().parents[1]
    readers = [
        p.relative_to(root).as_posix()
        for p in [*sorted((root / "qa").rglob("*.py")), root / "app.py"]
        if "environ.get(" in p.read_text(encoding="utf-8") or "getenv(" in p.read_text(encoding="utf-8")
    ]
    assert readers == []
