"""Series of dated briefings (`qa.text.series`): titles less their date words, grouped; front matter names one."""

import pytest

from qa.text.documents import front_matter
from qa.text.series import current_at, group_series, series_key, series_name


@pytest.mark.parametrize(
    ("title", "series"),
    [
        ("Russia, Mexico, Bilateral Relations: July 2025 Update", "Russia, Mexico, Bilateral Relations"),
        ("Russia, Mexico, Bilateral Relations: January 2026 Update", "Russia, Mexico, Bilateral Relations"),
        ("Kenya Update – 12 March 2025", "Kenya"),
        ("Sahel security, Q3 2025", "Sahel security"),
        ("Update on Sudan (as of 2025-07-01)", "Sudan"),
        ("Sudan Issue No. 4, May 2025", "Sudan"),
        ("Peru", "Peru"),
        ("2025", "2025"),  # nothing but a date: the title stays the name
    ],
)
def test_a_series_is_the_title_less_its_date_and_edition_words(title: str, series: str) -> None:
    assert series_name(title) == series


def test_titles_differing_in_case_accents_or_punctuation_are_one_series() -> None:
    assert series_key("Côte d'Ivoire: Security") == series_key("COTE D IVOIRE – security")


def test_grouping_orders_members_by_date_and_names_the_series_after_the_newest() -> None:
    docs = [
        ("b.md", "Russia, Mexico, Bilateral Relations: January 2026 Update", "2026-01", None),
        ("a.md", "Russia, Mexico, Bilateral Relations: July 2025 Update", "2025-07", None),
        ("c.md", "Kenya, March 2025", "2025-03", None),
        ("d.md", "A differently titled note", "2025-09", "Kenya"),  # its front matter names the series
    ]
    found = {s.name: s for s in group_series(docs)}
    assert [m.doc_id for m in found["Russia, Mexico, Bilateral Relations"].members] == ["a.md", "b.md"]
    kenya = found["Kenya"]
    assert [m.doc_id for m in kenya.members] == ["c.md", "d.md"] and kenya.newest.doc_id == "d.md"
    assert [m.doc_id for m in current_at(kenya, "2025-06")] == ["c.md"]
    assert [m.doc_id for m in current_at(kenya, "2025")] == ["c.md", "d.md"]


def test_front_matter_is_read_only_from_a_leading_block() -> None:
    assert front_matter("---\nseries: 'Russia–Mexico'\nDate: 2025-07\n---\n# Title\n") == {
        "series": "Russia–Mexico",
        "date": "2025-07",
    }
    assert front_matter("# Title\n---\nseries: x\n---\n") == {}
    assert front_matter("---\nunclosed: yes\n# Title\n") == {}


def write_updates(corpus) -> None:  # type: ignore[no-untyped-def]
    corpus.mkdir()
    (corpus / "rm-2025-07.md").write_text(
        "# Russia, Mexico, Bilateral Relations: July 2025 Update\n\nTrade reached 2.1 billion dollars.\n",
        encoding="utf-8",
    )
    (corpus / "rm-2026-01.md").write_text(
        "# Russia, Mexico, Bilateral Relations: January 2026 Update\n\nTrade reached 2.4 billion dollars.\n",
        encoding="utf-8",
    )
    (corpus / "note.md").write_text(
        "---\nseries: Kenya watch\n---\n# A note on Nairobi, May 2025\n\nRains were late.\n", encoding="utf-8"
    )


