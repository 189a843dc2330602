import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.records import Answer, Citation, IndexStatus, Turn
from qa.web.export import conversation_json, conversation_markdown, terminal, write_conversation_pack
from qa.web.html import answer_html, escape, evidence_card, status_line
from qa.web.page import conversation_html, filters_from_inputs

TEXT = "Intro. The <b>quote</b> [x](javascript:alert(1)) $$a$$ here. After it."


def citation(n: int = 1) -> Citation:
    start = TEXT.index("The <b>")
    end = TEXT.index(" After")
    return Citation(
        n=n, doc_id="d.md", title="T <i>", date="2025-07", source="d.md", section="S", quote=TEXT[start:end],
        start=start, end=end, score=0.8, sha256="ab" * 32, context_before="Intro.", context_after="After it.",
        paragraph_start=0, paragraph_end=len(TEXT),
    )  # fmt: skip


@given(st.text())
def test_escape_leaves_no_markup_or_markdown(text: str) -> None:
    out = escape(text)
    bare = re.sub(r"&#\d+;|&#x[0-9a-f]+;|&[a-z]+;", "", out)
    assert not re.search(r"[<>\[\]()*_`$\\|#!:&]", bare)
    assert html.unescape(out) == text


def test_answer_html_links_every_marker_to_a_card_and_escapes_text() -> None:
    answer = Answer(
        question="q", text="t", short_answer="quote", abstained=False, confidence=0.9, citations=[citation()]
    )
    out = answer_html(answer, "a0", {"d.md": TEXT})
    assert "<b>" not in out and "javascript:" not in out and "<i>" not in out
    assert "href='#a0-1'" in out and "id='a0-1'" in out and "id='a0-1-card'" in out and "id='a0-1-q'" in out
    assert "Open document at the quote" in out


def test_context_sentences_inside_the_paragraph_are_not_repeated() -> None:
    out = evidence_card(citation(), "x-1", TEXT)
    assert "qa-context" not in out  # before and after are inside the paragraph shown


def test_unverifiable_quote_is_flagged() -> None:
    out = evidence_card(citation(), "x-1", "completely different text " * 5)
    assert "could not be checked" in out
    changed = evidence_card(citation().model_copy(update={"changed_since_indexed": True}), "x-1", TEXT)
    assert "changed since it was indexed" in changed


def test_abstention_html_shows_nearest_with_scores() -> None:
    answer = Answer(question="q", text="t", abstained=True, confidence=0.1, nearest=[citation()])
    out = answer_html(answer, "a3", {"d.md": TEXT})
    assert "Not found in the briefings." in out and "score 0.80" in out


@pytest.mark.parametrize("abstained", [False, True])
def test_what_the_checks_found_is_shown_escaped(abstained: bool) -> None:
    checks = ["the question mentions 1961; the quote does not", "<script>"]
    answer = Answer(
        question="q", text="t", abstained=abstained, confidence=0.3, citations=[] if abstained else [citation()],
        nearest=[citation()] if abstained else [], checks=checks,
    )  # fmt: skip
    out = answer_html(answer, "a4", {"d.md": TEXT})
    assert out.count("class='qa-check'") == 2 and "<script>" not in out
    assert "Check: the question mentions 1961; the quote does not." in out
    assert "qa-check" not in answer_html(answer.model_copy(update={"checks": []}), "a4", {"d.md": TEXT})


def test_conversation_escapes_questions_and_errors() -> None:
    out = conversation_html([{"question": "<img src=x>", "error": "<b>bad</b>"}])
    assert "<img" not in out and "<b>" not in out


def test_status_line_counts() -> None:
    status = IndexStatus(
        generation="gen-000002", built_at="2026-01-01T10:00:00+00:00", model="m", documents=1, passages=5, sentences=9
    )
    assert "1 document · 5 passages" in html.unescape(status_line(status))


@pytest.mark.parametrize(
    ("value", "ok"), [("2025", True), ("2025-07", True), ("2025-07-31", True), ("July", False), ("2025-13", False)]
)
def test_filter_dates_are_validated(value: str, ok: bool) -> None:
    if ok:
        assert filters_from_inputs(["a"], value, None).date_from == value
    else:
        with pytest.raises(ValueError, match="YYYY"):
            filters_from_inputs([], value, None)


def turn(answer: Answer) -> Turn:
    return Turn(question=answer.question, asked_at="2026-11-29T10:00:00+00:00", answer=answer)


def test_verification_pack_and_terminal() -> None:
    answer = Answer(
        question="q?", text="**x** [1]", abstained=False, confidence=0.9, citations=[citation()], index_version="gen-1"
    )
    md = conversation_markdown([turn(answer)], "now")
    assert "sha256 `" + "ab" * 32 + "`" in md and "characters 7–" in md and "gen-1" in md
    assert json.loads(conversation_json([turn(answer)], "now"))["turns"][0]["answer"]["citations"][0]["start"] == 7
    assert "[1] T <i> · 2025-07 · S" in terminal(answer)


def test_verification_packs_of_two_chats_stay_apart(tmp_path: Path) -> None:
    first = Answer(question="one?", text="a", abstained=True, confidence=0.1, index_version="gen-1")
    second = first.model_copy(update={"question": "two?"})
    packs = [write_conversation_pack(tmp_path, [turn(answer)], "now") for answer in (first, second)]
    assert [p.name for p in packs[0]] == [p.name for p in packs[1]] == ["conversation.md", "conversation.json"]
    assert packs[0][0].parent != packs[1][0].parent
    assert [json.loads(pack[1].read_text())["turns"][0]["question"] for pack in packs] == ["one?", "two?"]
    assert "## 1. two?" in packs[1][0].read_text()


def test_only_the_newest_verification_packs_stay_on_disk(tmp_path: Path) -> None:
    answer = Answer(question="q", text="t", abstained=True, confidence=0.1, nearest=[citation()])
    written = [write_conversation_pack(tmp_path, [turn(answer)], "now", keep=3) for _ in range(1, 8)]
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 3
    assert all(f.is_file() for f in written[-1]) and not written[0][0].exists()
