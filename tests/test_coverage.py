"""Coverage as evidence: the share of a question's own words the corpus, and the quote's document, hold."""

from __future__ import annotations

from pathlib import Path

from qa.answering.features import asked_terms, coverage
from qa.answering.questions import analyse
from qa.assistant import Assistant
from qa.index.lexical import Lexical
from qa.index.sync import sync_index
from qa.text.tokens import tokenize


def test_coverage_counts_the_share_of_terms_held() -> None:
    held = {"capit": frozenset({0, 2}), "brazil": frozenset({1}), "franc": frozenset()}
    terms = ["capit", "brazil", "franc"]
    assert coverage(terms, held, None) == 2 / 3  # "franc": in no document
    assert coverage(terms, held, 0) == 1 / 3 and coverage(terms, held, 1) == 1 / 3 and coverage(terms, held, 5) == 0
    assert coverage([], held, 0) == 1.0  # nothing asked: nothing missing
    assert coverage(["unlooked"], held, 0) == 1.0  # not looked up: counted as held


def test_a_follow_ups_borrowed_words_are_not_its_own() -> None:
    question = analyse("What about agriculture?", ["What sectors hold the greatest potential?"], followup=True)
    assert "agricultur" in asked_terms(question) and not {"sector", "potenti"} & set(asked_terms(question))
    # one naming another place asks the earlier question of it, in full: every word of that is its own
    restated = analyse("What about Brazil?", ["What is the capital of Peru?"], followup=True)
    assert asked_terms(restated) == ["capit", "brazil"]


def test_passages_with_a_term_match_a_scan_of_the_texts() -> None:
    texts = ["The capital is Lima.", "Brazil exports coffee.", "The capital of Brazil is Brasilia.", "Nothing."]
    lexical = Lexical.build(texts)
    for term in ("capit", "brazil", "coffe", "absent"):
        expected = [i for i, t in enumerate(texts) if term in tokenize(t)]
        assert lexical.passages_with(term).tolist() == expected


def test_the_reader_finds_which_documents_hold_each_term(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    texts = {
        "a.md": "# Alpha\n\nThe capital of Alpha is Lima.\n",
        "b.md": "# Beta\n\nBeta exports coffee.\n\nBeta trades with Alpha.\n",
    }
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    sync_index(corpus, index, fake)
    reader = Assistant.open(index, embedder=fake).context().reader
    by_id = reader.generation.doc_by_id
    found = reader.term_documents(["capit", "alpha", "coffe", "franc"])
    for term, docs in found.items():
        expected = {by_id[name] for name, text in texts.items() if term in tokenize(text)}
        assert docs == expected, term
    assert found["franc"] == frozenset()


def test_a_removed_documents_words_count_as_absent(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Alpha\n\nThe capital of Alpha is Lima.\n", encoding="utf-8")
    (corpus / "b.md").write_text("# Beta\n\nBeta exports coffee.\n", encoding="utf-8")
    sync_index(corpus, index, fake)
    (corpus / "b.md").unlink()
    sync_index(corpus, index, fake)  # a tombstone: b's passages stay numbered, no longer live
    reader = Assistant.open(index, embedder=fake).context().reader
    found = reader.term_documents(["coffe", "capit"])
    assert found["coffe"] == frozenset() and found["capit"] == {reader.generation.doc_by_id["a.md"]}


def test_documents_holding_a_term_are_found_by_search_over_segments_and_tombstones(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from test_segments import COUNTRIES, write

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    versions = {name: 0 for name in COUNTRIES}
    write(corpus, versions)
    sync_index(corpus, index, fake, segment_passages=8)  # many segments
    del versions[COUNTRIES[3]]
    versions[COUNTRIES[5]] = 1
    write(corpus, versions)
    sync_index(corpus, index, fake, segment_passages=8)  # a removed document and a replaced one: tombstones
    reader = Assistant.open(index, embedder=fake).context().reader
    generation = reader.generation
    texts = {i: generation.documents[i].text for i in range(len(generation.documents))}
    terms = [*sorted({t for text in texts.values() for t in tokenize(text)}), "zzzz"]
    found = reader.term_documents(terms)
    for term in terms:
        expected = {i for i, text in texts.items() if term in tokenize(text)}
        assert bool(found[term]) == bool(expected), term
        assert {i for i in texts if i in found[term]} == expected, term
        assert set(found[term]) == expected, term
