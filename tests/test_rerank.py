"""The passage re-ranker and the sentence features it reads, on hand-built corpora (pure, no index)."""

from dataclasses import dataclass, replace

import numpy as np
import pytest

from qa.answering import (
    PASSAGE_FEATURES,
    Scored,
    Weights,
    passage_features,
    pick_evidence,
    rank_sentences,
    refers_back,
    rerank,
    sentence_features,
)
from qa.questions import analyse
from qa.records import Document, Hit, Passage, Sentence


@dataclass
class View:
    documents: list[Document]
    passages: list[Passage]
    sentences: list[Sentence]


def corpus(docs: list[list[list[str]]]) -> View:
    """docs -> paragraphs -> sentences; one passage per paragraph."""
    documents, passages, sentences = [], [], []
    for d, paragraphs in enumerate(docs):
        text, spans = "", []
        for paragraph in paragraphs:
            if text:
                text += "\n\n"
            para_start = len(text)
            para_spans = []
            for k, sentence in enumerate(paragraph):
                if k:
                    text += " "
                para_spans.append((len(text), len(text) + len(sentence)))
                text += sentence
            spans.append((para_start, len(text), para_spans))
        documents.append(
            Document(doc_id=f"d{d}.txt", title=f"Doc {d}", text=text, sha256="0" * 64, source=f"d{d}.txt", format="txt")
        )
        for para_start, para_end, para_spans in spans:
            pid = len(passages)
            first = len(sentences)
            for start, end in para_spans:
                sentences.append(
                    Sentence(sid=len(sentences), doc=d, passage=pid, start=start, end=end,
                             para_start=para_start, para_end=para_end)
                )  # fmt: skip
            passages.append(
                Passage(pid=pid, doc=d, start=para_start, end=para_end, first_sentence=first,
                        last_sentence=len(sentences) - 1, text=documents[-1].text[para_start:para_end])
            )  # fmt: skip
    return View(documents, passages, sentences)


VIEW = corpus(
    [
        [["Alpha exports copper.", "It also mines gold."], ["Rain fell in spring."]],
        [["Beta grows wheat near the river.", "Farmers sell the wheat in Gamma."]],
        [["Delta exports copper.", "Gold is mined too."]],
    ]
)
IDF = {"alpha": 2.0, "copper": 3.0, "gold": 3.0, "wheat": 2.5, "mine": 2.0, "export": 1.5}.get


def idf(term: str) -> float:
    return IDF(term) or 1.0


def features_for(question: str, hits: list[Hit]) -> list:  # type: ignore[type-arg]
    q = analyse(question, [])
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in VIEW.sentences}
    return sentence_features(VIEW, q, hits, np.zeros(4, dtype=np.float32), vectors, idf, len(hits))


def test_without_coefficients_the_fused_order_stays() -> None:
    hits = [Hit(pid=2, score=0.03), Hit(pid=0, score=0.02), Hit(pid=1, score=0.01)]
    no_reranker = replace(Weights(), rerank_coefficients=())
    assert rerank(VIEW, hits, features_for("What does Alpha export?", hits), no_reranker) == hits


def test_the_passage_whose_sentences_hold_the_question_rises_and_shares_sum_to_one() -> None:
    hits = [Hit(pid=2, score=0.03), Hit(pid=1, score=0.02), Hit(pid=0, score=0.01)]
    feats = features_for("What does Alpha export?", hits)
    only_overlap = tuple(5.0 if name == "best_overlap" else 0.0 for name in PASSAGE_FEATURES)
    ranked = rerank(VIEW, hits, feats, replace(Weights(), rerank_coefficients=only_overlap))
    assert ranked[0].pid == 0 and [h.rank for h in ranked] == [0, 1, 2]
    assert sum(h.score for h in ranked) == pytest.approx(1.0)
    assert ranked[0].score > ranked[1].score
    # sentences are then taken from the re-ranked best passages only, their prior the passage's share
    scored = rank_sentences(feats, ranked, 1, Weights())
    assert {s.hit.pid for s in scored} == {0} and scored[0].passage_score == pytest.approx(1.0)


