"""The passage re-ranker and the sentence features it reads, on hand-built corpora (pure, no index)."""

from dataclasses import dataclass, replace

import numpy as np
import pytest

from qa.answering.evidence import mismatch_notes, pick_evidence
from qa.answering.features import Candidates, Lookups, Scored, field_path, profile_documents, sentence_features
from qa.answering.matching import (
    heading_match,
    is_breakdown,
    is_list,
    label_match,
    mean_best,
    name_present,
    refers_back,
    word_bests,
)
from qa.answering.model import confidence, rank_sentences, threshold
from qa.answering.pipeline import answer
from qa.answering.questions import analyse
from qa.answering.rerank import passage_features, rerank
from qa.answering.weights import (
    CONFIDENCE_FEATURES,
    PASSAGE_FEATURES,
    SELECTION_FEATURES,
    ConfidenceModel,
    Weights,
    default_weights,
)
from qa.records import Answer, Document, Hit, Passage, Sentence
from qa.text.structure import line_label
from qa.text.tokens import tokenize


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


def only(
    selection: dict[str, float] | None = None,
    rerank: dict[str, float] | None = None,
    confidence: dict[str, float] | None = None,
) -> Weights:
    """Weights that are 0 but for those named: each test sees one mechanism alone."""
    return Weights(
        selection_weights={n: (selection or {}).get(n, 0.0) for n in SELECTION_FEATURES},
        rerank_weights={n: (rerank or {}).get(n, 0.0) for n in PASSAGE_FEATURES},
        confidence_weights={n: (confidence or {}).get(n, 0.0) for n in CONFIDENCE_FEATURES},
        confidence_bias=0.0,
        abstain_below=0.2,
    )


def features_for(question: str, hits: list[Hit]) -> list:  # type: ignore[type-arg]
    q = analyse(question, [])
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in VIEW.sentences}
    return sentence_features(Candidates(VIEW, q, hits, np.zeros(4, dtype=np.float32), vectors, idf), len(hits))


def test_without_coefficients_the_fused_order_stays() -> None:
    hits = [Hit(pid=2, score=0.03), Hit(pid=0, score=0.02), Hit(pid=1, score=0.01)]
    no_reranker = replace(default_weights(), rerank_weights={})
    assert rerank(VIEW, hits, features_for("What does Alpha export?", hits), no_reranker) == hits


def test_the_passage_whose_sentences_hold_the_question_rises_and_shares_sum_to_one() -> None:
    hits = [Hit(pid=2, score=0.03), Hit(pid=1, score=0.02), Hit(pid=0, score=0.01)]
    feats = features_for("What does Alpha export?", hits)
    only_overlap = {name: 5.0 if name == "best_overlap" else 0.0 for name in PASSAGE_FEATURES}
    ranked = rerank(VIEW, hits, feats, replace(default_weights(), rerank_weights=only_overlap))
    assert ranked[0].pid == 0 and [h.rank for h in ranked] == [0, 1, 2]
    assert sum(h.score for h in ranked) == pytest.approx(1.0)
    assert ranked[0].score > ranked[1].score
    # sentences are then taken from the re-ranked best passages only, their prior the passage's share
    scored = rank_sentences(feats, ranked, 1, default_weights())
    assert {s.hit.pid for s in scored} == {0} and scored[0].passage_score == pytest.approx(1.0)


def test_passage_features_oracle() -> None:
    hits = [Hit(pid=0, score=0.04, dense=0.5, lexical=6.0), Hit(pid=2, score=0.02, dense=0.2, lexical=3.0),
            Hit(pid=1, score=0.01, dense=0.1, lexical=0.0)]  # fmt: skip
    rows = passage_features(VIEW, hits, features_for("What does Alpha export?", hits))
    named = rows
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
    chosen = pick_evidence(VIEW, scored, max_quotes, default_weights(), abstain_below=0.2)
    assert [s.sid for s in chosen] == expected


def corpus_of_one(doc_fields: list[tuple[str, list[str]]]) -> View:
    """As `fields`, with the fields as separate paragraphs of one document."""
    flat = corpus([[lines for _, lines in doc_fields]])
    sentences, k = [], 0
    for heading, lines in doc_fields:
        for _ in lines:
            sentences.append(flat.sentences[k].model_copy(update={"section": ("People and Society", heading)}))
            k += 1
    document = flat.documents[0].model_copy(update={"title": "Kenya", "structured": True})
    return View([document], flat.passages, sentences)


def structured_features(view: View, question: str, hits: list[Hit], forms: frozenset[str] = frozenset()) -> list:  # type: ignore[type-arg]
    """Features with every document of `view` taken as a field profile (`forms`: what the form model read)."""
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in view.sentences}
    q = analyse(question, [], forms=forms)
    everyone = frozenset(range(len(view.documents)))
    return sentence_features(
        Candidates(view, q, hits, np.zeros(4, dtype=np.float32), vectors, idf, Lookups(profiles=everyone)), len(hits)
    )


