from pathlib import Path

import pytest

from conftest import FACTBOOK, SAMPLE, needs_shared
from qa.records import Document
from qa.text.chunking import chunk_document, estimate_pieces
from qa.text.documents import build_document, read_document
from qa.text.loaders import extract
from qa.text.structure import find_blocks, quotable_sentences


def sample_sentences() -> list[str]:
    document = read_document(SAMPLE.parent, SAMPLE)
    chunked = chunk_document(document, 0, 90, 230)
    return [document.text[s.start : s.end] for s in chunked.sentences]


def test_sample_web_leftovers_are_never_quotable() -> None:
    quotes = sample_sentences()
    joined = "\n".join(quotes)
    for leftover in ("Scroll to Top", "Mexico Map", "Further Reading", "Further Image", "Pivot To Asia"):
        assert leftover not in joined
    assert "Russia, Mexico, Bilateral Relations: July 2025 Update" not in quotes
    assert any("coffee, pepper" in q for q in quotes)
    assert len(quotes) == 21


def test_sample_sentences_know_their_section() -> None:
    document = read_document(SAMPLE.parent, SAMPLE)
    chunked = chunk_document(document, 0, 90, 230)
    assert {s.section for s in chunked.sentences} == {("Mexico",)}


def test_guessed_headings_in_plain_text_and_explicit_ones_in_markdown() -> None:
    text = "Title Line\n\nOverview\n\nA sentence here. Another one.\n\nMexico Map\n\nScroll to Top"
    kinds = [(b.kind, text[b.start : b.end]) for b in find_blocks(text, title_span=(0, 10))]
    assert kinds == [
        ("heading", "Title Line"),
        ("heading", "Overview"),
        ("paragraph", "A sentence here. Another one."),
        ("junk", "Mexico Map"),
        ("junk", "Scroll to Top"),
    ]


def test_reading_list_lines_are_not_headings_or_quotes() -> None:
    text = "Intro sentence here.\n\nFurther Reading\n\nSome Linked Article Title\n\n- Another linked title"
    blocks = find_blocks(text)
    assert [b.kind for b in blocks] == ["paragraph", "junk", "fragment", "junk"]
    assert [text[s.start : s.end] for s in quotable_sentences(text, blocks)] == ["Intro sentence here."]


def test_prose_that_does_not_end_with_a_full_stop_is_still_quotable() -> None:
    # paragraphs ending in a cross-reference, a page citation or a cut-off formula are prose; a short
    # unpunctuated block (a byline, a caption) is not
    cross_reference = "Coal is carried from a supply bin to the firebox. See: Mechanical stoker"
    citation = " ".join(["word"] * 30) + " ideas (defined by traditionalists).:4–5:24"
    text = f"Intro sentence here.\n\n{cross_reference}\n\n{citation}\n\nBy Jane Doe\nStaff writer"
    blocks = find_blocks(text)
    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "paragraph", "fragment"]
    quotes = [text[s.start : s.end] for s in quotable_sentences(text, blocks)]
    assert quotes[:3] == [
        "Intro sentence here.",
        "Coal is carried from a supply bin to the firebox.",
        "See: Mechanical stoker",
    ]
    assert quotes[3] == citation
    assert len(quotes) == 4


def test_markdown_field_lines_are_quotable_with_their_field_as_section() -> None:
    text = "# Land\n\n## People\n\n### Population\n**total:** 1,234 (2024 est.)\n**male:** 600\n"
    headings = [(1, 0, 6, "Land"), (2, 8, 17, "People"), (3, 19, 33, "Population")]
    blocks = find_blocks(text, headings, structured=True, title_span=(0, 6))
    spans = quotable_sentences(text, blocks)
    assert [(text[s.start : s.end], s.section) for s in spans] == [
        ("**total:** 1,234 (2024 est.)", ("People", "Population")),
        ("**male:** 600", ("People", "Population")),
    ]


def check_offsets(root: Path, path: Path) -> int:
    document = read_document(root, path)
    chunked = chunk_document(document, 0, 90, 230)
    for s in chunked.sentences:
        quote = document.text[s.start : s.end]
        assert quote and quote == quote.strip()
        assert s.para_start <= s.start < s.end <= s.para_end
    for p in chunked.passages:
        assert p.start == chunked.sentences[p.first_sentence].start
        assert p.end == chunked.sentences[p.last_sentence].end
    return len(chunked.sentences)


