"""SQuAD 2.0 in the open-corpus setting: the 35 dev articles as briefings, every question asked of all.

Pure helpers shared by `quality.py` and the regression-floor test: build the corpus files, read
the questions with gold answer spans mapped to document offsets, and SQuAD's answer normalisation,
exact match and F1. The first 18 articles (in file order) are the tune split, the last 17 held out.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

TUNE_ARTICLES = 18


@dataclass(frozen=True)
class Gold:
    qid: str
    question: str
    split: str  # "tune" | "heldout"
    doc_id: str
    answerable: bool
    answers: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # offsets of the gold answers in the document's text


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: tuple[str, ...]) -> float:
    return float(any(normalize(prediction) == normalize(g) for g in golds))


def f1(prediction: str, golds: tuple[str, ...]) -> float:
    best = 0.0
    predicted = normalize(prediction).split()
    for gold in golds:
        expected = normalize(gold).split()
        common = Counter(predicted) & Counter(expected)
        same = sum(common.values())
        if same:
            precision, recall = same / len(predicted), same / len(expected)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_answer(quote: str, golds: tuple[str, ...]) -> bool:
    quote_n = f" {normalize(quote)} "
    return any(f" {normalize(g)} " in quote_n for g in golds if normalize(g))


def build_corpus(dev_json: Path, out_dir: Path) -> list[Gold]:
    """Write one .txt per article (title line, then paragraphs) and return the questions."""
    data = json.loads(dev_json.read_text(encoding="utf-8"))["data"]
    out_dir.mkdir(parents=True, exist_ok=True)
    golds: list[Gold] = []
    for number, article in enumerate(data):
        title = article["title"].replace("_", " ")
        doc_id = f"{number:02d}-{article['title']}.txt"
        split = "tune" if number < TUNE_ARTICLES else "heldout"
        parts = [title]
        offset = len(title)
        for paragraph in article["paragraphs"]:
            context = paragraph["context"].replace("\n", " ").replace("\r", " ")
            offset += 2
            start = offset
            parts.append(context)
            offset += len(context)
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa.get("answers", []))
                spans = tuple(
                    (start + a["answer_start"], start + a["answer_start"] + len(a["text"]))
                    for a in qa.get("answers", [])
                )
                golds.append(
                    Gold(qa["id"], qa["question"], split, doc_id, not qa.get("is_impossible", False), answers, spans)
                )
        text = "\n\n".join(parts) + "\n"
        path = out_dir / doc_id
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return golds