KENYA = corpus_of_one(
    [
        ("Major urban areas - population", ["5.3 million NAIROBI (capital), 1.4 million Mombasa (2023)"]),
        ("Population", ["total: 55,751,717 (2025 est.)", "male: 27,857,519", "female: 27,894,198"]),
        ("Location", ["Eastern Africa, bordering the Indian Ocean, between Somalia and Tanzania"]),
    ]
)


def test_a_fields_first_line_is_marked_and_a_heading_that_names_the_question_lifts_its_passage() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02), Hit(pid=2, score=0.01)]
    feats = structured_features(KENYA, "What is the population of Kenya?", hits)
    assert [f.field_first for f in feats] == [True, True, False, False, True]
    assert [f.heading for f in feats][:2] == pytest.approx([0.25, 1.0])
    rows = passage_features(KENYA, hits, feats)
    assert [r["heading"] for r in rows] == pytest.approx([0.25, 1.0, 0.0])
    plain = only(rerank={"fused": 1.0})
    assert rerank(KENYA, hits, feats, plain)[0].pid == 0
    lifted = rerank(KENYA, hits, feats, only(rerank={"fused": 1.0, "heading": 2.0}))
    assert lifted[0].pid == 1
    # the heading's weight is a logit: exp(2 × (1.0 - 0.25)) times the odds between the two passages
    odds = {h.pid: h.score for h in rerank(KENYA, hits, feats, plain)}
    after = {h.pid: h.score for h in lifted}
    assert after[1] / after[0] == pytest.approx(odds[1] / odds[0] * np.exp(2.0 * 0.75))


def test_the_first_line_feature_orders_lines_that_score_the_same() -> None:
    hits = [Hit(pid=1, score=0.03)]
    feats = structured_features(KENYA, "What is the population of Kenya?", hits)
    assert {s.score for s in rank_sentences(feats, hits, 1, only())} == {0.0}
    ranked = rank_sentences(feats, hits, 1, only({"field_first": 1.0}))
    assert ranked[0].sid == 1 and ranked[0].score == 1.0 and ranked[1].score == 0.0


def test_the_sentence_score_is_the_weighted_sum_of_its_named_features() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    feats = structured_features(KENYA, "What is the population of Kenya?", hits)
    weights = default_weights()
    for item in rank_sentences(feats, hits, 2, weights):
        values = item.selection_features()
        assert list(values) == list(SELECTION_FEATURES)
        assert item.score == pytest.approx(sum(weights.selection_weights[n] * values[n] for n in SELECTION_FEATURES))


LIFE = corpus_of_one(
    [
        ("Life expectancy at birth", ["**total population:** 85.2 years (2024 est.)", "**male:** 82.3 years"]),
        ("Exports", ["**Exports 2024:** $922.447 billion (2024 est.)", "**Exports 2023:** $923.488 billion"]),
    ]
)


@pytest.mark.parametrize(
    ("line", "label"),
    [("**male:** 82.3 years", "male"), ("**total :** 580,367 sq km", "total"), ("- **name:** Ottawa", "name"),
     ("male: 82.3 years", ""), ("copper, gold, fish", "")],
)  # fmt: skip
def test_line_label(line: str, label: str) -> None:
    assert line_label(line) == label


def test_a_line_whose_label_is_asked_comes_before_the_fields_first_line() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    feats = structured_features(LIFE, "What is the male life expectancy?", hits)
    assert [f.label for f in feats] == [0.0, 1.0, 0.0, 0.0]
    assert rank_sentences(feats, hits, 2, only({"label": 2.5, "field_first": 2.0}))[0].sid == 1
    assert rank_sentences(feats, hits, 2, only({"field_first": 2.0}))[0].sid == 0
    # a label's words that repeat its field's heading ("Exports" in "Exports 2024") count for nothing
    exports = structured_features(LIFE, "What is the value of the exports?", hits)
    assert [f.label for f in exports] == [0.0, 0.0, 0.0, 0.0]
    in_2024 = structured_features(LIFE, "What is the value of the exports in 2024?", hits)
    assert [f.label for f in in_2024] == [0.0, 0.0, 1.0, 0.0]
    assert label_match(["export"], "Exports 2024", set(tokenize("Exports"))) == 0.0


def test_the_field_margin_is_a_lines_field_match_over_the_best_other_line_of_its_field() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in LIFE.sentences}
    matches = {0: 0.5, 1: 0.75, 2: 0.25, 3: 0.125}  # the model's cosine of each line's field path to the question
    lookups = Lookups(field_matches=matches, profiles=frozenset({0}))
    question = analyse("How long do men live?")
    feats = sentence_features(Candidates(LIFE, question, hits, np.zeros(4, dtype=np.float32), vectors, idf, lookups), 2)
    assert [f.field_margin for f in feats] == pytest.approx([-0.25, 0.25, 0.125, -0.125])
    # outside a profile there are no fields to tell apart
    prose = sentence_features(
        Candidates(
            LIFE, question, hits, np.zeros(4, dtype=np.float32), vectors, idf, replace(lookups, profiles=frozenset())
        ),
        2,
    )
    assert [f.field_margin for f in prose] == [0.0] * 4
    # with a weight on it, the line whose label the question means ("men": male) beats the field's first line
    assert rank_sentences(feats, hits, 2, only({"field_margin": 4.0, "field_first": 0.5}))[0].sid == 1


