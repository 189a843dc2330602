import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qa.answering.questions import analyse, clean_question, field_query, numbers_in, question_kind
from qa.errors import QuestionError


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who met Lavrov?", "who"),
        ("When did the summit take place?", "when"),
        ("What year was the treaty signed?", "when"),
        ("Where did they meet?", "where"),
        ("How many people live in Mexico?", "how_many"),
        ("What is the population of Mexico?", "what"),  # open by grammar: the answer-form model decides
        ("Why is the US important to Mexico?", "why"),
        ("Is Mexico a BRICS member?", "yes_no"),
        ("What does Mexico supply to Russia?", "what"),
        ("And what does Mexico sell in return?", "what"),
        ("List the sectors with potential.", "list"),
        ("What does Ghana export?", "what"),  # open by grammar
        ("what do they grow", "what"),
        ("What does Mexico buy from the US, refine and sell on to the European Union?", "what"),
        # the kind is read from the question's own question word, not from a "when" or "who" joining clauses
        ("What is it called when steam drives a generator?", "what"),
        ("Who can enforce the law when member states differ?", "who"),
        ("What did Lavrov say when he met Fuente?", "what"),
        ("The price of oil was stable until when?", "when"),
        ("In what century did the steam engine begin?", "when"),
        ("Compared to coal, how much gas did Mexico buy?", "how_many"),
        ("Name the countries that border Austria.", "list"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "forms", "kind"),
    [
        ("What is the population of Mexico?", {"quantity"}, "how_many"),
        ("What does Ghana export?", {"list"}, "list"),
        ("What does Ghana export?", {"quantity", "list"}, "how_many"),  # a quantity before a list
        ("Who exports coffee?", {"quantity"}, "who"),  # the grammar's kind stands
        ("When did exports peak?", {"list"}, "when"),
        ("What is the population of Mexico?", set(), "what"),
        ("How populous is Kenya?", {"quantity"}, "how_many"),  # a bare "how" is open too
        ("How populous is Kenya?", set(), "how"),
    ],
)
def test_an_answer_form_fills_only_a_kind_the_grammar_leaves_open(question: str, forms: set[str], kind: str) -> None:
    assert question_kind(question, frozenset(forms)) == kind
    assert analyse(question, forms=frozenset(forms)).kind == kind


def test_no_subjects_wording_decides_a_kind() -> None:
    """The grammar's patterns name question words and what follows them, never a subject's words (the Factbook's
    fields, the sample's trade words): those kinds come from the fitted answer-form model."""
    from qa.answering import questions

    patterns = " ".join(pattern.pattern for _, pattern in questions._KINDS)
    for word in ("population", "area", "export", "import", "produce", "sectors", "products", "goods"):
        assert word not in patterns, word


def test_clean_question_normalises_and_strips_controls() -> None:
    assert clean_question("  What\u202e is\u0000 ＬＮＧ?\n") == "What is LNG?"


@pytest.mark.parametrize("bad", ["", "   ", "\u200b\u202e", None, 42])
def test_empty_or_non_text_questions_are_refused(bad: object) -> None:
    with pytest.raises(QuestionError):
        clean_question(bad)


def test_too_long_question_is_refused_with_the_limit() -> None:
    with pytest.raises(QuestionError, match="limit is 50"):
        clean_question("why " * 20, max_chars=50)


@given(st.text(st.characters(exclude_categories=()), max_size=200))
@example("\ud800")
@example("What\ud800 is it?")
def test_any_input_is_cleaned_or_refused_cleanly(raw: str) -> None:
    try:
        cleaned = clean_question(raw)
    except QuestionError:
        return
    assert cleaned == cleaned.strip() and cleaned
    cleaned.encode("utf-8")


def test_followups_borrow_the_previous_question() -> None:
    q = analyse(
        "What about agriculture?", ["What sectors hold the greatest potential for bilateral relations?"], followup=True
    )
    assert q.followup and q.terms["agricultur"] == 1.0 and q.terms["sector"] == 0.5
    assert q.search_text.startswith("What sectors hold")
    standalone = analyse("What does Mexico supply to Russia?", ["Who met Lavrov?"])  # not read as a follow-up
    assert not standalone.followup and standalone.search_text == "What does Mexico supply to Russia?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 1705, about 1,000 people (18%) lived there.", {"1705", "1000", "18"}),
        ("2,650 km and 3.7 million; 1348–50", {"2650", "3.7", "1348", "50"}),
        ("COVID-19 and the G20", {"19"}),  # "G20" is a name, not a number
        ("No numbers here, not one.", set()),
        ("The remaining four packages; Twenty years", {"4", "20"}),
        ("In the 19th century and the 1990s, 2nd of 3", {"19th", "1990s", "2nd", "3"}),
    ],
)
def test_numbers_in_drop_thousands_separators(text: str, expected: set[str]) -> None:
    assert numbers_in(text) == expected


