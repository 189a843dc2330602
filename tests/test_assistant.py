from pathlib import Path

import numpy as np
import pytest

from qa.answering.features import field_path
from qa.answering.word_match import word_matches
from qa.assistant import Assistant, Retrieval
from qa.errors import IndexMismatchError, IndexNotFoundError, QuestionError
from qa.index.embedding import HashingEmbedder
from qa.index.store import current_name
from qa.index.sync import sync_index
from qa.records import Filters
from qa.settings import Settings


def test_new_generation_is_picked_up_live(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake)
    assert assistant.ask("Where does Gamma grow rice?").abstained
    (tiny_corpus / "gamma.md").write_text("# Gamma Note\n\nGamma grows rice in the delta.\n", encoding="utf-8")
    sync_index(tiny_corpus, index, fake)
    assert assistant.refresh(force=True)
    answer = assistant.ask("Where does Gamma grow rice?")
    assert answer.citations[0].doc_id == "gamma.md"
    assert current_name(index) in answer.index_version


def serving_then_gamma(corpus: Path, tmp_path: Path, fake) -> tuple[Path, Assistant, str]:  # type: ignore[no-untyped-def]
    """An assistant serving the tiny corpus's first generation, and a second one written with a Gamma note."""
    index = tmp_path / "index"
    sync_index(corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake, settings=Settings(abstain_below=0.0))
    serving = assistant.generation.name
    (corpus / "gamma.md").write_text("# Gamma Note\n\nGamma grows rice in the delta.\n", encoding="utf-8")
    sync_index(corpus, index, fake)
    return index, assistant, serving