def test_a_first_quote_whose_label_is_asked_gains_confidence() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    feats = structured_features(LIFE, "What is the male life expectancy?", hits)
    male, total = feats[1], feats[0]
    assert (male.label, total.label) == (1.0, 0.0)
    with_label = only(confidence={"label": 1.0})
    assert confidence([male, total], with_label) > confidence([male, total], only())
    assert confidence([total, male], with_label) == confidence([total, male], only())


def test_a_percent_sign_answers_a_question_about_a_percentage() -> None:
    view = corpus_of_one([("Religions", ["Muslim 53.5%, Roman Catholic 10.6%"]), ("Location", ["Eastern Africa"])])
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    feats = structured_features(view, "What percentage of Kenyans are Muslim?", hits)
    # "Kenyans" and "Muslim" are names; "percentage" is the only other word asked
    assert [f.field_mismatch for f in feats] == [False, True]


def test_a_quote_that_shares_only_the_name_with_the_question_is_a_field_mismatch() -> None:
    hits = [Hit(pid=2, score=0.03), Hit(pid=1, score=0.02)]
    tanzania = {f.sid: f for f in structured_features(KENYA, "What is the capital of Tanzania?", hits)}
    # "…between Somalia and Tanzania" under "Location": only the name is shared
    assert tanzania[4].field_mismatch and tanzania[4].names_found == 1.0
    kenya = {f.sid: f for f in structured_features(KENYA, "What is the population of Kenya?", hits)}
    assert not kenya[2].field_mismatch  # "male: …" under the heading Population
    # the penalty lowers the confidence of a mismatched first quote, and of no other
    checked = only(confidence={"field_mismatch": -2.5})
    mismatched, matched = [tanzania[4], tanzania[2]], [kenya[2], kenya[4]]
    assert confidence(mismatched, checked) < confidence(mismatched, only())
    assert confidence(matched, checked) == confidence(matched, only())


def profiles(docs: list[tuple[str, list[tuple[str, list[str]]]]]) -> View:
    """Structured documents titled as given, each field a paragraph under its heading."""
    flat = corpus([[lines for _, lines in fields] for _, fields in docs])
    headings = [heading for _, fields in docs for heading, lines in fields for _ in lines]
    sentences = [
        s.model_copy(update={"section": ("Economy", h)}) for s, h in zip(flat.sentences, headings, strict=True)
    ]
    documents = [
        d.model_copy(update={"title": f"{title} — profile"}) for d, (title, _) in zip(flat.documents, docs, strict=True)
    ]
    return View(documents, flat.passages, sentences)


TRADE = profiles(
    [
        ("Brazil", [("Exports - partners", ["China 30%, USA 10%, Argentina 5%, Chile 2% (2023)"])]),
        (
            "Chile",
            [
                ("Exports", ["$111.123 billion (2024 est.)"]),
                ("Exports - commodities", ["copper ore, refined copper, fish, carbonates (2023)"]),
            ],
        ),
    ]
)
TRADE_HITS = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02), Hit(pid=2, score=0.01)]


def test_a_document_whose_title_names_the_asked_place_is_about_it() -> None:
    feats = structured_features(TRADE, "What are the main exports of Chile?", TRADE_HITS)
    assert [f.about for f in feats] == [0.0, 1.0, 1.0]
    assert [f.names_found for f in feats] == [1.0, 1.0, 1.0]  # Brazil's line names Chile too
    # no title names the place: about none; no place asked: about every one
    assert [f.about for f in structured_features(TRADE, "What are the main exports of Peru?", TRADE_HITS)] == [0.0] * 3
    assert [f.about for f in structured_features(TRADE, "What are the main exports?", TRADE_HITS)] == [1.0] * 3
    # the feature moves Chile's passage above Brazil's, and Chile's sentences above Brazil's, by its weight
    assert rerank(TRADE, TRADE_HITS, feats, only(rerank={"fused": 1.0}))[0].pid == 0
    assert rerank(TRADE, TRADE_HITS, feats, only(rerank={"fused": 1.0, "about": 2.0}))[0].pid == 1
    scores = {s.sid: s.score for s in rank_sentences(feats, TRADE_HITS, 3, only({"about": 2.0}))}
    assert scores == {0: 0.0, 1: 2.0, 2: 2.0}
    # prose is scored by the same feature: titles name what a briefing is about there too
    assert [f.about for f in features_for("What does Alpha export?", [Hit(pid=0, score=0.1)])] == [0.0, 0.0]


