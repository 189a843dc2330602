"""The real bundled model, real FAISS, on the sample briefing and a slice of the Factbook."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FACTBOOK, ROOT, SAMPLE, SHARED, needs_shared
from qa.answering.reader import reader_text
from qa.assistant import Assistant
from qa.index.sync import sync_index
from qa.settings import DEFAULT_MODEL, Settings
from qa.text.chunking import chunk_document
from qa.text.documents import read_document

# one pytest-xdist worker runs this file's tests: they share its costly fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("real")]

SAMPLE_TEXT = read_document(SAMPLE.parent, SAMPLE).text


def seed_examples() -> list[dict]:  # type: ignore[type-arg]
    path = SHARED / "eval" / "seed_examples.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("example", seed_examples() or [None], ids=lambda e: e["question"][:40] if e else "none")
def test_seed_examples(real_assistant: Assistant, example: dict | None) -> None:  # type: ignore[type-arg]
    if example is None:
        needs_shared()
        return
    answer = real_assistant.ask(example["question"], example.get("history", []))
    if example["answerable"]:
        assert not answer.abstained
        assert any(e in answer.text for e in example["expect"])
    else:
        assert answer.abstained and answer.citations == []


def test_mexico_supplies_coffee_and_pepper_with_exact_offsets(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What does Mexico supply to Russia?")
    first = answer.citations[0]
    assert "coffee, pepper" in first.quote
    assert SAMPLE_TEXT[first.start : first.end] == first.quote
    assert first.title == "Russia, Mexico, Bilateral Relations: July 2025 Update" and first.date == "2025-07"


def test_gdp_forecast_abstains_plainly(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What is Russia's GDP growth forecast for 2026?")
    assert answer.abstained and answer.citations == []
    assert answer.text.startswith("**Not in the briefings.**")
    assert answer.nearest and all(SAMPLE_TEXT[c.start : c.end] == c.quote for c in answer.nearest)


OWN_QUESTIONS = [
    ("Who did Lavrov meet?", "Juan Ramon de la Fuente Ramirez"),
    ("Where did the ministers meet?", "Rio de Janeiro"),
    ("Is Mexico a member of BRICS?", "observer"),
    ("What does Russia export to Mexico?", "chemical fertilisers"),
    ("Which country is Russia's largest trading partner in Latin America?", "Brazil"),
    ("What technology could Russia offer for Mexico's local deposits?", "lithium"),
    ("Who is Mexico's most important trade partner?", "the US remains Mexico’s most important trade partner"),
    ("What do bilateral investment treaties protect?", "investors rights"),
    ("What has Russia proposed regarding LNG?", "Mexico purchases Russian LNG"),
]


@pytest.mark.parametrize(("question", "expected"), OWN_QUESTIONS, ids=[q for q, _ in OWN_QUESTIONS])
def test_own_questions_on_the_sample(real_assistant: Assistant, question: str, expected: str) -> None:
    answer = real_assistant.ask(question)
    assert not answer.abstained
    assert expected in answer.citations[0].quote


OFF_TOPIC = [
    "What is the inflation rate in Japan?",
    "Who won the 2022 football world cup?",
    "What is the population of Canada?",
    "How many nuclear reactors does France operate?",
]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_abstain(real_assistant: Assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.abstained
    assert all(c.score >= 0.005 for c in answer.nearest) and "(score 0.00)" not in answer.text  # nothing near


def test_a_misspelt_name_is_pointed_at_the_briefings_spelling(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("Which minister did Lavorv meet?")
    assert "no briefing mentions “Lavorv”; the closest name is “Lavrov”" in answer.checks
    assert "the closest name is “Lavrov”" in answer.text


def test_follow_up_and_what_did_they_discuss(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What did they discuss?", ["Who did Lavrov meet?"])
    assert "discussed key issues" in answer.citations[0].quote


def test_piece_vectors_are_unit_rows_of_the_models_input_table(real_embedder) -> None:  # type: ignore[no-untyped-def]
    bought, purchased, river, sentence = real_embedder.piece_vectors(
        ["bought", "purchased", "river", "Mexico purchases Russian LNG."]
    )
    assert len(sentence) == real_embedder.count_pieces("Mexico purchases Russian LNG.") - 2  # less [CLS], [SEP]
    assert np.allclose(np.linalg.norm(sentence, axis=1), 1.0, atol=1e-5)
    assert float(bought[0] @ purchased[0]) > 0.5 > float(bought[0] @ river[0])
    again = real_embedder.piece_vectors(["river", "Mexico purchases Russian LNG.", "bought"])  # from the cache
    assert np.array_equal(again[0], river) and np.array_equal(again[1], sentence) and np.array_equal(again[2], bought)


def test_the_index_stores_each_sentences_word_pieces_and_answers_as_without_them(
    real_sample_index: Path, real_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from qa.index.store import Generation, load_generation
    from qa.text.tokens import tokenize

    generation = load_generation(real_sample_index)
    texts = {s.sid: generation.documents[s.doc].text[s.start : s.end] for s in generation.sentences}
    pieces = generation.sentence_pieces(texts)
    own, _ = generation.sentence_words()
    assert set(pieces) == set(texts)
    for sid, text in texts.items():
        assert pieces[sid].tolist() == real_embedder.piece_ids([text])[0].tolist()
        assert np.array_equal(real_embedder.piece_rows(pieces[sid]), real_embedder.piece_vectors([text])[0])
        assert own[sid] == frozenset(tokenize(text))
    questions = [
        ("Who did Lavrov meet?", []),
        ("What does Mexico supply to Russia?", []),
        ("What about wheat?", ["What does Mexico supply to Russia?"]),
    ]
    stored = [Assistant.open(real_sample_index, embedder=real_embedder).ask(q, h).model_dump() for q, h in questions]
    monkeypatch.setattr(Generation, "sentence_words", lambda self: ({}, {}))
    monkeypatch.setattr(Generation, "sentence_pieces", lambda self, sids: {})
    tokenised = [Assistant.open(real_sample_index, embedder=real_embedder).ask(q, h).model_dump() for q, h in questions]
    assert stored == tokenised and stored[0]["citations"]


def test_passages_fit_the_models_window(real_embedder) -> None:  # type: ignore[no-untyped-def]
    paths = [SAMPLE]
    if FACTBOOK.is_dir():
        paths += sorted(FACTBOOK.glob("*.md"))[:12]
    limit = real_embedder.max_seq_length
    over = []
    for path in paths:
        document = read_document(path.parent, path)
        for p in chunk_document(document, 0, 90, 230).passages:
            if p.first_sentence != p.last_sentence and real_embedder.count_pieces(p.text) > limit:
                over.append((path.name, real_embedder.count_pieces(p.text)))
    assert over == []


@pytest.fixture(scope="session")
def factbook_assistant(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Assistant:  # type: ignore[no-untyped-def]
    needs_shared()
    corpus = tmp_path_factory.mktemp("fb") / "corpus"
    corpus.mkdir()
    names = ("mx-mexico.md", "rs-russia.md", "ca-canada.md", "ja-japan.md", "br-brazil.md", "tu-turkey.md")
    for name in (*names, "ve-venezuela.md", "as-australia.md"):
        shutil.copy(FACTBOOK / name, corpus / name)
    sync_index(corpus, corpus.parent / "index", real_embedder)
    return Assistant.open(corpus.parent / "index", embedder=real_embedder)


@pytest.mark.parametrize(
    ("question", "short", "doc"),
    [
        ("What is the population of Mexico?", "130,739,927", "mx-mexico.md"),
        ("What is the capital of Canada?", "Ottawa", "ca-canada.md"),
        ("What is Japan's highest point?", "Mount Fuji 3,776 m", "ja-japan.md"),
    ],
)
def test_factbook_fields_answer(factbook_assistant: Assistant, question: str, short: str, doc: str) -> None:
    answer = factbook_assistant.ask(question)
    assert not answer.abstained and answer.short_answer == short and answer.citations[0].doc_id == doc


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("What is the population of Sao Paulo?", "22.620 million São Paulo"),
        ("What is the name of the legislature of Turkiye?", "Grand National Assembly of Türkiye"),
    ],
)
def test_a_name_typed_without_accents_finds_the_field_written_with_them(
    factbook_assistant: Assistant, question: str, quoted: str
) -> None:
    answer = factbook_assistant.ask(question)
    # the line is found first, accents or none; a city's figure from its country's profile may still be refused
    # (the profile's title names Brazil, not São Paulo: the confidence's "about the entity asked")
    assert quoted in (answer.citations or answer.nearest)[0].quote


# Bolivia is no "bolivars" (Venezuela's currency line), nor is Austria Australia
@pytest.mark.parametrize(
    "question",
    [
        "What is the population of Belgium?",
        "What is the capital of Peru?",
        "What currency does Bolivia use?",
        "Who is the chief of state of Austria?",
    ],
)
def test_countries_without_a_profile_abstain(factbook_assistant: Assistant, question: str) -> None:
    assert factbook_assistant.ask(question).abstained


def test_cli_end_to_end_with_python_m_qa(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("QA_MODEL", None)
    index = str(tmp_path / "index")
    run = subprocess.run([sys.executable, "-m", "qa", "index", str(corpus), "--index", index, "--quiet"],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=True)  # fmt: skip
    assert "added        1" in run.stdout
    run = subprocess.run([sys.executable, "-m", "qa", "ask", "What does Mexico supply to Russia?", "--index", index, "--json"],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=True)  # fmt: skip
    payload = json.loads(run.stdout)
    first = payload["citations"][0]
    assert "coffee" in first["quote"] and SAMPLE_TEXT[first["start"] : first["end"]] == first["quote"]
    assert payload["abstained"] is False and 0 <= payload["confidence"] <= 1


def test_a_question_asked_the_wrong_way_round_is_flagged(real_assistant: Assistant) -> None:
    wrong_way = real_assistant.ask("Who is Mexico's least important trade partner?")
    assert "the question says “least”; the" in wrong_way.checks[0] and "says “most”" in wrong_way.checks[0]
    assert "“least”" in wrong_way.text
    right_way = real_assistant.ask("Who is Mexico's most important trade partner?")
    assert right_way.checks == [] and not right_way.abstained
    assert right_way.confidence > wrong_way.confidence


@pytest.mark.parametrize(
    "question",
    [
        "When was the Russia-Mexico investment treaty signed?",
        "How many tonnes of wheat did Russia ship to Mexico in 2024?",
    ],
)
def test_a_quote_without_the_kind_of_answer_asked_is_refused_and_says_why(
    real_assistant: Assistant, question: str
) -> None:
    # the briefing speaks of the treaty and of wheat, but gives no date and no tonnage
    answer = real_assistant.ask(question)
    assert answer.abstained and answer.confidence == 0.0
    assert any("holds none" in check for check in answer.checks)


def test_the_chat_shows_only_example_questions_it_answers(real_assistant: Assistant) -> None:
    from app import shown_examples

    examples = shown_examples(real_assistant, Settings())
    assert examples and all(not real_assistant.ask(q).abstained for q in examples)


def test_a_head_of_state_is_named_not_a_month(factbook_assistant: Assistant) -> None:
    answer = factbook_assistant.ask("Who is the president of Mexico?")
    assert answer.short_answer in (None, "Claudia SHEINBAUM Pardo") and answer.citations[0].doc_id == "mx-mexico.md"
    bold, factbook_assistant.bold = factbook_assistant.bold, None  # the phrase cut, before the bold model judges it
    try:
        assert factbook_assistant.ask("Who is the president of Mexico?").short_answer == "Claudia SHEINBAUM Pardo"
    finally:
        factbook_assistant.bold = bold


def test_a_comparison_quotes_each_side_from_its_own_profile(factbook_assistant: Assistant) -> None:
    answer = factbook_assistant.ask("Which has a larger population, Mexico or Russia?")
    assert not answer.abstained and answer.question_type == "comparison"
    first, second = answer.citations
    assert (first.n, first.doc_id, second.n, second.doc_id) == (1, "mx-mexico.md", 2, "rs-russia.md")
    for citation in answer.citations:  # each quote is its profile's population line, at its own offsets
        text = factbook_assistant.document(citation.doc_id).text
        assert citation.quote.startswith("**total:**") and text[citation.start : citation.end] == citation.quote
    assert "130,739,927" in answer.text


def test_a_comparison_with_a_side_no_briefing_covers_is_refused(factbook_assistant: Assistant) -> None:
    answer = factbook_assistant.ask("Which has a larger population, Mexico or Belgium?")
    assert answer.abstained and not answer.citations
    assert "for Mexico but not for Belgium" in answer.text


def test_a_pooled_sentence_vector_is_nearest_its_own_sentence(real_embedder) -> None:  # type: ignore[no-untyped-def]
    """The real counterpart of the pooling fake: one forward pass over a passage gives its own vector (as `embed`
    does) and, for each sentence, a vector nearer that sentence's own embedding than the other sentences'."""
    sentences = [
        "Mexico supplies coffee and pepper to Russia.",
        "The foreign ministers met in Moscow in July.",
        "Wheat exports fell by a third after the drought.",
    ]
    text = " ".join(sentences)
    spans, at = [], 0
    for s in sentences:
        start = text.index(s, at)
        spans.append((start, start + len(s)))
        at = start + len(s)
    vectors, pooled = real_embedder.embed_with_spans([text], [spans])
    assert np.allclose(vectors[0], real_embedder.embed([text])[0], atol=1e-4)
    own = real_embedder.embed(sentences)
    for i, vector in enumerate(pooled[0]):
        assert vector is not None
        cosines = own @ vector
        assert int(np.argmax(cosines)) == i, cosines


def test_pooling_in_a_batch_of_unequal_lengths_ignores_the_padding(real_embedder) -> None:  # type: ignore[no-untyped-def]
    texts = ["Wheat.", "Mexico supplies coffee and pepper to Russia, and the ministers met in Moscow in July."]
    spans = [[(0, 6)], [(0, 44), (46, len(texts[1]))]]
    _, batched = real_embedder.embed_with_spans(texts, spans)
    _, alone = real_embedder.embed_with_spans(texts[:1], spans[:1])
    assert np.allclose(batched[0][0], alone[0][0], atol=1e-4)  # the short text's padding is no part of its mean


def read_by_the_fitted_models(real_embedder, question: str, history: bool = False) -> str:  # type: ignore[no-untyped-def]
    from qa.answering.questions import clean_question
    from qa.assistant.readers import FittedReader, default_reader

    reader = default_reader(real_embedder.model_id)
    assert isinstance(reader, FittedReader)  # fitted on the bundled model's vectors
    text = clean_question(question)
    return reader.read(text, real_embedder.embed([text])[0], history).kind


@pytest.mark.parametrize(
    ("question", "history", "reading"),
    [
        ("What changed since the last update?", False, "change"),
        ("How does the latest briefing differ from the previous one?", False, "change"),
        ("What did the briefings say in 2025 about trade?", False, "as_of"),
        ("Which has a larger population, Mexico or Russia?", False, "comparison"),
        ("What about agriculture?", True, "followup"),
        # questions the first hand-written detectors misread (SQuAD dev, the README's and the start page's examples)
        ("What do the briefings say about Climate Change?", False, "plain"),
        ("What did the last update say about trade?", False, "plain"),
        ("Who is the new minister?", False, "plain"),
        ("What was causing New France to have issues with resupplying?", False, "plain"),
        ("How much has global mean surface air temperature changed in the last century?", False, "plain"),
        ("Who wrote a paper on real time computations in 1973?", False, "plain"),
        ("What was the GDP in 2023?", False, "plain"),
        ("What does Mexico or Russia export?", False, "plain"),
        ("What does Mexico supply to Russia?", True, "plain"),
    ],
)
def test_the_fitted_models_read_each_kind_of_question(
    real_embedder, question: str, history: bool, reading: str
) -> None:  # type: ignore[no-untyped-def]
    assert read_by_the_fitted_models(real_embedder, question, history) == reading


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # wordings of no tune question, about no Factbook field's words
        ("How populous is Kenya?", "how_many"),
        ("What commodities does Zambia ship abroad?", "list"),
        ("What is the capital of Kenya?", "what"),
        ("What did Lavrov and Fuentes discuss?", "what"),
        ("How does the treaty protect investors?", "how"),
    ],
)
def test_the_answer_form_model_reads_what_a_question_asks_for(
    real_assistant: Assistant, question: str, kind: str
) -> None:
    assert real_assistant.forms is not None  # fitted on this embedding model
    assert real_assistant.search(question).question.kind == kind


def test_the_bold_model_keeps_a_right_name_and_drops_a_number_asked_as_a_list(real_assistant: Assistant) -> None:
    """The fitted bold model over the real model's answers: the minister's name stays bold with its probability;
    its file was fitted on this embedding model."""
    from qa.answering.bold import default_bold

    assert real_assistant.bold is not None and real_assistant.bold is default_bold(real_assistant.encoder.model_id)
    answer = real_assistant.ask("Which minister represented Russia at the meeting?")
    assert answer.bold_confidence is not None
    assert (answer.short_answer is not None) == (answer.bold_confidence >= real_assistant.bold.threshold)  # prose
    assert answer.short_answer is None or "Lavrov" in answer.short_answer


TREATY_THEN = (
    "This latter note implies that a Russia-Mexico bilateral investment treaty could be in the process of being "
    "developed."
)
TREATY_NOW = "Russia and Mexico signed a bilateral investment treaty in December 2025."


@pytest.fixture(scope="session")
def treaty_series(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Assistant:  # type: ignore[no-untyped-def]
    """The sample and a January 2026 update in which the treaty, in other words, was signed, and the paragraph
    about the US and LNG is gone."""
    base = tmp_path_factory.mktemp("treaty")
    corpus = base / "corpus"
    corpus.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    assert TREATY_THEN in text and "Mexico is under the process" in text
    update = text.replace("July 2025 Update", "January 2026 Update", 1).replace(TREATY_THEN, TREATY_NOW)
    start = update.index("Mexico is under the process")
    update = update[:start] + update[update.index("\n\n", start) + 2 :]
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    (corpus / "russia-mexico-bilateral-relations-2026-01.txt").write_text(update, encoding="utf-8")
    sync_index(corpus, base / "index", real_embedder)
    return Assistant.open(base / "index", embedder=real_embedder)


@pytest.mark.parametrize(
    "question", ["When was the investment treaty signed?", "Is a Russia-Mexico investment treaty being developed?"]
)
def test_a_newer_update_in_other_words_leads_and_the_older_quote_follows(
    treaty_series: Assistant, question: str
) -> None:
    answer = treaty_series.ask(question)
    assert not answer.abstained and answer.citations[0].quote == TREATY_NOW
    before = [c for c in answer.citations if c.n in answer.other_versions]
    assert [c.quote for c in before] == [TREATY_THEN] and before[0].doc_id == SAMPLE.name


def test_what_only_an_older_update_says_is_still_quoted_from_it(treaty_series: Assistant) -> None:
    answer = treaty_series.ask("What has Russia proposed about LNG?")
    assert not answer.abstained and answer.citations[0].doc_id == SAMPLE.name and "LNG" in answer.citations[0].quote
    assert not answer.other_versions


SUPPLY = "while Mexico supplies Russia with coffee, pepper, pharmaceuticals, and food products."


def test_standing_questions_follow_edits_removals_and_new_briefings(tmp_path: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    """The real counterpart of test_standing.py: a standing question's value edited → changed, with both quotes;
    an edit elsewhere in its briefing → never changed; a new briefing answering a refused question → newly
    answered; the briefing removed → no longer answered; a restart keeps the list and its states."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    briefing = corpus / SAMPLE.name
    text = SAMPLE.read_text(encoding="utf-8")
    assert SUPPLY in text and TREATY_THEN in text
    briefing.write_text(text, encoding="utf-8")
    sync_index(corpus, index, real_embedder)
    assistant = Assistant.open(index, embedder=real_embedder)
    supply = assistant.keep_watching("What does Mexico supply to Russia?")
    assert supply.latest is not None and "coffee" in supply.latest.quote
    signed = assistant.keep_watching("When did Argentina and Chile sign their fishing accord?")
    assert signed.latest is not None and not signed.latest.answered

    def reindex_and_states() -> dict[int, str]:
        sync_index(corpus, index, real_embedder)
        report = assistant.recheck_standing()
        assert report.checked == 2 and not report.failed
        return {item.id: item.state for item in assistant.standing().list()}

    briefing.write_text(text.replace(SUPPLY, SUPPLY.replace("coffee, pepper", "avocados, tequila")), encoding="utf-8")
    assert reindex_and_states() == {supply.id: "changed", signed.id: "unchanged"}
    item = assistant.standing().get(supply.id)
    assert item.seen is not None and item.latest is not None
    assert "coffee" in item.seen.quote and "avocados" in item.latest.quote and item.seen.sha256 != item.latest.sha256
    assistant.standing().mark_seen(supply.id)

    edited = briefing.read_text(encoding="utf-8").replace(TREATY_THEN, "This latter note says little more.")
    briefing.write_text(edited, encoding="utf-8")  # an edit elsewhere in the same briefing
    assert reindex_and_states()[supply.id] in ("source edited", "unchanged")

    (corpus / "fishing-2026-01.txt").write_text(
        "Fishing accord update, January 2026\n\nArgentina and Chile signed their fishing accord in March 2024.\n",
        encoding="utf-8",
    )
    assert reindex_and_states()[signed.id] == "newly answered"

    briefing.unlink()
    states = reindex_and_states()
    assert states[supply.id] == "no longer answered"
    restarted = Assistant.open(index, embedder=real_embedder)  # a restart: the same list, the same states
    assert {i.id: i.state for i in restarted.standing().list()} == states


