"""Opposite words: the question asks one way round, the quote says the other (pure, no index)."""

import pytest

from qa.answering.opposites import OPPOSITES, PAIRS, SERIES, asked_opposites, prefixed_opposites, stated_opposite


def clash(question: str, sentence: str) -> tuple[str, str] | None:
    return stated_opposite(asked_opposites(question), sentence)


def test_the_table_is_symmetric_and_every_pair_is_in_it() -> None:
    assert all(a in OPPOSITES[b] for a, others in OPPOSITES.items() for b in others)
    assert OPPOSITES["before"] == {"after"} and OPPOSITES["more"] == {"less", "fewer"}
    assert all(a == a.lower() and a != b for a, others in OPPOSITES.items() for b in others)
    listed = [frozenset(p.split()) for line in PAIRS.strip().splitlines() for p in line.split(";")]
    assert len(listed) == len(set(listed)) == PAIRS.count(";") + PAIRS.strip().count("\n") + 1  # no pair twice
    series = [line.split() for line in SERIES.strip().splitlines()]
    expected = set(listed) | {frozenset((a, b)) for words in series for a in words for b in words if a != b}
    assert {frozenset((a, b)) for a, others in OPPOSITES.items() for b in others} == expected
    assert OPPOSITES["second"] >= {"first", "third", "tenth"} and OPPOSITES["first"] >= {"last", "second"}


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        (
            "Who came into contact with Wales after the conquest?",
            "Even before the Conquest, they met Wales.",
            ("after", "before"),
        ),
        ("What is the lowest court in the Union?", "The Court of Justice is the highest court.", ("lowest", "highest")),
        ("Which language is unofficial there?", "English is the official language.", ("unofficial", "official")),
        (
            "After the treaty, how many states joined?",
            "Before the treaty, twenty states joined.",
            ("after", "before"),
        ),  # first word
        # the sentence also says the asked word, in some form: "east" in "eastern"
        ("Where does water east of the basin flow?", "Water on the eastern side flowed east, to the west less.", None),
        ("Which areas were least vulnerable?", "The least isolated areas, unlike the most, were spared.", None),
        # cancelled opposites: "not known" is "unknown", "at least two" is no "least"
        ("What is unknown about the classes?", "It is not known if L is contained in P.", None),
        ("Which one is used in most textbooks?", "At least two textbooks use it.", None),
        ("What was never closed?", "Nothing was ever opened there, they never closed it.", None),
        # the question uses both words, or asks for a measure, or names a place, or says "ended up"
        ("Is the answer simple or complex?", "A single simple output is expected.", None),
        ("How long is the river?", "The short river runs 40 km.", None),
        ("How large can ctenophora grow?", "Small populations grow fast.", None),
        ("How long did the invasion of the Middle East last?", "The occupation of the west lasted years.", None),
        ("What ended up forming the Union?", "The treaties began with coal and steel.", None),
        # one of a series
        (
            "What is the second most abundant element?",
            "Oxygen is the third most abundant element.",
            ("second", "third"),
        ),
        (
            "Which problem asks if three graphs are isomorphic?",
            "It asks if two graphs are isomorphic.",
            ("three", "two"),
        ),
        ("Which two rivers meet here?", "The two rivers, not the three canals, meet here.", None),
        # a negating prefix, added or taken off, on a word of 6+ letters
        (
            "When was the service unofficially launched?",
            "The service was officially launched in 1998.",
            ("unofficially", "officially"),
        ),
        (
            "What makes the bounds dependent on the model?",
            "It makes the bounds independent of the model.",
            ("dependent", "independent"),
        ),
        (
            "Which measure is inappropriate?",
            "The appropriate measure is the least onerous one.",
            ("inappropriate", "appropriate"),
        ),
        (
            "What can be eased by lower resistance?",
            "Lower resistance eases the diseased heart.",
            None,
        ),  # "eased": too short
        ("Why wasn't the refusal justified?", "The refusal was unjustified.", None),  # the question says "not"
        ("Why did none find the refusal justified?", "The refusal was unjustified.", None),  # "none" says not
        ("Which T cells are inactive?", "Killer T cells are active.", ("inactive", "active")),  # "T" is no "n't"
        ("Why was the refusal justified?", "The refusal was unjustified.", ("justified", "unjustified")),
        ("Who are the un-elected officials?", "The unelected officials are appointed.", None),
        ("Who came in first in the race?", "She came in last in the race.", ("first", "last")),  # "in" is a word
        ("Is the service officially launched?", "It was not unofficially launched.", None),  # "not" cancels it
        # nothing to oppose
        ("Who is the president?", "The largest party chose the president.", None),
        ("What are the main exports of Chile?", "copper ore, refined copper, lithium carbonate", None),
        # converses are no contradiction: who sells to Russia is whom Russia buys from
        ("What does Russia buy from Mexico?", "Mexico will sell coffee to Russia.", None),
        ("What does Russia import from Mexico?", "Mexico's export to Russia is coffee.", None),
    ],
)
def test_stated_opposites(question: str, sentence: str, expected: tuple[str, str] | None) -> None:
    assert clash(question, sentence) == expected


def test_accents_fold_and_case_is_ignored_in_the_sentence() -> None:
    assert clash("Which is the largest city?", "SÃO PAULO IS THE SMALLEST.") == ("largest", "smallest")
    assert clash("Which is the largest city?", "Lárgest? No: the smallest.") is None  # "lárgest" folds to "largest"


def test_asked_opposites_lists_each_word_once_without_the_questions_own_words() -> None:
    assert asked_opposites("Did more or fewer go, more or less?") == ()
    assert asked_opposites("Did more go?") == (("more", ("fewer", "less")),)
    assert asked_opposites("Was the early or the early one late?") == ()
    assert asked_opposites("Was the early or the early one?") == (("early", ("late",)),)
    assert stated_opposite((), "anything at all") is None


def test_prefixed_opposites_add_or_take_off_a_negating_prefix() -> None:
    assert {"unofficial", "inofficial", "nonofficial"} <= prefixed_opposites("official")
    assert prefixed_opposites("unconnected") >= {"connected"}
    assert "able" not in prefixed_opposites("unable") and prefixed_opposites("eased") == frozenset()