def test_a_place_named_only_in_another_profiles_breakdown_is_a_partner_not_the_subject() -> None:
    # no profile is titled Argentina: Brazil's partner line names it only as an entry ("Argentina 5%")
    feats = structured_features(TRADE, "What does Argentina export?", TRADE_HITS)
    assert [f.partner_only for f in feats] == [("Argentina",), (), ()]
    first = [feats[0], feats[1]]
    checked = only(confidence={"partner_only": -2.5})
    assert confidence(first, checked) < confidence(first, only())
    assert any("Argentina only as a partner" in note for note in mismatch_notes(feats[0]))
    # the asked place's own profile holds the breakdown (Brazil), or the line is no breakdown: no penalty
    assert not any(f.partner_only for f in structured_features(TRADE, "Who buys Brazil's exports?", TRADE_HITS))
    assert not any(f.partner_only for f in structured_features(TRADE, "Where does Brazil sell to Chile?", TRADE_HITS))
    assert not any(f.partner_only for f in structured_features(TRADE, "What does Peru export?", TRADE_HITS))
    assert is_breakdown("China 30%, USA 10% (2023)") and not is_breakdown("copper ore, refined copper, fish")
    assert not is_breakdown("total: 55%")


def test_a_list_answers_a_what_are_question_in_a_profile() -> None:
    feats = structured_features(TRADE, "What are the main exports of Chile?", TRADE_HITS)
    # Brazil's partners are a breakdown by shares, Chile's value one figure; its commodities a list
    assert [f.list_field for f in feats] == [False, False, True]
    exports = structured_features(TRADE, "What does Chile export?", TRADE_HITS, frozenset({"list"}))
    assert [f.list_field for f in exports] == [False, False, True]  # read as asking for a list by the form model
    assert not any(f.list_field for f in structured_features(TRADE, "What does Chile export?", TRADE_HITS))
    single = structured_features(TRADE, "What is the value of Chile's exports?", TRADE_HITS)
    assert not any(f.list_field for f in single)
    ranked = {s.sid: s.score for s in rank_sentences(feats, TRADE_HITS, 3, only({"list_field": 1.5}))}
    assert ranked == {0: 0.0, 1: 0.0, 2: 1.5}
    # prose has no fields
    assert not any(f.list_field or f.profile for f in features_for("What are the exports of Alpha?", TRADE_HITS))


def test_is_list_counts_items_outside_parentheses() -> None:
    assert is_list("tea, cut flowers, garments (2023)")
    assert not is_list("$83.325 billion (2024 est., revised, final)")
    assert not is_list("tea, coffee")
    assert not is_list("China 39%, USA 16%, Japan 7% (2023)")  # shares
    assert is_list("German 62%, French, Italian")
    assert is_list("many active volcanoes; about 1,500 earthquakes (mostly tremors) every year; tsunamis; typhoons")


def test_prose_with_commas_is_no_list() -> None:
    sentence = (
        "volcanism: both Unzen (1,500 m) and Sakura-jima (1,117 m), which lies near the city of Kagoshima, "
        "have been deemed Decade Volcanoes by the International Association of Volcanology, worthy of study"
    )
    assert not is_list(sentence)
    assert not is_list(
        "In 1541, the Spanish established the Captaincy General of Chile, which lasted until Chile declared its independence in 1810."
    )


def test_prose_documents_have_no_fields() -> None:
    hits = [Hit(pid=0, score=0.04), Hit(pid=2, score=0.02)]
    for f in features_for("What does Tanzania export?", hits):
        assert not f.field_first and not f.field_mismatch


CHECKS = corpus(
    [
        [["Van Gend could recover the money it paid.", "The importers could not recover the money."]],
        [["In 1705 Amsterdam gave Huguenots full rights.", "Around 1700 a quarter of Amsterdam was Huguenot."]],
    ]
)


def check_features(question: str) -> dict[int, Scored]:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in CHECKS.sentences}
    found = sentence_features(
        Candidates(CHECKS, analyse(question), hits, np.zeros(4, dtype=np.float32), vectors, idf), 2
    )
    return {f.sid: f for f in found}


def test_a_negated_question_mismatches_a_sentence_that_negates_nothing() -> None:
    negated = check_features("Who could not recover the money?")
    assert negated[0].negation_mismatch and not negated[1].negation_mismatch
    plain = check_features("Who could recover the money?")
    assert not plain[0].negation_mismatch and not plain[1].negation_mismatch


def test_a_number_in_the_question_must_be_in_the_sentence_or_its_headings() -> None:
    asked = check_features("How many Huguenots lived in Amsterdam in 1705?")
    assert not asked[2].number_mismatch and asked[3].number_mismatch
    assert not any(f.number_mismatch for f in check_features("How many Huguenots lived in Amsterdam?").values())
    hits = [Hit(pid=1, score=0.02)]
    kenya = {f.sid: f for f in structured_features(KENYA, "What was the population of Kenya in 2025?", hits)}
    assert not kenya[1].number_mismatch and kenya[2].number_mismatch  # "total: … (2025 est.)", "male: …"
    spelled = corpus([[["Sky bought the remaining four packages."]]])
    vectors = {0: np.zeros(4, dtype=np.float32)}
    (found,) = sentence_features(
        Candidates(spelled, analyse("Who bought the 4 packages?"), [Hit(pid=0, score=0.01)], vectors[0], vectors, idf),
        1,
    )
    assert not found.number_mismatch  # "four" in the quote is the question's 4
    centuries = corpus([[["Plague stayed until the 18th century."], ["Plague stayed until the 19th century."]]])
    vectors = {0: np.zeros(4, dtype=np.float32), 1: np.zeros(4, dtype=np.float32)}
    hits = [Hit(pid=0, score=0.02), Hit(pid=1, score=0.01)]
    found = sentence_features(
        Candidates(centuries, analyse("Did plague stay until the 19th century?"), hits, vectors[0], vectors, idf), 2
    )
    assert [f.missing_numbers for f in found] == [("19th",), ()]  # an ordinal is a number too