def test_a_corrupt_new_generation_is_not_swapped_in(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    index, assistant, serving = serving_then_gamma(tiny_corpus, tmp_path, fake)
    from conftest import newest_segment

    (newest_segment(index) / "passages.npy").write_text("broken", encoding="utf-8")
    assert not assistant.refresh(force=True)
    assert assistant.generation.name == serving
    assert not assistant.ask("What does Beta sell to Alpha?").abstained


def test_an_index_built_with_another_model_is_refused(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    with pytest.raises(IndexMismatchError, match=r"hashing:256.*--rebuild"):
        Assistant.open(tmp_path / "index", embedder=HashingEmbedder(256, model_id="hashing:other"))


def test_opening_without_an_index_says_what_to_run(tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndexNotFoundError, match="qa index"):
        Assistant.open(tmp_path / "none", embedder=fake)


def test_filters_really_filter(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    only_beta = assistant.ask("What does Beta sell to Alpha?", filters=Filters(doc_ids=("beta.txt",)))
    assert all(c.doc_id == "beta.txt" for c in only_beta.citations + only_beta.nearest)
    nothing = assistant.ask("What does Beta sell to Alpha?", filters=Filters(date_from="2030"))
    assert nothing.abstained and nothing.citations == [] and nothing.nearest == []
    assert "No briefing matches the filters" in nothing.text
    dated = assistant.ask("What does Beta sell to Alpha?", filters=Filters(date_from="2024-01", date_to="2024-12"))
    assert {c.doc_id for c in dated.citations + dated.nearest} == {"alpha.md"}


def test_bad_questions_raise_question_error(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    calls = fake.calls
    for bad in ["", "   ", "x" * 5000, "\ud800"]:
        with pytest.raises(QuestionError):
            assistant.ask(bad)
    assert fake.calls == calls  # the encoder never saw them


def test_documents_and_status(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    docs = {d.doc_id: d for d in assistant.documents()}
    assert docs["alpha.md"].date == "2024-03-03" and docs["alpha.md"].title == "Alpha Report: 3 March 2024"
    assert docs["beta.txt"].title == "Beta Briefing, June 2023"
    status = assistant.status()
    assert status.documents == 2 and status.passages == sum(d.passages for d in docs.values())


def test_an_index_built_with_other_chunking_is_refused(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from qa.settings import Settings

    sync_index(tiny_corpus, tmp_path / "index", fake, Settings(passage_max_words=50))
    with pytest.raises(IndexMismatchError, match=r"passage_max_words 50 \(now 160\).*--rebuild"):
        Assistant.open(tmp_path / "index", embedder=fake)
    assert Assistant.open(tmp_path / "index", embedder=fake, settings=Settings(passage_max_words=50)).ask("Beta?")


def test_a_name_no_briefing_holds_is_named_with_the_closest_one(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    typo = assistant.ask("Whom did the President of Beta, Maria Lpoez, visit?")
    assert "no briefing mentions “Lpoez”; the closest name is “Lopez”" in typo.checks
    assert "no briefing mentions “Lpoez”" in typo.text
    assert assistant.ask("Whom did the President of Beta, Maria Lopez, visit?").checks == []
    unknown = assistant.ask("What does Belgium sell to Alpha?")
    assert "no briefing mentions “Belgium”" in unknown.checks  # nothing close: no suggestion


def word_matches_of(assistant: Assistant, retrieval: Retrieval) -> dict[int, tuple[float, ...]]:
    depth = assistant.settings.passages_read
    return word_matches(
        retrieval.generation, retrieval.question, retrieval.hits, depth, assistant.encoder.piece_vectors
    )


def test_word_matches_score_each_candidate_sentence_against_the_question(
    tiny_corpus: Path, tmp_path: Path, fake
) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    retrieval = assistant.search("Does Beta sell wheat?")
    matches = word_matches_of(assistant, retrieval)
    generation = assistant.generation
    text = {sid: generation.documents[s.doc].text[s.start : s.end] for sid, s in enumerate(generation.sentences)}
    # the fake's pieces are whole words, each matching only itself: the share of "beta", "sell", "wheat" present
    means = {sid: sum(bests) / len(bests) for sid, bests in matches.items()}
    assert {text[sid]: round(value, 3) for sid, value in means.items()}["Beta sells wheat to Alpha."] == round(2 / 3, 3)
    assert all(len(bests) == 3 for bests in matches.values())  # "Beta", "sell", "wheat"
    assert max(means, key=lambda sid: means[sid]) == next(
        s for s, t in text.items() if t == "Beta sells wheat to Alpha."
    )
    # the index: passages, sentences and their field paths; then the question and its field-path query, in one
    # batch (the candidate lines' field paths are read from the index); pieces are not embeddings
    paths = {field_path(generation, s) for s in generation.sentences} - {""}
    assert fake.calls == len(generation.passages) + len(generation.sentences) + len(paths) + 2


def test_a_sentence_word_match_reads_its_headings_and_its_documents_title_too(
    tiny_corpus: Path, tmp_path: Path, fake
) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    generation = assistant.generation
    retrieval = assistant.search("Which trade report?")  # "trade" is alpha.md's heading, "report" in its title
    sid = next(
        i for i, s in enumerate(generation.sentences)
        if generation.documents[s.doc].text[s.start : s.end].startswith("Alpha exports copper")
    )  # fmt: skip
    assert (
        tuple(generation.sentences[sid].section) == ("Trade",)
        and "Report" in generation.documents[generation.sentences[sid].doc].title
    )
    assert word_matches_of(assistant, retrieval)[sid] == pytest.approx((1.0, 1.0))


def test_with_a_zero_word_match_weight_the_pieces_are_not_computed(tiny_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    sync_index(tiny_corpus, tmp_path / "index", fake)
    assistant = Assistant.open(tmp_path / "index", embedder=fake)
    calls: list[int] = []
    pieces = fake.piece_vectors
    fake.piece_vectors = lambda texts: calls.append(len(texts)) or pieces(texts)
    retrieval = assistant.search("Does Beta sell wheat?")
    with_match = assistant.answer_from(retrieval, abstain_below=0.0)
    assert calls and with_match.citations[0].quote == "Beta sells wheat to Alpha."
    calls.clear()
    off = assistant.weights.without_word_match()
    without = assistant.answer_from(retrieval, weights=off, abstain_below=0.0)
    assert calls == [] and without.citations[0].quote == "Beta sells wheat to Alpha."


def test_the_fakes_pieces_match_a_word_only_with_itself() -> None:
    # "discuss", "alpha" and "of" share a bucket of the 256-dimension hashed embedding; as pieces they are apart
    fake = HashingEmbedder(256)
    asked, sentence, empty = fake.piece_vectors(["discuss Beta", "Alpha of Beta, beta discuss", ""])
    similarity = asked @ sentence.T
    assert similarity.tolist() == [[0, 0, 0, 0, 1], [0, 0, 1, 1, 0]]
    assert empty.shape == (0, asked.shape[1])
    assert np.allclose(np.linalg.norm(sentence, axis=1), 1.0)


def test_a_new_generation_swaps_in_on_a_background_thread_without_stalling_questions(
    tiny_corpus: Path, tmp_path: Path, fake, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    import qa.assistant.facade

    index, assistant, serving = serving_then_gamma(tiny_corpus, tmp_path, fake)
    release, loading = threading.Event(), threading.Event()
    real_load = qa.assistant.facade.load_generation

    def slow_load(*args, **kwargs):  # type: ignore[no-untyped-def]
        loading.set()
        assert release.wait(30)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(qa.assistant.facade, "load_generation", slow_load)
    assistant._last_check = 0.0  # as if a second had passed since the last look
    started = time.monotonic()
    answer = assistant.ask("What does Beta sell to Alpha?")  # starts the load, answers from the current generation
    assert loading.wait(10) and serving in answer.index_version
    for _ in range(5):  # the load is still blocked: questions go on, answered from the generation in use
        assert serving in assistant.ask("Who visited Gamma City?").index_version
    assert time.monotonic() - started < 20
    release.set()
    assistant.wait_for_swap(30)
    assert assistant.generation.name == current_name(index) != serving
    assert assistant.ask("Where does Gamma grow rice?").citations[0].doc_id == "gamma.md"


def test_eight_threads_get_exactly_the_answers_one_thread_gets(sample_corpus: Path, tmp_path: Path, fake) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    index = tmp_path / "index"
    sync_index(sample_corpus, index, fake)
    words = ["Mexico", "Russia", "trade", "coffee", "LNG", "lithium", "BRICS", "Lavrov", "wheat", "energy"]
    forms = ["What does {} supply?", "Who met {}?", "When did {} sign?", "How many {} were shipped?", "Why is {} key?"]
    questions = [
        forms[i % len(forms)].format(words[i % len(words)]) + ("" if i < 50 else f" ({i})") for i in range(200)
    ]
    alone = Assistant.open(index, embedder=fake)
    expected = [alone.ask(q).model_dump_json() for q in questions]
    shared = Assistant.open(index, embedder=fake)  # one assistant, cold caches, eight threads at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: shared.ask(q).model_dump_json(), questions))
    assert got == expected


def test_the_caches_stay_bounded(tiny_corpus: Path, tmp_path: Path, fake, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant.encoder import QueryEncoder
    from qa.assistant.provenance import FileHashes

    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake)
    assistant = Assistant.open(index, embedder=fake)
    assistant.encoder = QueryEncoder(fake, queries_kept=8)
    assistant.hashes = FileHashes(kept=4)
    for i in range(30):
        assistant.ask(f"What does Beta sell to Alpha in year {i}?")
        assert assistant.encoder.cached <= 10  # cleared once past the bound (8), then a question's two texts
    for i in range(10):
        (tiny_corpus / "alpha.md").write_text(f"# Alpha {'x' * i}\n\nAlpha exports copper to Beta.\n", encoding="utf-8")
        assert assistant.hashes.of(tiny_corpus / "alpha.md") is not None
        assert 0 < len(assistant.hashes) <= 4  # ten versions of the file seen, at most four remembered
    # what a benchmark primes stays cached, however many
    assistant.prime([f"Primed question {i}?" for i in range(20)])
    assistant.ask("Primed question 3?")
    assert assistant.encoder.is_cached("Primed question 0?")


def test_warming_up_loads_what_the_first_question_waits_for_and_changes_no_answer(
    tiny_corpus: Path, tmp_path: Path, fake
) -> None:  # type: ignore[no-untyped-def]
    from qa.text import language

    sync_index(tiny_corpus, tmp_path / "index", fake)
    cold = Assistant.open(tmp_path / "index", embedder=fake).ask("What does Alpha export?")
    language._identifier.cache_clear()
    warmed = Assistant.open(tmp_path / "index", embedder=fake)
    before = fake.calls
    warmed.warm()
    assert language._identifier.cache_info().currsize == 1 and fake.calls > before  # the model was run
    assert warmed.ask("What does Alpha export?") == cold
