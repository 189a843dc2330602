"""Words with opposite meanings: a quote that says "largest" where the question asks "smallest".

A question asked the wrong way round ("Who came into contact with Wales after the conquest?" when
the briefing says "before") still finds the right passage and a near-perfect sentence; only the one
word differs. `asked_opposites` reads the question once, `stated_opposite` checks each candidate
sentence. The word list is plain English, in all the forms it is matched in (no stemming: "lower"
is an opposite of "higher" but "low" is not of "highest").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.text.tokens import fold, is_negated, words

# one pair per entry; each word is matched whole, lower case, accents folded. Contradictions only, no
# converses: "Mexico sells coffee to Russia" answers "What does Russia buy?" (so no buy/sell,
# import/export, lend/borrow, send/receive, win/lose, attack/defend)
PAIRS = """
most least; more less; more fewer; first last; before after; earliest latest; earlier later
early late; largest smallest; biggest smallest; larger smaller; bigger smaller; large small
big small; highest lowest; higher lower; high low; upper lower; top bottom; above below; inner outer
maximum minimum; increase decrease; increased decreased; increasing decreasing; increase reduce
increased reduced; increased dropped; rise fall; rose fell; raise lower; raised lowered
expand shrink; expanded shrank; north south; east west; northern southern; eastern western
northeast southwest; northwest southeast; major minor; strong weak; strongest weakest; best worst
better worse; longest shortest; long short; oldest youngest; oldest newest; old new; older younger
older newer; fastest slowest; fast slow; hottest coldest; hot cold; warm cool; wet dry; deep shallow
wide narrow; accept reject; accepted rejected; allow forbid; allowed forbidden; allowed banned
legal illegal; possible impossible; public private; internal external; inside outside
positive negative; success failure; successful unsuccessful; common rare; commonly rarely; rich poor
wealthy poor; majority minority; gain loss; agree disagree; support oppose; supported opposed
begin end; began ended; start end; started ended; open close; opened closed; ancient modern
cheap expensive; include exclude; included excluded; birth death; born died; dead alive; male female
men women; father mother; husband wife; easy difficult; true false; always never; entrance exit
arrive depart; arrived departed; push pull; add remove; added removed; create destroy
created destroyed; build destroy; built destroyed; ally enemy; allies enemies; friend enemy
visible invisible; rural urban; domestic foreign; national international; single multiple
full empty; simple complex; official unofficial; formal informal; direct indirect
directly indirectly; necessary unnecessary; likely unlikely; able unable; popular unpopular
known unknown; certain uncertain; regular irregular; natural artificial; organic inorganic
permanent temporary; mandatory optional; required optional; voluntary compulsory; partial complete
partially completely; summer winter; liquid solid; rises falls; rising falling; increases decreases
opens closes; opening closing; begins ends; starts ends; includes excludes; including excluding
supports opposes; accepts rejects; allows forbids; adds removes; northernmost southernmost
easternmost westernmost
"""

# one series per line: any two of its words contradict each other ("the second largest" is not "the
# third largest"; "two finite graphs" are not "three")
SERIES = """
first second third fourth fifth sixth seventh eighth ninth tenth
two three four five six seven eight nine ten eleven twelve
"""


def _opposites(pairs: str, series: str) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    groups = [pair.split() for pair in re.split(r"[;\n]", pairs)] + [line.split() for line in series.splitlines()]
    for group in groups:
        for word in group:
            table.setdefault(word, set()).update(w for w in group if w != word)
    return {word: frozenset(others) for word, others in table.items()}


OPPOSITES = _opposites(PAIRS, SERIES)
# "not known" means "unknown", "at least two" is no "least", "never sold" is no "sold"
_CANCELS = frozenset({"not", "no", "never", "at"})
# Prefixes that make a word its opposite: "official" / "unofficial", "appropriate" / "inappropriate".
# Only for words of 6+ letters after the prefix ("eased" is no opposite of "diseased"), and not in a
# question that says "not" itself ("wasn't able to be justified" asks about "unjustified").
_NEGATING_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "non")
_LONE_PREFIXES = frozenset(_NEGATING_PREFIXES) - {"in"}  # "un-elected" is two words here; "in" is a word of its own
_SHORTEST_BASE = 6


def prefixed_opposites(word: str) -> frozenset[str]:
    """The word with a negating prefix added or taken off: "connected" → "unconnected", "disconnected", …"""
    added = {p + word for p in _NEGATING_PREFIXES} if len(word) >= _SHORTEST_BASE else set()
    taken = {word[len(p) :] for p in _NEGATING_PREFIXES if word.startswith(p)}
    return frozenset(added | {w for w in taken if len(w) >= _SHORTEST_BASE})


def asked_opposites(question: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each word of the question that has opposites (listed, or by a negating prefix), with those
    opposites the question does not use itself ("simple or complex?" asks about both). Left out: a word
    after "how" ("How long…?" asks for a length), a capitalised word inside the question (a name: "the
    Middle East"), "end up", a word after a lone prefix ("un-elected")."""
    written = words(question)
    lower = [fold(w) for w in written]
    used = set(lower)
    by_prefix = not is_negated(question)
    asked: list[tuple[str, tuple[str, ...]]] = []
    for i, (word, low) in enumerate(zip(written, lower, strict=True)):
        if i > 0 and (word[0].isupper() or lower[i - 1] == "how" or lower[i - 1] in _LONE_PREFIXES):
            continue
        if i + 1 < len(lower) and lower[i + 1] == "up":
            continue
        opposites = OPPOSITES.get(low, frozenset()) | (prefixed_opposites(low) if by_prefix else frozenset())
        others = tuple(sorted(opposites - used))
        if others and all(low != a for a, _ in asked):
            asked.append((low, others))
    return tuple(asked)


def stated_opposite(asked: Sequence[tuple[str, Sequence[str]]], sentence: str) -> tuple[str, str] | None:
    """(the question's word, the sentence's opposite of it) when the sentence lacks the asked word
    (in any form that starts with it: "east" in "eastern") but plainly states an opposite."""
    if not asked:
        return None
    lower = words(fold(sentence))
    plain = {w for i, w in enumerate(lower) if i == 0 or lower[i - 1] not in _CANCELS}
    for word, others in asked:
        stated = next((other for other in others if other in plain), None)
        if stated is not None and not any(w.startswith(word) for w in lower):
            return word, stated
    return None