def test_a_name_typed_without_its_accents_is_found_in_the_sentence() -> None:
    view = corpus([[["Rain fell on Rouen in 1050."], ["Rain fell on Fécamp in 1050."]]])
    vectors = {0: np.zeros(4, dtype=np.float32), 1: np.zeros(4, dtype=np.float32)}
    hits = [Hit(pid=0, score=0.02), Hit(pid=1, score=0.01)]
    for question in ("When did rain fall on Fecamp?", "When did rain fall on Fécamp?"):
        found = {
            f.sid: f for f in sentence_features(Candidates(view, analyse(question), hits, vectors[0], vectors, idf), 2)
        }
        assert found[1].names_found == 1.0 and found[0].names_found == 0.0
        assert found[1].overlap > found[0].overlap


@pytest.mark.parametrize("check", ["negation_mismatch", "number_mismatch"])
def test_a_mismatch_lowers_the_confidence_by_its_coefficient_only_when_it_fires(check: str) -> None:
    # every other coefficient 0: the logit is the check's coefficient when it fires, else 0
    with_check = only(confidence={check: -2.0})
    without = only()
    fired = check_features("Which Huguenots could not live in Amsterdam in 1705?")
    assert getattr(fired[3], check)
    mismatched = [fired[3], fired[2]]
    assert confidence(mismatched, without) == 0.5
    assert confidence(mismatched, with_check) == pytest.approx(1 / (1 + np.exp(2.0)), abs=1e-4)
    quiet = check_features("Who could recover the money?")
    matched = [quiet[1], quiet[0]]
    assert confidence(matched, with_check) == confidence(matched, without)


def test_a_mismatch_is_named_in_the_answer_and_in_the_abstention() -> None:
    hits = [Hit(pid=1, score=0.03), Hit(pid=0, score=0.02)]
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in CHECKS.sentences}
    question = analyse("When did Amsterdam give Huguenots full rights in 1706?")

    def ask(threshold: float) -> Answer:
        return answer(
            Candidates(CHECKS, question, hits, np.zeros(4, dtype=np.float32), vectors, idf), abstain_below=threshold
        )

    answered = ask(0.0)
    assert answered.citations[0].quote == "In 1705 Amsterdam gave Huguenots full rights."
    assert "_Check: the question mentions 1706; the quote does not._" in answered.text
    assert answered.checks == ["the question mentions 1706; the quote does not"]
    refused = ask(1.0)
    assert refused.abstained and "(the question mentions 1706; the closest quote does not)." in refused.text
    assert refused.checks == ["the question mentions 1706; the closest quote does not"]
    # no note when the number is there
    in_1705 = analyse("When did Amsterdam give Huguenots full rights in 1705?")
    zero = np.zeros(4, dtype=np.float32)
    right = answer(
        Candidates(CHECKS, in_1705, hits, zero, vectors, idf), abstain_below=0.0, weights=only({"overlap": 1.0})
    )
    assert right.citations[0].quote == "In 1705 Amsterdam gave Huguenots full rights."
    assert "_Check:" not in right.text and right.checks == []
    negated = check_features("Who could not recover the money?")
    assert mismatch_notes(negated[0]) == ["the question asks about what is not so; the quote negates nothing"]
    assert mismatch_notes(negated[1]) == []  # "… could not recover the money."


def test_notes_about_the_question_join_the_checks_answered_or_not() -> None:
    hits = [Hit(pid=1, score=0.03), Hit(pid=0, score=0.02)]
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in CHECKS.sentences}
    question = analyse("When did Amsterdam give Huguenots full rights in 1706?")
    note = "no briefing mentions “Amstredam”; the closest name is “Amsterdam”"

    def ask(threshold: float, found: list[Hit]) -> Answer:
        zero = np.zeros(4, dtype=np.float32)
        return answer(Candidates(CHECKS, question, found, zero, vectors, idf), abstain_below=threshold, notes=[note])

    answered = ask(0.0, hits)
    assert answered.checks == ["the question mentions 1706; the quote does not", note]
    assert f"_Check: {note}._" in answered.text
    refused = ask(1.0, hits)
    assert refused.checks[-1] == note and f"; {note})." in refused.text
    nothing = ask(0.0, [])
    assert nothing.abstained and nothing.checks == [note] and f"({note})." in nothing.text


def test_word_match_is_the_mean_of_each_question_words_best_cosine() -> None:
    asked = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    pieces = np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    assert word_bests(asked, pieces) == pytest.approx((1.0, 0.8))
    assert mean_best([word_bests(asked, pieces)]) == pytest.approx((1.0 + 0.8) / 2)
    assert mean_best([word_bests(asked, pieces[:0])]) == 0.0 and mean_best([word_bests(asked[:0], pieces)]) == 0.0