def test_passage_features_oracle() -> None:
    hits = [Hit(pid=0, score=0.04, dense=0.5, lexical=6.0), Hit(pid=2, score=0.02, dense=0.2, lexical=3.0),
            Hit(pid=1, score=0.01, dense=0.1, lexical=0.0)]  # fmt: skip
    rows = passage_features(VIEW, hits, features_for("What does Alpha export?", hits))
    named = [dict(zip(PASSAGE_FEATURES, row, strict=True)) for row in rows]
    assert [r["fused"] for r in named] == pytest.approx([1.0, 0.5, 0.25])
    assert [r["inverse_rank"] for r in named] == pytest.approx([1.0, 0.5, 1 / 3])
    assert [r["lexical"] for r in named] == pytest.approx([1.0, 0.5, 0.0])
    assert [r["sentences"] for r in named] == [2.0, 2.0, 1.0]
    # passages 0 and 1 are of document 0: two of three hits, and 0.75 / 1.75 of the fused mass
    assert [r["document_share"] for r in named] == pytest.approx([2 / 3, 1 / 3, 2 / 3])
    assert named[0]["document_mass"] == pytest.approx(1.25 / 1.75)
    assert named[0]["best_overlap"] == pytest.approx(1.0) and named[1]["best_overlap"] < 1.0


def test_context_overlap_carries_the_sentence_before_in_the_paragraph() -> None:
    hits = [Hit(pid=0, score=0.04), Hit(pid=2, score=0.02)]
    by_sid = {s.sid: s for s in features_for("Does Alpha mine copper?", hits)}
    # "It also mines gold." holds only "mine"; with "Alpha exports copper." before it, it holds all of them
    assert by_sid[1].context_overlap > by_sid[1].overlap
    assert by_sid[1].context_overlap == pytest.approx(1.0)
    # the first sentence of a paragraph carries nothing from the paragraph before it
    assert by_sid[3].context_overlap == by_sid[3].overlap


def test_only_a_sentence_that_refers_back_carries_the_one_before() -> None:
    hits = [Hit(pid=3, score=0.04)]
    by_sid = {s.sid: s for s in features_for("Does Delta mine copper?", hits)}
    assert by_sid[6].context_overlap == by_sid[6].overlap  # "Gold is mined too." does not point back


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("It in turn evolved into Modern English.", True),
        ("They were descended from raiders.", True),
        ("This led to a war.", True),
        ("There is also continued interest in trade.", False),
        ("Italy exports wine.", False),
        ("Theodore ruled.", False),
    ],
)
def test_refers_back(sentence: str, expected: bool) -> None:
    assert refers_back(sentence) is expected


def scored_item(sid: int, score: float) -> Scored:
    return Scored(
        sid=sid, score=score, cosine=0.0, overlap=0.0, passage_score=0.0, phrase=None, hit=Hit(pid=0, score=0)
    )


@pytest.mark.parametrize(("max_quotes", "expected"), [(3, [0, 1]), (2, [0])])
def test_a_neighbour_in_the_paragraph_supports_the_main_quote_when_it_ranks_high_enough(
    max_quotes: int, expected: list[int]
) -> None:
    # sentence 1 follows the main quote (0) in its paragraph; sentence 3 is elsewhere; none is confident alone
    scored = [scored_item(0, 5.0), scored_item(3, 4.0), scored_item(1, 1.0)]
    chosen = pick_evidence(VIEW, scored, max_quotes, Weights(), abstain_below=0.2)
    assert [s.sid for s in chosen] == expected


def test_a_document_titled_with_the_questions_name_rises_by_the_title_bonus() -> None:
    # Doc 1 is about Russia; doc 0 only mentions it. Both passages match the question's words equally.
    view = corpus([[["The war with Russia moved the population west."]], [["The population is 140 million."]]])
    view.documents[0] = view.documents[0].model_copy(update={"title": "Ukraine"})
    view.documents[1] = view.documents[1].model_copy(update={"title": "Russia"})
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    q = analyse("What is the population of Russia?", [])
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in view.sentences}
    feats = sentence_features(view, q, hits, np.zeros(4, dtype=np.float32), vectors, idf, 2)
    assert [f.title_names for f in feats] == [0.0, 1.0]
    assert [f.names_found for f in feats] == [1.0, 1.0]  # both hold the name: only the title tells them apart
    fused_only = tuple(1.0 if name == "fused" else 0.0 for name in PASSAGE_FEATURES)
    without = rerank(view, hits, feats, replace(Weights(), rerank_coefficients=fused_only, title_names=0.0))
    with_bonus = rerank(view, hits, feats, replace(Weights(), rerank_coefficients=fused_only, title_names=2.0))
    assert [h.pid for h in without] == [0, 1]
    assert [h.pid for h in with_bonus] == [1, 0]
    # the bonus is a logit: exp(2) times the odds it would otherwise have
    odds_without = without[1].score / without[0].score
    assert with_bonus[0].score / with_bonus[1].score == pytest.approx(odds_without * np.exp(2.0))