@pytest.mark.parametrize(
    ("question", "negated"),
    [
        ("Who could not recover the money?", True),
        ("What can't be used to date it?", True),
        ("What cannot be used to date it?", True),
        ("Which treaty did Russia never sign?", True),
        ("What did Russia sign?", False),
        ("What is Mexico's nominal GDP?", False),  # "no" must be a whole word
    ],
)
def test_a_negated_question_is_marked(question: str, negated: bool) -> None:
    assert analyse(question).negated is negated


def test_a_question_carries_its_numbers() -> None:
    assert analyse("How many Huguenots lived in Amsterdam in 1705?").numbers == ("1705",)
    assert analyse("What is the population of Mexico?").numbers == ()
    assert analyse("Which two countries signed in 2024?").numbers == ("2024",)  # a count asked, not a number


def test_name_words_are_the_names_as_typed() -> None:
    question = analyse("What did Lavorv say about Russia's OPEC deal with Saudi-Arabia and Côte d’Ivoire?")
    assert question.written_names == ("Lavorv", "Russia", "OPEC", "Saudi-Arabia", "Côte", "Ivoire")
    assert analyse("Which minister met Sergey Lavrov? Who else?").written_names == ("Sergey", "Lavrov")


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("How many people live in Japan?", {"person", "live", "japan"}),
        ("Who is the president of France?", {"presid", "franc"}),
        ("How large is the army?", {"larg", "armi"}),
    ],
)
def test_a_question_is_searched_by_its_own_words_only(question: str, terms: set[str]) -> None:
    # no wording is rewritten into a field's name: the field match (by the model) reaches the field
    assert set(analyse(question).terms) == terms


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What is the median age of women in Peru?", "What is the median age of women in?"),
        ("Who is Peru's head of state?", "Who is head of state?"),
        ("How many people live in New Zealand?", "How many people live in?"),
        ("What is the population?", "What is the population?"),
        ("Peru", "Peru"),  # nothing left but the name: the question as it is
    ],
)
def test_field_query_drops_the_names(question: str, asked: str) -> None:
    assert field_query(analyse(question)) == asked


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("What happened in <script>alert(2)</script> 1705?", ("1705",)),
        ("What is `x = 3` in 2024?", ("2024",)),
        ("<b>How many</b> ships sailed in 1588?", ("1588",)),
        ("Does <img src=x onerror=alert(1)> mention 12 cranes?", ("12",)),
        ("What is 5 < 7 and 9 > 2?", ("2", "5", "7", "9")),  # a "<" before no tag name is no markup
    ],
)
def test_numbers_inside_markup_or_code_are_not_the_questions_numbers(question: str, numbers: tuple[str, ...]) -> None:
    assert analyse(question).numbers == numbers


@pytest.mark.parametrize(
    ("earlier", "text", "restated"),
    [
        ("What is the population of Cuba?", "And Egypt?", "What is the population of Egypt?"),
        ("Who is the Russian foreign minister?", "And the Mexican one?", "Who is the Mexican foreign minister?"),
        ("What currency does Egypt use?", "How about Qatar?", "What currency does Qatar use?"),
    ],
)
def test_a_follow_up_naming_another_thing_asks_the_earlier_question_of_it(
    earlier: str, text: str, restated: str
) -> None:
    question = analyse(text, [earlier], followup=True)
    alone = analyse(restated)
    assert (question.text, question.followup, question.restated, question.search_text) == (
        text,
        True,
        restated,
        restated,
    )
    # read in full as if typed: every term at full weight, the earlier name gone, the field query the restated one's
    assert (question.terms, question.own_terms, question.names, question.kind) == (
        alone.terms, alone.own_terms, alone.names, alone.kind
    )  # fmt: skip
    assert field_query(question) == field_query(alone)


@pytest.mark.parametrize(
    ("earlier", "text"),
    [
        ("What sectors hold the greatest potential?", "What about agriculture?"),  # no name to replace
        ("What does Mexico buy from the US?", "And Peru?"),  # two names before: which one Peru replaces is unsaid
        ("What is the capital of Peru?", "And of Peru?"),  # the same name
    ],
)
def test_a_follow_up_that_names_nothing_in_place_of_one_name_borrows_the_earlier_terms(earlier: str, text: str) -> None:
    question = analyse(text, [earlier], followup=True)
    assert question.restated == "" and question.search_text == f"{earlier} {text}"
    assert all(w < 1.0 for t, w in question.terms.items() if t not in question.own_terms)
    assert analyse(text, [earlier], followup=False).restated == ""  # not read as a follow-up: nothing borrowed