def test_the_word_match_feature_reaches_the_sentence_score() -> None:
    hits = [Hit(pid=0, score=0.03)]  # "Alpha exports copper." then "It also mines gold."
    vectors = {s.sid: np.zeros(4, dtype=np.float32) for s in VIEW.sentences}
    zero = np.zeros(4, dtype=np.float32)
    found = sentence_features(
        Candidates(
            VIEW,
            analyse("What does Alpha dig?"),
            hits,
            zero,
            vectors,
            idf,
            Lookups(word_matches={1: (0.9,), 0: (0.4,)}),
        ),
        1,
    )
    assert [f.word_match for f in found] == pytest.approx([0.4, 0.9])
    assert [s.sid for s in rank_sentences(found, hits, 1, only({"word_match": 1.0}))] == [1, 0]
    assert [
        f.word_match for f in sentence_features(Candidates(VIEW, analyse("What?"), hits, zero, vectors, idf), 1)
    ] == [0.0, 0.0]


def test_word_bests_give_each_question_word_its_best_cosine() -> None:
    asked = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    pieces = np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    assert word_bests(asked, pieces) == pytest.approx((1.0, 0.8))
    assert word_bests(asked, pieces[:0]) == (0.0, 0.0) and word_bests(asked[:0], pieces) == ()


def test_a_passage_word_match_takes_each_words_best_over_all_its_sentences() -> None:
    # passage 0 matches one question word in each of its sentences; passage 2 matches both at 0.7 in one
    hits = [Hit(pid=2, score=0.03), Hit(pid=0, score=0.02)]
    q, zero = analyse("Copper or gold?"), np.zeros(4, dtype=np.float32)
    vectors = {s.sid: zero for s in VIEW.sentences}
    bests = {0: (1.0, 0.1), 1: (0.2, 0.9), 3: (0.7, 0.7), 4: (0.0, 0.0)}
    feats = sentence_features(Candidates(VIEW, q, hits, zero, vectors, idf, Lookups(word_matches=bests)), 2)
    assert sorted(f.word_match for f in feats) == pytest.approx([0.0, 0.55, 0.55, 0.7])
    rows = passage_features(VIEW, hits, feats)
    assert [r["word_match"] for r in rows] == pytest.approx([0.7, 0.95])  # (1.0 + 0.9) / 2 for passage 0
    assert [h.pid for h in rerank(VIEW, hits, feats, only(rerank={"word_match": 1.0}))] == [0, 2]


def test_without_the_word_match_neither_the_sentences_nor_the_reranker_read_it() -> None:
    weights = default_weights()
    assert weights.reads_words
    off = weights.without_word_match()
    assert not off.reads_words and off.selection_weights["word_match"] == 0.0
    assert off.rerank_weights["word_match"] == 0.0
    assert {n: c for n, c in off.rerank_weights.items() if n != "word_match"} == {
        n: c for n, c in weights.rerank_weights.items() if n != "word_match"
    }
    assert replace(off, rerank_weights=dict.fromkeys(PASSAGE_FEATURES, 1.0)).reads_words
    assert not replace(off, rerank_weights={}).reads_words


OPPOSED = corpus([[["Rents rose after the war."], ["Rents fell before the war."]]])


def test_a_quote_stating_the_opposite_of_a_question_word_is_checked_and_named() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    zero = np.zeros(4, dtype=np.float32)
    vectors = {s.sid: zero for s in OPPOSED.sentences}
    question = analyse("Did rents rise before the war?")
    found = {f.sid: f for f in sentence_features(Candidates(OPPOSED, question, hits, zero, vectors, idf), 2)}
    assert found[0].opposite == ("before", "after") and found[1].opposite is None
    checked = only(confidence={"opposite_mismatch": -2.0})
    assert confidence([found[0], found[1]], checked) == pytest.approx(1 / (1 + np.exp(2.0)), abs=1e-4)
    assert confidence([found[1], found[0]], checked) == 0.5
    assert mismatch_notes(found[0]) == ["the question says “before”; the quote says “after”"]
    pinned = only({"overlap": 1.0})
    answered = answer(Candidates(OPPOSED, question, hits[:1], zero, vectors, idf), abstain_below=0.0, weights=pinned)
    assert answered.citations[0].quote == "Rents rose after the war."
    assert "_Check: the question says “before”; the quote says “after”._" in answered.text
    assert answered.checks == ["the question says “before”; the quote says “after”"]
    plain = {
        f.sid: f
        for f in sentence_features(Candidates(OPPOSED, analyse("Did rents rise?"), hits, zero, vectors, idf), 2)
    }
    assert plain[0].opposite is None and plain[1].opposite is None


@pytest.mark.parametrize(
    ("name", "word", "present"),
    [
        ("Russia", "Russian", True),
        ("Russian", "Russia", True),
        ("Mexico", "Mexican", True),
        ("Japan", "Japanese", True),
        ("Somalia", "Somali", True),
        ("Iran", "Iranian", True),
        ("Normandy", "Normans", True),
        ("Bolivia", "Bolivian", True),
        ("Bolivia", "bolivars", False),
        ("Austria", "Australia", False),
        ("Niger", "Nigeria", False),
        ("Nigeria", "Niger", False),
        ("Iran", "Iraq", False),
        ("Peru", "Per", False),
    ],
)
def test_a_name_is_present_in_its_people_but_not_in_a_longer_name(name: str, word: str, present: bool) -> None:
    (stem,) = tokenize(name)
    assert name_present(stem, set(tokenize(word))) is present


