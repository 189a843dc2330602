import math
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.index.lexical import Lexical
from qa.index.store import build_faiss
from qa.records import Document, Filters
from qa.search.retrieval import allowed_passages, dense_search, document_matches, fuse, lexical_search
from qa.text.tokens import fold, stem, tokenize

CORPUS = [
    "the cat sat on the mat",
    "dogs and cats living together",
    "copper exports rose in march",
    "the mat was red and the cat was black",
]


def brute_bm25(texts: list[str], query: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    docs = [tokenize(t) for t in texts]
    avg = sum(len(d) for d in docs) / len(docs)
    out = []
    for doc in docs:
        tf = Counter(doc)
        score = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            if tf[term]:
                idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
                score += idf * tf[term] * (k1 + 1) / (tf[term] + k1 * (1 - b + b * len(doc) / avg))
        out.append(score)
    return out


def test_bm25_matches_the_formula_computed_by_hand() -> None:
    bm25 = Lexical.build(CORPUS)
    query = tokenize("cat on a red mat")
    assert np.allclose(bm25.scores(query), brute_bm25(CORPUS, query), atol=1e-5)


def test_stemming_folds_common_suffixes() -> None:
    assert [stem(w) for w in ["supplies", "supply", "agricultural", "agriculture", "met", "meeting", "gas"]] == [
        "suppli", "suppli", "agricultur", "agricultur", "meet", "meet", "gas",
    ]  # fmt: skip
    assert tokenize("What does Mexico supply?") == ["mexico", "suppli"]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("Cote d'Ivoire", "Côte d’Ivoire"),
        ("Sao Tome and Principe", "São Tomé and Príncipe"),
        ("Erdogan met Herve in Lodz", "Erdoğan met Hervé in Łódź"),
        ("Strasse", "Straße"),
        ("Aero", "Ærø"),  # letters NFKD keeps whole
    ],
)
def test_accents_fold_away_so_a_plain_spelling_finds_the_written_one(typed: str, written: str) -> None:
    assert tokenize(typed) == tokenize(written)
    assert tokenize(typed)  # nothing dropped on the way


