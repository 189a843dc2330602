"""Example questions for the first screen: drawn from the corpus when it is indexed, and kept only when they are
answered.

Candidates name what the newest briefings mention most that their titles do not ("What do the briefings say
about BRICS?"); each is asked, and those answered at a medium confidence or more are kept, up to a few. They are
stored beside the index (`examples.json`, with the generation they were asked of), so the page shows them
without answering anything; a stale or missing file is made again on first use.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from qa.records import Answer, Document

EXAMPLES_FILE = "examples.json"
_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+|[A-Z]{2,6})\b")  # a name stays on its line
_WORD = re.compile(r"\w+")
_LEADING = {"the", "a", "an", "this", "that", "these", "those", "in", "on", "at", "for", "but", "and", "as", "after"}
SHOWN = 3  # how many examples the first screen shows
TRIED = 9  # how many candidates are asked at most to find them
KEPT_FROM = 0.5  # an example is kept when answered at this confidence or more (medium or high)


def candidate_questions(documents: Sequence[Document], count: int) -> list[str]:
    """Questions about the names the newest five of `documents` use most that their titles do not."""
    newest = sorted(documents, key=lambda d: d.date or "", reverse=True)
    names: Counter[str] = Counter()
    articled: Counter[str] = Counter()  # how often a name follows "the" ("the Russian Foreign Minister")
    for document in newest[:5]:
        title_words = set(_WORD.findall(document.title.lower()))
        for match in _NAME.finditer(document.text):
            found, before = match.group(), document.text[max(0, match.start() - 4) : match.start()]
            words = found.split()
            while len(words) > 1 and words[0].lower() in _LEADING:  # a sentence's first word is not the name
                words = words[1:]
            name = " ".join(words)
            if len(name) > 2 and _NAME.fullmatch(name) and not set(_WORD.findall(name.lower())) <= title_words:
                names[name] += 1
                articled[name] += found.lower().startswith("the ") or before.lower() == "the "
    return [
        f"What do the briefings say about {'the ' if 2 * articled[name] > seen else ''}{name}?"
        for name, seen in names.most_common(count)
    ]


def answered_examples(
    ask: Callable[[str], Answer], candidates: Sequence[str], count: int = SHOWN, kept_from: float = KEPT_FROM
) -> list[str]:
    """The first `count` of `candidates` that `ask` answers at `kept_from` or more, each quoting a main sentence no
    kept one quotes: three examples answered by one sentence show one thing three times."""
    kept: list[str] = []
    quoted: set[tuple[str, int]] = set()
    for question in candidates:
        if len(kept) >= count:
            break
        answer = ask(question)
        main = (answer.citations[0].doc_id, answer.citations[0].start) if answer.citations else None
        if not answer.abstained and answer.confidence >= kept_from and main not in quoted:
            kept.append(question)
            if main is not None:
                quoted.add(main)
    return kept


def read_examples(index_dir: Path, generation: str) -> list[str] | None:
    """The stored examples when they were asked of `generation`; None when missing, unreadable or stale."""
    try:
        data = json.loads((Path(index_dir) / EXAMPLES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generation") != generation:
        return None
    questions = data.get("questions")
    return [q for q in questions if isinstance(q, str)] if isinstance(questions, list) else None


def write_examples(index_dir: Path, generation: str, questions: Sequence[str]) -> bool:
    """Store the examples beside the index (whole or not at all: written aside, then renamed); False when the
    folder cannot be written (a read-only index still answers, and its examples are asked again next time)."""
    path = Path(index_dir) / EXAMPLES_FILE
    aside = path.with_suffix(".json.tmp")
    try:
        aside.write_text(json.dumps({"generation": generation, "questions": list(questions)}, indent=1), "utf-8")
        os.replace(aside, path)
    except OSError:
        return False
    return True