def test_the_field_map_finds_the_capital_for_a_seat_of_government(real_embedder) -> None:  # type: ignore[no-untyped-def]
    """The shipped field map on the real model: wordings whose nearest field path by the cosine is another field."""
    from qa.answering.field_map import default_field_map, mapped

    field_map = default_field_map(real_embedder.model_id)
    assert field_map is not None
    paths = ["Capital: name", "Legislative branch: number of seats", "Executive branch: head of government",
             "Government type", "Exports - commodities", "Median age: total"]  # fmt: skip
    vectors = real_embedder.embed(paths)
    for question in ("Where is the seat of government of?", "Which city hosts the government of?"):
        focus = real_embedder.embed([question])[0]
        assert paths[int(np.argmax(vectors @ focus))] != "Capital: name"  # the cosine alone misses it
        assert paths[int(np.argmax(vectors @ mapped(field_map, focus)))] == "Capital: name"


def test_the_learned_reader_prefers_the_line_that_answers() -> None:
    from qa.index.reader import CrossReader

    reader = CrossReader(DEFAULT_MODEL)
    right = reader_text("Canada", ("Government", "Capital"), "**name:** Ottawa")
    wrong = reader_text("Canada", ("Geography", "Area"), "**total:** 9,984,670 sq km")
    first, second = reader.score("What is the capital of Canada?", [right, wrong])
    assert first > second
    assert reader.score("What is the capital of Canada?", []) == []


def test_an_assistant_with_the_learned_reader_on_answers_from_the_sample(
    real_sample_index: Path, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    on = Assistant.open(real_sample_index, embedder=real_embedder, settings=Settings(reader="on"))
    assert on.sentence_reader is not None
    answer = on.ask("What does Mexico supply to Russia?")
    assert not answer.abstained and "coffee, pepper, pharmaceuticals" in answer.citations[0].quote