def test_the_assistant_and_qa_status_list_series_with_their_dated_members(tmp_path, fake, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from qa import Assistant
    from qa.cli import main
    from qa.index.sync import sync_index

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_updates(corpus)
    sync_index(corpus, index, fake)
    found = {s.name: [m.doc_id for m in s.members] for s in Assistant.open(index, embedder=fake).series()}
    assert found == {
        "Russia, Mexico, Bilateral Relations": ["rm-2025-07.md", "rm-2026-01.md"],
        "Kenya watch": ["note.md"],  # named by its front matter
    }
    monkeypatch.setenv("QA_MODEL", "hashing:256")
    assert main(["status", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "1 series of dated briefings" in out
    assert "Russia, Mexico, Bilateral Relations: 2025-07 (rm-2025-07.md), 2026-01 (rm-2026-01.md)" in out


def test_qa_diff_lists_each_change_quoted_from_its_own_document(tmp_path, fake, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from qa import Assistant
    from qa.cli import main
    from qa.index.sync import sync_index

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    head = "# Russia, Mexico, Bilateral Relations: {} Update\n\n"
    (corpus / "old.md").write_text(
        head.format("July 2025") + "Trade reached 2.1 billion dollars. The minister is Juan Ramon de la Fuente. "
        "Wheat exports fell after the drought. Mexico attended the summit as an observer.\n",
        encoding="utf-8",
    )
    (corpus / "renamed-new.md").write_text(
        head.format("January 2026") + "Trade reached 2.4 billion dollars. The minister is Alicia Barcena. "
        "Mexico attended the summit as an observer. A consulate opened in Kazan.\n",
        encoding="utf-8",
    )
    sync_index(corpus, index, fake)
    diff = Assistant.open(index, embedder=fake).diff("russia, mexico")  # the first words of the name will do
    assert (diff.old.doc_id, diff.new.doc_id) == ("old.md", "renamed-new.md") and diff.counts() == {
        "changed": 2,
        "added": 1,
        "removed": 1,
    }
    texts = {"old.md": (corpus / "old.md").read_text(), "renamed-new.md": (corpus / "renamed-new.md").read_text()}
    for line in diff.lines:  # every quote is its document's own characters at its offsets
        for q in (line.old, line.new):
            if q is not None:
                assert texts[q.doc_id][q.start : q.end] == q.text
                assert all(texts[q.doc_id][a:b] in q.text for a, b in q.marks)
    changed = next(line for line in diff.lines if line.kind == "changed" and "Trade" in line.new.text)  # type: ignore[union-attr]
    assert [texts["renamed-new.md"][a:b] for a, b in changed.new.marks] == ["2.4"]  # type: ignore[union-attr]

    monkeypatch.setenv("QA_MODEL", "hashing:256")
    assert main(["diff", "Russia, Mexico, Bilateral Relations", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "- **Changed**: “Trade reached **2.4** billion dollars.”" in out
    assert "  - was: “Trade reached **2.1** billion dollars.” (old.md, 2025-07" in out
    assert "- **Added**: “A consulate opened in Kazan.”" in out and "- **Removed**: “Wheat exports" in out
    assert main(["diff", "Russia", "--index", str(index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["series"] == "Russia, Mexico, Bilateral Relations"
    assert main(["diff", "Atlantis", "--index", str(index)]) == 2
    assert "No series is called 'Atlantis'" in capsys.readouterr().err
    assert main(["diff", "Russia", "--from", "2024", "--index", str(index)]) == 2
    assert "dated 2024 or earlier" in capsys.readouterr().err


def two_updates(tmp_path, fake):  # type: ignore[no-untyped-def]
    from qa import Assistant
    from qa.index.sync import sync_index
    from qa.settings import Settings

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    head = "# Russia, Mexico, Bilateral Relations: {} Update\n\n"
    (corpus / "b-new.md").write_text(  # named so that, all else equal, the older is found first
        head.format("January 2026") + "Bilateral trade reached 2.4 billion dollars last year. Kazan hosted a forum.\n",
        encoding="utf-8",
    )
    (corpus / "a-old.md").write_text(
        head.format("July 2025") + "Bilateral trade reached 2.1 billion dollars last year. Wheat exports fell.\n",
        encoding="utf-8",
    )
    sync_index(corpus, index, fake)
    return Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))


def test_the_newest_update_answers_and_an_older_one_saying_otherwise_is_quoted_below(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.records import Filters

    assistant = two_updates(tmp_path, fake)
    answer = assistant.ask("How much did bilateral trade reach last year?")
    main = answer.citations[0]
    assert (main.doc_id, main.quote) == ("b-new.md", "Bilateral trade reached 2.4 billion dollars last year.")
    assert len(answer.other_versions) == 1
    older = next(c for c in answer.citations if c.n == answer.other_versions[0])
    assert (older.doc_id, older.quote, older.date) == (
        "a-old.md",
        "Bilateral trade reached 2.1 billion dollars last year.",
        "2025-07",
    )
    assert "Other updates of *Russia, Mexico, Bilateral Relations* say otherwise" in answer.text
    assert f"(2025-07): “{older.quote}” [{older.n}]" in answer.text
    # a question limited to 2025 sees only the July update: nothing newer is brought in
    dated = assistant.ask("How much did bilateral trade reach last year?", filters=Filters(date_to="2025"))
    assert dated.citations[0].doc_id == "a-old.md" and dated.other_versions == []


def test_a_sentence_the_same_in_both_updates_is_quoted_from_the_newest_with_nothing_below(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    assistant = two_updates(tmp_path, fake)
    (tmp_path / "corpus" / "a-old.md").write_text(
        "# Russia, Mexico, Bilateral Relations: July 2025 Update\n\nKazan hosted a forum. Wheat exports fell.\n",
        encoding="utf-8",
    )
    from qa.index.sync import sync_index

    sync_index(tmp_path / "corpus", tmp_path / "index", fake)
    assistant.refresh(force=True)
    answer = assistant.ask("Which city hosted a forum?")
    assert answer.citations[0].doc_id == "b-new.md" and answer.other_versions == []


CHANGE_WORDINGS = [
    "What changed since the last update?",
    "What's new in the January 2026 update?",
    "How does the latest briefing differ from the previous one?",
    "Has anything changed in the Russia Mexico relations briefing?",
]


@pytest.mark.parametrize("question", CHANGE_WORDINGS)
def test_a_change_question_is_answered_from_the_diff_with_every_line_cited(tmp_path, fake, question: str) -> None:  # type: ignore[no-untyped-def]
    assistant = two_updates(tmp_path, fake)
    answer = assistant.ask(question)
    assert answer.question_type == "change" and answer.changes is not None and not answer.abstained
    assert (answer.changes.old.doc_id, answer.changes.new.doc_id) == ("a-old.md", "b-new.md")
    texts = {d: (tmp_path / "corpus" / d).read_text() for d in ("a-old.md", "b-new.md")}
    for c in answer.citations:
        assert texts[c.doc_id][c.start : c.end] == c.quote and f"“{c.quote}” [{c.n}]" in answer.text
    assert "Changed: “Bilateral trade reached 2.4 billion dollars last year.”" in answer.text
    assert "was “Bilateral trade reached 2.1 billion dollars last year.”" in answer.text


def test_the_chat_shows_a_change_answer_as_two_columns_and_other_versions_by_date(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    from html import unescape

    from qa.web.html import answer_html

    assistant = two_updates(tmp_path, fake)
    page = unescape(answer_html(assistant.ask("What changed since the last update?"), "t"))
    assert "<table>" in page and "<mark>2.4</mark>" in page and "<mark>2.1</mark>" in page
    assert page.index("July 2025 Update (2025-07)") < page.index("January 2026 Update (2026-01)")  # old left, new right
    page = unescape(answer_html(assistant.ask("How much did bilateral trade reach last year?"), "t"))
    assert "Other updates of this series say otherwise" in page and "(2025-07): “Bilateral trade reached 2.1" in page


def test_the_verification_pack_carries_the_whole_diff(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    import json

    from qa.records import Turn
    from qa.web.export import conversation_json, conversation_markdown

    assistant = two_updates(tmp_path, fake)
    turn = Turn(
        question="What changed?",
        asked_at="2026-11-30T00:00:00Z",
        answer=assistant.ask("What changed since the last update?"),
    )
    pack = conversation_markdown([turn], "now")
    assert (
        "### Every change" in pack
        and "- **Changed**: “Bilateral trade reached **2.4** billion dollars last year.”" in pack
    )
    data = json.loads(conversation_json([turn], "now"))
    assert data["turns"][0]["answer"]["changes"]["new"]["doc_id"] == "b-new.md"


def test_as_of_questions_read_only_the_briefings_current_then(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    assistant = two_updates(tmp_path, fake)
    then = assistant.ask("What did the briefings say in 2025 about bilateral trade?")
    assert then.citations[0].doc_id == "a-old.md" and then.other_versions == []
    assert then.scope is not None and then.scope.as_of == "2025" and "as they stood in 2025" in then.scope.describe()
    now = assistant.ask("How much was bilateral trade as of January 2026?")
    assert now.citations[0].doc_id == "b-new.md"
    before = assistant.ask("What did the briefings say in 2024 about bilateral trade?")
    assert before.abstained and "No briefing was current in 2024" in before.text
    plain = assistant.ask("What was bilateral trade in 2024?")  # a year asked about, not a time to read at
    assert plain.scope is not None and plain.scope.as_of is None


@pytest.mark.parametrize(
    ("question", "as_of"),
    [
        ("What did the briefings say in 2025 about trade?", "2025"),
        ("What was bilateral trade as of July 2025?", "2025-07"),
        ("What was reported by March 2026 about the consulate?", "2026-03"),
        ("What did the briefings say about trade?", None),
    ],
)
def test_the_date_a_question_read_as_of_a_date_names(question: str, as_of: str | None) -> None:
    """Whether a question asks as of a date is the reading model's call (tests/test_real.py); this is the date."""
    from qa.answering.over_time import as_of_date

    assert as_of_date(question) == as_of


def test_the_corpus_panel_lists_series_with_each_update_a_link(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    from html import unescape

    from qa.web.html import corpus_html

    assistant = two_updates(tmp_path, fake)
    page = unescape(corpus_html(assistant.documents(), assistant.status(), assistant.series()))
    assert "1 series of dated updates" in page
    first, second = page.index("data-doc='a-old.md'>2025"), page.index("data-doc='b-new.md'>2026")
    assert first < second < page.index("<table")  # oldest first, above the table of briefings
