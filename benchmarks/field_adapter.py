"""Does a learned map of the question's vector tell a field's paraphrases apart? Measured here, and fitted for answering.

    python -m benchmarks.field_adapter           # needs ../shared; writes docs/field-adapter.md
    python -m benchmarks.field_adapter --write   # also fits the shipped map: qa/answering/field_map.npz

Answering compares the question less its names ("Where is the seat of government of?") with each line's field path
("Capital: name") by the bundled model's cosine (`field_match`). The Factbook misses are wordings whose right field
is not the nearest (docs/factbook.md, "hardest wordings"). Here a linear map W = I + A of the question's vector is
fitted (softmax over the profile's field paths, A kept small) on the tune countries with half of the bank's fields
(the even ones) in half of their wordings (the even ones), and scored by how often the right field path is the
nearest, on held-out countries:
- the other wordings of the fitted fields (wordings never fitted on: the test that matters),
- the other wordings of the other fields (fields never fitted on: does the map pull them toward the fitted ones?),
- the fitted wordings, which only says how much it memorised.
The penalty on A is chosen on the tune countries' odd wordings of every field; the held-out countries choose nothing.
With `--write`, the shipped map is fitted the same way on the tune countries' even wordings of every field (the
odd ones left to choose the penalty and to score the Factbook benchmark's tune split on wordings never fitted on).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.factbook import SPLIT, country_of, gold_line
from benchmarks.factbook_questions import FIELDS
from benchmarks.harness import DOCS, FACTBOOK, needs
from qa.answering.field_map import FIELD_MAP
from qa.answering.questions import analyse, field_query
from qa.index.embedding import SentenceTransformerEmbedder
from qa.settings import DEFAULT_MODEL, Settings
from qa.text.chunking import chunk_document
from qa.text.documents import read_document
from qa.text.structure import field_path_of

PENALTIES = (0.0, 0.01, 0.1, 1.0)
TEMPERATURE = 0.05


@dataclass(frozen=True)
class Example:
    focus: str  # the question less its names
    gold: str  # the right line's field path
    paths: tuple[str, ...]  # every field path of the profile


def examples(split: str, parity: int, settings: Settings, fields: int | None = None) -> list[Example]:
    """The questions of `split`'s countries in the wordings of `parity` (0: even, 1: odd), of every field or of the
    fields of parity `fields`."""
    data = json.loads(SPLIT.read_text(encoding="utf-8"))
    out = []
    for name in data["profiles"][split]:
        document = read_document(FACTBOOK, FACTBOOK / name)
        chunked = chunk_document(document, 0, settings.passage_max_words, settings.passage_max_pieces)
        lines = [
            (s, field_path_of(tuple(s.section), document.text[s.start : s.end])) for s in chunked.sentences if s.section
        ]
        paths = tuple(sorted({p for _, p in lines if p}))
        country = country_of(document)
        for number, field in enumerate(FIELDS):
            gold = gold_line(document, field.heading, field.label)
            if gold is None or (fields is not None and number % 2 != fields):
                continue
            path = next((p for s, p in lines if s.start <= gold.start < s.end), "")
            if not path:
                continue
            for i, wording in enumerate(field.wordings):
                if i % 2 == parity:
                    out.append(Example(field_query(analyse(wording.format(c=country))), path, paths))
    return out


def accuracy(adapter: np.ndarray, sets: list[Example], vectors: dict[str, np.ndarray]) -> float:
    right = 0
    for e in sets:
        q = adapter @ vectors[e.focus]
        q = q / np.linalg.norm(q)
        scores = np.stack([vectors[p] for p in e.paths]) @ q
        right += e.paths[int(np.argmax(scores))] == e.gold
    return right / len(sets)


def fit(train: list[Example], vectors: dict[str, np.ndarray], penalty: float, epochs: int = 300) -> np.ndarray:
    import torch

    torch.manual_seed(0)
    dim = len(next(iter(vectors.values())))
    path_index = {p: i for i, p in enumerate(sorted({p for e in train for p in e.paths}))}
    paths = torch.tensor(np.stack([vectors[p] for p in path_index]), dtype=torch.float32)
    questions = torch.tensor(np.stack([vectors[e.focus] for e in train]), dtype=torch.float32)
    mask = torch.full((len(train), len(path_index)), float("-inf"))
    for row, e in enumerate(train):
        mask[row, [path_index[p] for p in e.paths]] = 0.0
    target = torch.tensor([path_index[e.gold] for e in train])
    a = torch.zeros(dim, dim, requires_grad=True)
    optimiser = torch.optim.Adam([a], lr=1e-3)
    eye = torch.eye(dim)
    for _ in range(epochs):
        optimiser.zero_grad()
        q = questions @ (eye + a).T
        q = q / q.norm(dim=1, keepdim=True)
        logits = q @ paths.T / TEMPERATURE + mask
        loss = torch.nn.functional.cross_entropy(logits, target) + penalty * (a**2).sum()
        loss.backward()
        optimiser.step()
    return (eye + a).detach().numpy()


def main() -> int:
    if not needs(FACTBOOK):
        return 2
    settings = Settings()
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, settings.batch_size, threads=None)
    sets = {
        "fit (tune countries, even wordings of the even fields)": examples("tune", 0, settings, fields=0),
        "choose (tune countries, odd wordings, every field)": examples("tune", 1, settings),
        "held out: unseen wordings of fitted fields": examples("heldout", 1, settings, fields=0),
        "held out: unseen wordings of unseen fields": examples("heldout", 1, settings, fields=1),
        "held out: fitted wordings of fitted fields": examples("heldout", 0, settings, fields=0),
    }
    texts = sorted({t for group in sets.values() for e in group for t in (e.focus, *e.paths)})
    started = time.perf_counter()
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    print(f"{len(texts)} texts embedded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    train = sets["fit (tune countries, even wordings of the even fields)"]
    choose = sets["choose (tune countries, odd wordings, every field)"]
    fitted = {penalty: fit(train, vectors, penalty) for penalty in PENALTIES}
    chosen = max(PENALTIES, key=lambda p: (accuracy(fitted[p], choose, vectors), p))
    identity = np.eye(len(next(iter(vectors.values()))), dtype=np.float32)
    rows = [
        f"| {name} | {len(group)} | {accuracy(identity, group, vectors):.3f} | {accuracy(fitted[chosen], group, vectors):.3f} |"
        for name, group in sets.items()
    ]
    text = "\n".join(
        [
            "# The fitted field map",
            "",
            f"Measured by `python -m benchmarks.field_adapter` on {time.strftime('%Y-%m-%d')}. How often the right line's "
            "field path is the nearest of the profile's field paths to the question less its names: the bundled model's "
            f"cosine (`field_match` without a map) against a fitted linear map of the question's vector (penalty {chosen}, chosen "
            "on the tune countries' odd wordings among " + ", ".join(map(str, PENALTIES)) + ").",
            "",
            "| questions | count | cosine | fitted map |",
            "|---|---|---|---|",
            *rows,
            "",
            "Penalties tried, on the choosing set: "
            + ", ".join(f"{p}: {accuracy(fitted[p], choose, vectors):.3f}" for p in PENALTIES)
            + ".",
            "",
        ]
    )
    if "--write" in sys.argv[1:]:
        every = examples("tune", 0, settings)
        texts = sorted({t for e in every for t in (e.focus, *e.paths)} - set(vectors))
        vectors.update(zip(texts, embedder.embed(texts), strict=True))
        shipped = fit(every, vectors, chosen)
        np.savez_compressed(FIELD_MAP, map=shipped.astype(np.float16), model=np.array(embedder.model_id))
        text += (
            f"\nThe shipped map (`qa/answering/field_map.npz`, float16) is fitted on the tune countries' even wordings "
            f"of every field ({len(every)} questions), penalty {chosen}.\n"
        )
    print(text)
    (DOCS / "field-adapter.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
