"""The analyst's workbench, without a browser: scope, clean labels, confidence labels, the picker's order, the
conversation pack, the corrected question, and adding briefings to the corpus folder."""

import html
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa import Assistant
from qa.index.corpus import add_to_corpus, list_corpus, upload_name
from qa.index.sync import sync_index
from qa.records import Answer, Citation, Document, DocumentInfo, Filters, Scope, Turn
from qa.search.retrieval import describe_scope
from qa.web.export import conversation_json, conversation_markdown, write_conversation_pack
from qa.web.html import (
    answer_html,
    clean,
    confidence_label,
    corpus_html,
    document_html,
    evidence_card,
    markup_spans,
    scope_html,
)
from qa.web.page import briefing_choices, picker_label

PROFILE = "# Kenya\n\n## Government\n\n### Capital\n**name:** Nairobi\n**time difference:** UTC+3\nnote: a <b> & c\n"


def visible(markup: str) -> str:
    """The text a reader sees: hidden spans dropped, tags stripped, entities decoded."""
    shown = re.sub(r"<span class='qa-mk'>.*?</span>", "", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", shown))


def every_character(markup: str) -> str:
    """All the text in the page, hidden spans included (what the exact text and offsets rest on)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_profile_markup_shows_as_labels_with_every_character_kept() -> None:
    out = clean(PROFILE)
    assert every_character(out) == PROFILE
    assert "**" not in visible(out) and "###" not in visible(out)
    assert "name: Nairobi" in visible(out) and "Capital" in visible(out)
    assert "<span class='qa-label'>name&#58;</span>" in out and "<span class='qa-heading'>Capital</span>" in out
    assert "&#60;b&#62;" in out  # still escaped


@given(st.text(alphabet="ab*#: \n<&", max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_clean_keeps_every_character_and_marks_exactly_the_quote(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    out = clean(text, 0, len(text), (start, end, "q"))
    assert every_character(out) == text
    marked = re.search(r"<mark id='q'>(.*?)</mark>", out, re.DOTALL)
    assert marked is not None and every_character(marked.group(1)) == text[start:end]


def test_markup_spans_name_labels_and_headings_only() -> None:
    kinds = {(PROFILE[a:b], kind) for a, b, kind in markup_spans(PROFILE)}
    assert ("name:", "label") in kinds and ("Capital", "heading") in kinds and ("**", "mk") in kinds
    assert not markup_spans("2 * 3 * 4 and a # that is no heading")


CITED = Citation(
    n=1, doc_id="ke.md", title="Kenya", date="2026-01", source="ke.md", section="Government > Capital",
    quote="**name:** Nairobi", start=PROFILE.index("**name"), end=PROFILE.index("\n**time"), score=0.9,
    sha256="cd" * 32, paragraph_start=PROFILE.index("**name"), paragraph_end=PROFILE.index("\nnote"),
)  # fmt: skip


def test_a_card_shows_labels_keeps_the_exact_text_and_offers_a_copy_with_its_citation() -> None:
    card = evidence_card(CITED, "a0-1", PROFILE)
    quote_shown = visible(re.search(r"<mark>(.*?)</mark>", card, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert quote_shown == "name: Nairobi"
    exact = re.search(r"<pre class='qa-exact-text'>(.*?)</pre>", card, re.DOTALL)
    assert exact is not None and html.unescape(exact.group(1)) == "**name:** Nairobi"
    copied = html.unescape(re.search(r"data-copy='([^']*)'", card).group(1))  # type: ignore[union-attr]
    assert copied.startswith("“**name:** Nairobi” — Kenya, 2026-01")
    assert f"ke.md, chars {CITED.start}–{CITED.end}, sha256 {'cd' * 6}" in copied
    assert "<span class='qa-meta'>" in card  # one inline run: it wraps as text on a phone


@pytest.mark.parametrize(
    ("confidence", "label"),
    [(0.0, "low"), (0.49, "low"), (0.5, "medium"), (0.74, "medium"), (0.75, "high"), (1.0, "high")],
)
def test_confidence_labels(confidence: float, label: str) -> None:
    shown, meaning = confidence_label(confidence)
    assert shown == label and f"{confidence:.2f}" in meaning and "times in 10" in meaning


def docs(*dates: str | None) -> list[Document]:
    return [
        Document(doc_id=f"d{i}.md", source=f"d{i}.md", title=f"D{i}", date=d, text="x.", sha256=str(i), format="md")
        for i, d in enumerate(dates)
    ]


def test_scope_counts_what_the_filters_let_through() -> None:
    corpus = docs("2025-01", "2025-07", "2025-12", None)
    everything = describe_scope(corpus, Filters())
    assert (everything.searched, everything.total, everything.first_date, everything.last_date) == (
        4,
        4,
        "2025-01",
        "2025-12",
    )
    assert everything.describe() == "Searched all 4 of 4 briefings, 2025-01 to 2025-12"
    one = describe_scope(corpus, Filters(doc_ids=("d1.md",)))
    assert one.describe() == "Searched 1 of 4 briefings, 2025-07 (1 chosen)"
    dated = describe_scope(corpus, Filters(date_from="2025-06"))
    assert dated.searched == 2 and dated.describe().endswith("(dated 2025-06 to any)")
    none = describe_scope(corpus, Filters(date_from="2030"))
    assert none.searched == 0 and none.first_date is None


def test_a_filtered_refusal_names_its_scope_and_how_to_widen_it() -> None:
    scope = Scope(searched=1, total=83, first_date="2025-07", last_date="2025-07", doc_ids=("a.md",))
    refused = Answer(question="q", text="t", abstained=True, confidence=0.1, scope=scope)
    out = visible(answer_html(refused, "a0"))
    assert "Searched 1 of 83 briefings, 2025-07 (1 chosen)." in out and "Search every briefing" in out
    page = answer_html(refused, "a0")
    assert "data-plain='all' data-question='q'>Search every briefing</button>" in page  # asks again, unfiltered
    assert "clear the briefing and date filters" in visible(scope_html(scope, abstained=True))  # no question
    assert "clear the" not in visible(scope_html(scope.model_copy(update={"doc_ids": ()}), abstained=True))
    assert "Search every" not in scope_html(scope, abstained=False, question="q")
    assert "Confidence: low" in out


def info(doc_id: str, title: str, date: str | None) -> DocumentInfo:
    return DocumentInfo(doc_id=doc_id, title=title, date=date, sha256="0" * 64, passages=3, sentences=9, chars=100)


def test_the_picker_sorts_a_thousand_briefings_by_title_or_date() -> None:
    many = [info(f"b{i:04d}.md", f"Briefing {i:04d}", f"20{10 + i % 15}-{1 + i % 12:02d}") for i in range(1000)]
    many += [
        info("armenia.md", "Armenia", None),
        info("argentina.md", "Argentina", "2025-01"),
        info("e.md", "Éire", None),
    ]
    by_title = [doc_id for _, doc_id in briefing_choices(many, "Title")]
    assert by_title[:2] == ["argentina.md", "armenia.md"] and by_title[-1] == "e.md"  # É sorts as E
    newest = [label for label, _ in briefing_choices(many, "Newest first")]
    dates = [label.split(" · ")[1] for label in newest]
    assert dates[: 1000 + 1] == sorted(dates[: 1000 + 1], reverse=True) and dates[-2:] == ["undated", "undated"]
    assert briefing_choices(many, "Oldest first")[0][0].split(" · ")[1] == "2010-01"
    assert newest[0].endswith("3 passages")
    assert (
        picker_label(0, 1003) == "Briefings to search: all 1,003 briefings (type to find one; none chosen searches all)"
    )
    assert picker_label(2, 1003) == "Briefings to search: 2 of 1,003 chosen"


def test_the_corpus_table_links_each_briefing_to_its_document_view() -> None:
    from qa.records import IndexStatus

    status = IndexStatus(
        generation="gen-1", built_at="2026-01-01T00:00:00+00:00", model="m", documents=1, passages=3, sentences=9
    )
    table = corpus_html([info("ke.md", "Kenya <b>", "2026-01")], status)
    assert "data-doc='ke.md'" in table and "Kenya &#60;b&#62;" in table
    view = document_html(info("ke.md", "Kenya", "2026-01"), PROFILE)
    assert every_character(view).count(PROFILE) == 1 and "**" not in visible(view)
    assert "Choose a briefing" in document_html(None, None)


def turn(question: str, answer: Answer | None, error: str | None = None) -> Turn:
    return Turn(
        question=question,
        asked_at="2026-11-29T10:00:00+00:00",
        filters=Filters(doc_ids=("ke.md",)),
        answer=answer,
        error=error,
    )


def test_the_conversation_pack_holds_every_question_as_asked_and_resolved(tmp_path: Path) -> None:
    scope = Scope(searched=1, total=2, doc_ids=("ke.md",))
    first = Answer(question="What is the capital of Kenya?", text="**Nairobi** [1]", abstained=False, confidence=0.9,
                   citations=[CITED], resolved_question="What is the capital of Kenya?", index_version="gen-7", scope=scope)  # fmt: skip
    second = first.model_copy(update={"question": "And its time zone?", "resolved_question": "Kenya time zone"})
    turns = [
        turn("What is the capital of Kenya?", first),
        turn("And its time zone?", second),
        turn("x", None, "Index is locked"),
    ]
    md = conversation_markdown(turns, "2026-11-29T10:05:00+00:00")
    for needle in ("## 2. And its time zone?", "resolved as: Kenya time zone", "filters: briefings `ke.md`",
                   "asked: 2026-11-29T10:00:00+00:00", "index version: gen-7", f"sha256 `{'cd' * 32}`",
                   f"characters {CITED.start}–{CITED.end}", "error: Index is locked", "Exported 2026-11-29T10:05:00+00:00",
                   "scope: Searched 1 of 2 briefings (1 chosen)"):  # fmt: skip
        assert needle in md, needle
    payload = json.loads(conversation_json(turns, "2026-11-29T10:05:00+00:00"))
    assert [Turn.model_validate(t) for t in payload["turns"]] == turns
    md_path, json_path = write_conversation_pack(tmp_path, turns, "now")
    assert md_path.name == "conversation.md" and json.loads(json_path.read_text())["format"] == 1


def test_a_misspelt_name_gets_the_corrected_question(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    names = {n for d in assistant.all_documents() for n in re.findall(r"\b[A-Z][a-z]{5,}\b", d.text)}
    name = sorted(names)[0]
    typo = name[:2] + name[3] + name[2] + name[4:]
    answer = assistant.ask(f"What about {typo} now?")
    assert answer.did_you_mean == f"What about {name} now?"
    assert assistant.ask(f"What about {name} now?").did_you_mean is None
    assert answer.scope is not None and answer.scope.searched == answer.scope.total == len(assistant.documents())


def test_adding_a_briefing_writes_it_whole_and_refuses_bad_names_types_and_sizes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    assert add_to_corpus(corpus, "../../etc/kenya.md", b"# Kenya\n\nNairobi is the capital.\n") == ("kenya.md", False)
    assert (corpus / "kenya.md").read_bytes().startswith(b"# Kenya")
    assert add_to_corpus(corpus, "kenya.md", b"# Kenya\n\nNew text.\n") == ("kenya.md", True)
    for name, data, why in [
        ("tool.exe", b"x", "not a supported type"), (".hidden.md", b"x", "not a usable file name"),
        ("a\nb.md", b"x", "not a usable file name"), ("big.md", b"x" * 11, "the limit is 10"), ("empty.md", b"", "empty"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=why):
            add_to_corpus(corpus, name, data, max_bytes=10)
    assert sorted(os.listdir(corpus)) == ["kenya.md"]  # nothing half-written, no temporary file left
    assert [p.name for p in list_corpus(corpus)[0]] == ["kenya.md"]
    assert upload_name("C:\\\\reports\\\\brief.PDF") == "brief.PDF"


def test_reindexing_reports_its_steps(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    steps: list[tuple[str, int, int]] = []
    sync_index(tiny_corpus, tmp_path / "index", fake, step=lambda what, done, total: steps.append((what, done, total)))
    phases = [what for what, _, _ in steps]
    assert phases[0] == "Reading briefings" and "Embedding passages" in phases and "Embedding sentences" in phases
    last = {what: (done, total) for what, done, total in steps}
    assert last["Embedding passages"][0] == last["Embedding passages"][1] > 0


def test_scores_are_shown_only_where_they_rank_something() -> None:
    assert "score 0.90" in visible(evidence_card(CITED, "a0-1", PROFILE))
    assert "score" not in visible(evidence_card(CITED, "a0-1", PROFILE, ranked=False))
    older = CITED.model_copy(update={"n": 2, "score": 0.0})
    answer = Answer(
        question="q", text="t", abstained=False, confidence=0.9, citations=[CITED, older], other_versions=[2]
    )
    page = answer_html(answer, "a0", {"ke.md": PROFILE})
    cards = re.findall(r"<details class='qa-card'.*?</summary>", page, re.DOTALL)
    assert len(cards) == 2 and "score 0.90" in cards[0] and "score" not in cards[1]  # another update's version


def test_a_filter_that_leaves_nothing_to_search_shows_no_confidence() -> None:
    nothing = Scope(searched=0, total=4, date_from="2030")
    refused = Answer(question="q", text="t", abstained=True, confidence=0.0, scope=nothing)
    assert "Confidence" not in visible(answer_html(refused, "a0"))
    searched = refused.model_copy(update={"scope": nothing.model_copy(update={"searched": 2})})
    assert "Confidence: low" in visible(answer_html(searched, "a1"))


def test_a_rewritten_question_says_how_it_was_read() -> None:
    from qa.web.html import reading_html

    followup = Answer(
        question="What about Brazil?",
        text="t",
        abstained=False,
        confidence=0.9,
        reading="followup",
        reading_confidence=0.93,
        resolved_question="What is the population of Mexico? What about Brazil?",
    )
    said = visible(reading_html(followup))
    assert "searched as “What is the population of Mexico? What about Brazil?” (0.93)" in said
    assert "Ask it as a plain question instead" in said
    compared = followup.model_copy(update={"reading": "comparison", "sides": ["Mexico", "Brazil"]})
    assert "Mexico and Brazil, each asked on its own" in visible(reading_html(compared))