def fold_whole(text: str) -> str:
    """The definition: NFKD of the case-folded text, combining marks dropped, the letters NFKD keeps whole spelled out."""
    apart = unicodedata.normalize("NFKD", text.casefold())
    spelled = {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
    return "".join(spelled.get(ch, ch) for ch in apart if not unicodedata.combining(ch))


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_fold_agrees_with_folding_the_whole_text_at_once(text: str) -> None:
    # fold() takes apart only the runs of non-ASCII characters, each once (cached)
    assert fold(text) == fold_whole(text)


def test_letters_of_any_script_are_tokens() -> None:
    assert tokenize("Лавров встретился с Blinken") == ["лавров", "встретился", "с", "blinken"]
    assert tokenize("the cat, the mat") == ["cat", "mat"]  # ASCII path: as before


def test_bm25_finds_the_accented_passage_from_the_plain_question() -> None:
    texts = ["The relics stayed at Rouen.", "The relics stayed at Fécamp.", "Cocoa leaves São Paulo."]
    bm25 = Lexical.build(texts)
    rouen, fecamp, _ = bm25.scores(tokenize("Did the relics stay at Fecamp?"))
    assert fecamp > rouen
    assert int(np.argmax(bm25.scores(tokenize("What leaves Sao Paulo?")))) == 2


def unit(rows: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("k", [1, 5, 17])
def test_faiss_agrees_with_numpy_cosine(k: int) -> None:
    vectors, query = unit(53, 24, 1), unit(1, 24, 2)[0]
    index = build_faiss(vectors, 24)
    got = dense_search(index, query, k)
    expected = np.argsort(-(vectors @ query), kind="stable")[:k]
    assert [pid for pid, _ in got] == expected.tolist()
    assert np.allclose([s for _, s in got], (vectors @ query)[expected], atol=1e-5)


def test_k_larger_than_the_index_never_yields_minus_one() -> None:
    index = build_faiss(unit(2, 8, 3), 8)
    got = dense_search(index, unit(1, 8, 4)[0], 5)
    assert sorted(pid for pid, _ in got) == [0, 1]


def test_dense_filter_restricts_to_allowed_ids() -> None:
    vectors = unit(20, 8, 5)
    got = dense_search(build_faiss(vectors, 8), vectors[3], 10, np.array([3, 7, 11], dtype=np.int64))
    assert got[0][0] == 3 and {pid for pid, _ in got} == {3, 7, 11}
    assert dense_search(build_faiss(vectors, 8), vectors[3], 10, np.array([], dtype=np.int64)) == []


def test_lexical_filter_and_zero_scores() -> None:
    bm25 = Lexical.build(CORPUS)
    assert {pid for pid, _ in lexical_search(bm25, {"cat": 1.0}, 10)} == {0, 1, 3}
    got = lexical_search(bm25, {"cat": 1.0}, 10, np.array([1, 2], dtype=np.int64))
    assert [pid for pid, _ in got] == [1]


def test_reciprocal_rank_fusion_by_hand() -> None:
    hits = fuse([(1, 0.9), (2, 0.8)], [(2, 5.0), (3, 4.0)], rrf_k=60)
    assert [h.pid for h in hits] == [2, 1, 3]
    assert hits[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert (hits[0].dense, hits[0].lexical) == (0.8, 5.0)


def doc(doc_id: str, date: str | None) -> Document:
    return Document(doc_id=doc_id, source=doc_id, title=doc_id, date=date, text="x", sha256="0", format="txt")


@pytest.mark.parametrize(
    ("date", "filters", "expected"),
    [
        ("2025-07", Filters(date_from="2025-07-15"), True),
        ("2025-07", Filters(date_from="2025-08"), False),
        ("2025-07-01", Filters(date_to="2025-06-30"), False),
        ("2025", Filters(date_from="2025-12-31", date_to="2026"), True),
        (None, Filters(date_from="2000"), False),
        (None, Filters(), True),
        ("2025-07", Filters(doc_ids=("other",)), False),
    ],
)
def test_document_filters(date: str | None, filters: Filters, expected: bool) -> None:
    assert document_matches(doc("a", date), filters) is expected


def test_filter_that_matches_nothing_allows_nothing() -> None:
    documents = [doc("a", "2025"), doc("b", "2024")]
    passage_docs = np.array([i % 2 for i in range(4)])
    assert allowed_passages(documents, passage_docs, Filters(doc_ids=("a",))).tolist() == [0, 2]
    assert allowed_passages(documents, passage_docs, Filters(doc_ids=("zzz",))).tolist() == []
    assert allowed_passages(documents, passage_docs, Filters(date_from="2025")).tolist() == [0, 2]


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    """Unit vectors around 40 centres: data an inverted file has lists to find."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, dim))
    x = centres[rng.integers(0, 40, n)] + 0.35 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_above_the_exact_size_an_inverted_file_keeps_the_exact_top_ten(tmp_path: Path) -> None:
    import faiss

    from qa.index.segment import RECALL_AT_10, build_faiss, dense_description, open_dense

    vectors, probes = clustered(6000, 32, 1), clustered(400, 32, 2)
    index = build_faiss(vectors, 32, probes=probes, exact_up_to=1000)
    described = dense_description(index)
    assert described["kind"].startswith("inverted file") and 1 <= described["nprobe"] <= described["nlist"]
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    mapped = open_dense(tmp_path / "v.faiss")  # memory-mapped lists, looked up by number
    assert np.allclose(mapped.reconstruct(17), vectors[17], atol=1e-6)
    questions = clustered(200, 32, 3)
    exact = build_faiss(vectors, 32)
    found = [{i for i, _ in dense_search(mapped, q, 10)} for q in questions]
    truth = [{i for i, _ in dense_search(exact, q, 10)} for q in questions]
    recall = np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= RECALL_AT_10 - 0.02  # chosen on other questions of the same kind
    # a filter: a small set is scored exactly; a large one searched through a bitmap inside the index
    small = np.arange(0, 6000, 97, dtype=np.int64)
    got = dense_search(mapped, questions[0], 5, small)
    best = small[np.argsort(-(vectors[small] @ questions[0]))[:5]]
    assert [i for i, _ in got] == best.tolist()
    large = np.arange(0, 6000, 2, dtype=np.int64)
    assert all(i % 2 == 0 for i, _ in dense_search(mapped, questions[0], 10, large))
    assert all(i % 2 == 0 for i, _ in dense_search(exact, questions[0], 10, large))
    assert dense_search(exact, questions[0], 10, large)[0][0] == max(
        large, key=lambda i: float(vectors[i] @ questions[0])
    )


def test_vectors_with_no_clusters_stay_exact() -> None:
    from qa.index.segment import build_faiss, dense_description

    rng = np.random.default_rng(5)
    flat = rng.standard_normal((3000, 64)).astype(np.float32)
    flat /= np.linalg.norm(flat, axis=1, keepdims=True)
    assert dense_description(build_faiss(flat, 64, exact_up_to=1000)) == {"kind": "exact (IndexFlatIP)"}


def test_pooling_spans_averages_the_tokens_inside_each_span_and_skips_special_ones() -> None:
    from qa.index.embedding import pool_spans

    tokens = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [9.0, -9.0]], dtype=np.float32)
    offsets = np.array([[0, 0], [0, 5], [6, 10], [11, 15], [0, 0]])  # [CLS] w1 w2 w3 [SEP]
    first, both, last, gone = pool_spans(tokens, offsets, [(0, 5), (0, 10), (12, 14), (20, 30)])
    assert np.allclose(first, [1.0, 0.0])
    assert np.allclose(both, np.array([0.5, 0.5]) / np.linalg.norm([0.5, 0.5]))  # mean, then normalised
    assert np.allclose(last, np.array([1.0, 1.0]) / np.sqrt(2))  # a span inside a token takes that token
    assert gone is None  # past the truncated text: nothing to pool
    with pytest.raises(ValueError, match="offsets"):
        pool_spans(tokens, offsets[:3], [(0, 5)])


def test_probes_off_the_clusters_choose_more_lists_and_keep_their_recall() -> None:
    """Questions lie between the clusters more than the corpus's own sentences do: the probe count chosen with
    such probes is larger, and it keeps the recall for questions like them that it never saw."""
    from qa.index.segment import RECALL_AT_10, build_faiss, dense_description

    vectors = clustered(6000, 32, 1)
    rng = np.random.default_rng(9)

    def between(n: int) -> np.ndarray:  # a mix of three points of the data: off every cluster's centre
        x = sum(vectors[rng.integers(0, 6000, n)] for _ in range(3))
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    own = build_faiss(vectors, 32, probes=vectors[:400], exact_up_to=1000)
    off = build_faiss(vectors, 32, probes=between(400), exact_up_to=1000)
    assert dense_description(off)["nprobe"] > dense_description(own)["nprobe"]
    exact = build_faiss(vectors, 32)
    questions = between(200)
    truth = [{i for i, _ in dense_search(exact, q, 10)} for q in questions]

    def recall(index: object) -> float:
        found = [{i for i, _ in dense_search(index, q, 10)} for q in questions]
        return float(np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)]))

    assert recall(off) >= RECALL_AT_10 - 0.02 and recall(off) > recall(own)


def test_a_segment_chooses_its_probe_count_with_the_models_shipped_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.index import segment, store
    from qa.index.probes import question_probes
    from qa.settings import DEFAULT_MODEL

    shipped = question_probes(DEFAULT_MODEL)
    assert shipped is not None and shipped.shape[1] == 384 and len(shipped) >= 100
    assert np.allclose(np.linalg.norm(shipped, axis=1), 1.0, atol=1e-2)
    assert question_probes("hashing:384") is None  # another model's index probes with its own sentences
    given: list[object] = []
    monkeypatch.setattr(segment, "build_faiss", lambda v, d, probes=None: given.append(probes) or build_faiss(v, d))
    parts = [segment.Part(document, passages, sentences) for document, passages, sentences in _one_document()]
    vectors, sentence_vectors = np.eye(2, 384, dtype=np.float32), np.eye(2, 384, dtype=np.float32)
    store.new_segment(tmp_path, parts, vectors, sentence_vectors, 384, model=DEFAULT_MODEL)
    store.new_segment(tmp_path, parts, vectors, sentence_vectors, 384, model="hashing:384")
    assert given[0] is not None and np.array_equal(given[0], shipped)
    assert given[1] is not None and np.array_equal(given[1], sentence_vectors)


def _one_document() -> list[tuple]:  # type: ignore[type-arg]
    from qa.records import Document
    from qa.text.chunking import chunk_document

    text = "Alpha exports copper. Beta sells wheat.\n\nGamma grows rice. Delta mines tin."
    document = Document(doc_id="a.txt", source="a.txt", title="A", text=text, sha256="0" * 64, format="txt")
    chunked = chunk_document(document, 0, 3, 100)
    return [(document, chunked.passages, chunked.sentences)]


def test_the_probe_count_is_the_fewest_that_keeps_the_recall() -> None:
    import faiss

    from qa.index.segment import RECALL_AT_10, build_faiss

    vectors, probes = clustered(6000, 32, 1), clustered(300, 32, 2)  # 300: every probe is used
    index = build_faiss(vectors, 32, probes=probes, exact_up_to=1000)
    ivf = faiss.extract_index_ivf(index)
    chosen = int(ivf.nprobe)
    truth = [{i for i, _ in dense_search(build_faiss(vectors, 32), q, 10)} for q in probes]

    def recall(probed: int) -> float:
        ivf.nprobe = probed
        found = [{i for i, _ in dense_search(index, q, 10)} for q in probes]
        return float(np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)]))

    assert chosen & (chosen - 1)  # not a power of two here: found between two doublings
    assert recall(chosen) >= RECALL_AT_10 > recall(chosen - 1)