def test_a_headings_parenthesis_is_a_qualifier_not_a_word_to_ask() -> None:
    terms = analyse("What is the GDP of Brazil?").terms
    assert heading_match(terms, "GDP (official exchange rate)") == 1.0
    assert heading_match(terms, "Real GDP (purchasing power parity)") == 0.5
    assert heading_match(terms, "Real GDP per capita") < 0.5
    # a heading that is all parenthesis keeps its words
    assert heading_match(analyse("What are the ages?").terms, "(ages)") == 1.0


def test_a_profile_is_told_by_its_content_not_its_format() -> None:
    lines = corpus([[["**total:** 1,234 (2024 est.)", "**male:** 600"], ["A note in prose."]], [["Prose only."]]])
    # a document counts as a profile when at least half of its sentences are labelled field lines, whatever
    # its format says: the second one is flagged `structured` (as a Markdown file is) and still is none
    documents = [lines.documents[0], lines.documents[1].model_copy(update={"structured": True})]
    assert profile_documents(View(documents, lines.passages, lines.sentences)) == frozenset({0})


def test_a_note_under_a_field_has_a_path_of_its_own() -> None:
    view = corpus_of_one(
        [("Capital", ["**name:** Jakarta", "note: in 2022, the relocation of the capital was approved"])]
    )
    assert [field_path(view, s) for s in view.sentences] == ["Capital: name", "Capital: note"]


def test_the_field_match_reaches_the_features_and_the_score() -> None:
    view = corpus_of_one([("Population", ["**total:** 55,751,717 (2025 est.)"]), ("Location", ["Eastern Africa"])])
    assert [field_path(view, s) for s in view.sentences] == ["Population: total", "Location"]
    hits = [Hit(pid=0, score=0.02), Hit(pid=1, score=0.03)]
    zero = np.zeros(4, dtype=np.float32)
    vectors = {s.sid: zero for s in view.sentences}
    found = sentence_features(
        Candidates(
            view,
            analyse("How many people live in Kenya?"),
            hits,
            zero,
            vectors,
            idf,
            Lookups(field_matches={0: 0.6, 1: 0.1}),
        ),
        2,
    )
    assert [f.field_match for f in found] == [0.6, 0.1]
    assert rank_sentences(found, hits, 2, only({"field_match": 1.0}))[0].sid == 0
    assert max(r["field_match"] for r in passage_features(view, hits, found)) == 0.6


def test_the_field_match_is_read_when_only_the_profile_confidence_counts_it() -> None:
    from qa.answering.weights import ConfidenceModel

    assert not only().reads_fields
    profile = ConfidenceModel(weights={n: float(n == "field_match") for n in CONFIDENCE_FEATURES}, bias=0.0)
    assert replace(only(), profile_confidence=profile).reads_fields


def test_a_profile_line_is_held_to_the_profile_threshold_and_prose_to_its_own() -> None:
    hits = [Hit(pid=0, score=0.03), Hit(pid=1, score=0.02)]
    feats = structured_features(LIFE, "What is the male life expectancy?", hits)
    line = rank_sentences(feats, hits, 2, only({"label": 1.0}))
    prose = [replace(s, profile=False) for s in line]
    both = replace(only(), profile_confidence=ConfidenceModel({n: 0.0 for n in CONFIDENCE_FEATURES}, 0.0, (), 0.7))
    assert (threshold(line, both), threshold(prose, both)) == (0.7, 0.2)
    # with no threshold of its own, a profile line is held to the one threshold
    one = replace(both, profile_confidence=ConfidenceModel({n: 0.0 for n in CONFIDENCE_FEATURES}, 0.0))
    assert threshold(line, one) == 0.2
    # the answer abstains at the threshold of its first quote's kind: confidence 0.5 passes prose's 0.2, not 0.7
    candidates = Candidates(
        LIFE, analyse("What is the male life expectancy?"), hits, np.zeros(4, dtype=np.float32),
        {s.sid: np.zeros(4, dtype=np.float32) for s in LIFE.sentences}, idf, Lookups(profiles=frozenset({0})),
    )  # fmt: skip
    assert answer(candidates, weights=replace(both, selection_weights=only({"label": 1.0}).selection_weights)).abstained
    assert not answer(
        candidates, weights=replace(one, selection_weights=only({"label": 1.0}).selection_weights)
    ).abstained