def test_offsets_cut_every_sentence_of_the_sample() -> None:
    assert check_offsets(SAMPLE.parent, SAMPLE) == 21


def test_offsets_cut_every_sentence_of_the_whole_factbook() -> None:
    needs_shared()
    files = sorted(FACTBOOK.glob("*.md"))
    assert len(files) == 82
    assert sum(check_offsets(FACTBOOK, f) for f in files) > 10_000


def test_population_field_is_in_a_passage_named_for_it() -> None:
    needs_shared()
    document = read_document(FACTBOOK, FACTBOOK / "mx-mexico.md")
    chunked = chunk_document(document, 0, 90, 230)
    passage = next(p for p in chunked.passages if "130,739,927" in p.text)
    assert passage.text.startswith("Mexico — CIA World Factbook country profile\nPeople and Society")
    assert "Population: total: 130,739,927" in passage.text


@pytest.mark.parametrize("max_pieces", [64, 230])
def test_passages_respect_the_piece_budget_unless_one_sentence_is_longer(max_pieces: int) -> None:
    document = read_document(SAMPLE.parent, SAMPLE)
    chunked = chunk_document(document, 0, 400, max_pieces)
    for p in chunked.passages:
        if p.first_sentence != p.last_sentence:
            assert estimate_pieces(p.text) <= max_pieces + 8


def field_profile(lines_per_field: int) -> Document:
    """A Markdown profile: one top-level section with four fields of `lines_per_field` lines each."""
    text = "# Land\n\n## Economy\n\n"
    for f in "ABCD":
        text += f"### Field {f}\n"
        text += "".join(
            f"**item {n}:** {n} tonnes of grain and {n} barrels of oil (2024 est.)\n" for n in range(lines_per_field)
        )
        text += "\n"
    data = text.encode()
    return build_document("land.md", data, extract(Path("land.md"), data), "md")


def passages_of_fields(document: Document, max_words: int) -> dict[str, set[int]]:
    chunked = chunk_document(document, 0, max_words, 230)
    out: dict[str, set[int]] = {}
    for s in chunked.sentences:
        out.setdefault(s.section[-1], set()).add(s.passage)
    return out


def test_a_field_that_fits_in_a_passage_is_never_cut() -> None:
    # two lines of 12 words per field, 40 words per passage: packing line by line would put field
    # B's first line after field A and cut it; keeping fields whole puts one field in each passage
    fields = passages_of_fields(field_profile(2), max_words=40)
    assert all(len(p) == 1 for p in fields.values()), fields
    assert len(set().union(*fields.values())) == 4


def test_a_field_too_long_for_any_passage_is_still_cut() -> None:
    fields = passages_of_fields(field_profile(5), max_words=40)
    assert all(len(p) >= 2 for p in fields.values()), fields


def test_a_field_too_long_for_any_passage_starts_a_passage_under_its_heading() -> None:
    # five lines of 12 words, 40 words per passage: packing would put field B's first lines after
    # field A's last; the first line of every field opens a passage (its header names the field)
    chunked = chunk_document(field_profile(5), 0, 40, 230)
    firsts = {s.section[-1]: s for s in reversed(chunked.sentences)}
    assert set(firsts) == {"Field A", "Field B", "Field C", "Field D"}
    for sentence in firsts.values():
        passage = chunked.passages[sentence.passage]
        assert passage.first_sentence == sentence.sid
        assert "Field " + sentence.section[-1][-1] in passage.text.split("\n", 3)[2]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Copyright © 2025 Example News Ltd.", "junk"),
        ("Copyright 2025 Example News. All rights reserved.", "junk"),
        ("Subscribe to our newsletter", "junk"),
        ("Sign up for free updates!", "junk"),
        ("Cookie settings", "junk"),
        ("Copyright enforcement remains weak, the trade office says.", "paragraph"),
        ("Subscribers to the state scheme rose by 20% in 2024.", "paragraph"),
        ("Sign up rates for the programme fell sharply.", "paragraph"),
        ("Cookies made up 3% of the exports.", "paragraph"),
    ],
)
def test_web_notices_are_junk_but_sentences_that_start_alike_are_prose(line: str, kind: str) -> None:
    text = f"Intro sentence here.\n\n{line}"
    assert [b.kind for b in find_blocks(text)] == ["paragraph", kind]