@pytest.mark.parametrize("seed", range(6))
def test_reading_in_two_stages_gives_the_features_of_reading_everything(seed: int) -> None:
    """Oracle: the re-ranker's signals are the full features' on the fields it reads, and the sentences read in
    full after re-ranking are exactly those of the quoted passages, each as the one-stage reading gives it."""
    from qa.answering.features import RERANK_READS, Reading
    from qa.answering.pipeline import rank_passages

    rng = np.random.default_rng(seed)
    view = [VIEW, LIFE][seed % 2]
    hits = [Hit(pid=p, score=float(s), dense=float(s), lexical=float(rng.random())) for p, s in
            zip(rng.permutation(len(view.passages)), sorted(rng.random(len(view.passages)), reverse=True), strict=True)]  # fmt: skip
    vectors = {s.sid: rng.normal(size=4).astype(np.float32) for s in view.sentences}
    lookups = Lookups(
        word_matches={s.sid: tuple(rng.random(3)) for s in view.sentences},
        field_matches={s.sid: float(rng.random()) for s in view.sentences},
        profiles=frozenset({0}) if view is LIFE else frozenset(),
    )
    question = analyse(["Who mines copper and gold?", "How long do men live after 2020?"][seed % 2])
    candidates = Candidates(view, question, hits, rng.normal(size=4).astype(np.float32), vectors, idf, lookups)
    weights = only(rerank={n: float(rng.normal()) for n in PASSAGE_FEATURES})
    everything = sentence_features(candidates, len(hits))
    signals = Reading(candidates, len(hits)).signals()
    assert [s.sid for s in signals] == [f.sid for f in everything]
    for s, f in zip(signals, everything, strict=True):
        assert {k: getattr(s, k) for k in RERANK_READS} == {k: getattr(f, k) for k in RERANK_READS}
    assert rerank(view, hits, signals, weights) == rerank(view, hits, everything, weights)
    for top in (1, 2):
        features, ranked = rank_passages(candidates, len(hits), weights, top)
        chosen = {h.pid for h in ranked[:top]}
        assert features == [f for f in everything if f.hit.pid in chosen]
        assert rank_sentences(features, ranked, top, weights) == rank_sentences(everything, ranked, top, weights)


def test_all_word_bests_in_one_product_are_each_sentences_word_bests() -> None:
    from qa.answering.word_match import all_word_bests

    rng = np.random.default_rng(3)
    asked = rng.normal(size=(3, 8)).astype(np.float32)
    pieces = [rng.normal(size=(n, 8)).astype(np.float32) for n in (2, 0, 5, 1, 0)]
    # equal to float32 rounding: one product of all pieces may sum a cosine's terms in another order
    for got, alone in zip(all_word_bests(asked, pieces), [word_bests(asked, p) for p in pieces], strict=True):
        assert got == pytest.approx(alone, rel=1e-6, abs=1e-6)
    assert all_word_bests(asked, [p[:0] for p in pieces]) == [(0.0,) * 3] * 5
    assert all_word_bests(asked, []) == []


def test_a_word_union_answers_as_the_built_union_does() -> None:
    from qa.answering.matching import WordUnion

    parts = ({"russia", "export"}, set(), {"mexico", "russia"}, {"coffe"})
    union = WordUnion(*parts)
    built = set().union(*parts)
    for word in ("russia", "mexico", "coffe", "wheat", ""):
        assert (word in union) == (word in built)
    assert set(union) == built and len(union) == len(built) == 4
    for name in ("russia", "russian", "mexic", "coffee", "austria"):
        assert name_present(name, union) == name_present(name, built)


@pytest.mark.parametrize(
    "text",
    ["Which Alpha mine exports copper and gold?", "Does Beta sell wheat in Gamma?", "Who exports copper to Delta?"],
)
def test_the_readers_term_and_name_shares_are_the_plain_set_functions_of_each_sentences_words(text: str) -> None:
    """Oracle: the reader finds the question's terms and names once per word set and or-s their bits; the shares
    it gives are `term_overlap`, `missing_term` and `name_present` over each sentence's words, built as plain sets
    (its own, its title's, its headings', its paragraph's)."""
    from qa.answering.features import _Reader, sentence_text
    from qa.answering.matching import missing_term, sentence_terms, term_overlap

    hits = [Hit(pid=p.pid, score=1.0 / (1 + p.pid), dense=0.5, lexical=1.0) for p in VIEW.passages]
    question = analyse(text)
    vectors = {s.sid: np.ones(4, dtype=np.float32) for s in VIEW.sentences}
    candidates = Candidates(VIEW, question, hits, np.ones(4, dtype=np.float32), vectors, idf)
    reader = _Reader(candidates, len(hits))
    terms = sentence_terms(question)
    for sid, hit in reader.read:
        sentence = VIEW.sentences[sid]
        document = VIEW.documents[sentence.doc]
        own = set(tokenize(sentence_text(VIEW, sentence))) | set(tokenize(document.title))
        own |= {w for heading in sentence.section for w in tokenize(heading)}
        around = own | set(tokenize(document.text[sentence.para_start : sentence.para_end]))
        shared = reader.shared(sid, hit)
        assert shared.overlap == term_overlap(terms, own, idf)
        assert shared.paragraph_overlap == term_overlap(terms, around, idf)
        assert reader.missing(shared.around) == missing_term(terms, around, idf)
        names = question.names
        share = sum(name_present(n, around) for n in names) / len(names) if names else 1.0
        assert shared.names_found == share
