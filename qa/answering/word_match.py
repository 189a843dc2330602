"""The word match: how near each of the question's words comes to a word piece of a candidate
sentence, its headings or its document's title, by the embedding model's input table ("bought"
comes near "purchased") without a forward pass.

Pure but for the collaborator passed in: `piece_vectors` maps texts to the unit vectors of their
word pieces (an embedder's method, or a fake in tests). It does not score: `features` reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from qa.answering.features import CorpusView, candidate_sentences, sentence_text
from qa.answering.matching import word_bests
from qa.answering.questions import Question
from qa.records import Hit
from qa.vectors import normalise

PieceVectors = Callable[[Sequence[str]], list[np.ndarray]]


def word_matches(
    view: CorpusView,
    question: Question,
    hits: Sequence[Hit],
    depth: int,
    piece_vectors: PieceVectors,
    stored: Mapping[int, np.ndarray] | None = None,
) -> dict[int, tuple[float, ...]]:
    """`word_bests` of each candidate sentence of the top `depth` hits: the question's words against the
    word pieces of the sentence, its headings and its document's title (the words `overlap` reads too).
    `stored`: sentences' piece vectors already at hand (from the piece numbers the index stores); the other
    texts' pieces come from `piece_vectors`, in one call."""
    words = question.content_words
    if not words:
        return {}
    stored = stored or {}
    sids = [sid for sid, _ in candidate_sentences(view, hits, depth)]
    sentences = [view.sentences[sid] for sid in sids]
    docs = sorted({s.doc for s in sentences})
    sections = sorted({tuple(s.section) for s in sentences if s.section})
    unstored = [i for i, sid in enumerate(sids) if sid not in stored]
    texts = [
        *words,
        *(sentence_text(view, sentences[i]) for i in unstored),
        *(view.documents[d].title for d in docs),
        *(" ".join(section) for section in sections),
    ]
    computed = piece_vectors(texts)
    asked_pieces, computed = computed[: len(words)], computed[len(words) :]
    tokenised = dict(zip(unstored, computed, strict=False))
    pieces = [tokenised[i] if i in tokenised else stored[sid] for i, sid in enumerate(sids)]
    asked = normalise(np.array([p.mean(axis=0) if len(p) else np.zeros(p.shape[1]) for p in asked_pieces]))
    found = all_word_bests(asked, [*pieces, *computed[len(unstored) :]])
    own, rest = found[: len(sentences)], found[len(sentences) :]
    titles = dict(zip(docs, rest[: len(docs)], strict=True))
    headings = dict(zip(sections, rest[len(docs) :], strict=True))
    none = (0.0,) * len(words)
    return {
        sid: tuple(map(max, bests, titles[s.doc], headings.get(tuple(s.section), none)))
        for sid, s, bests in zip(sids, sentences, own, strict=True)
    }


def all_word_bests(asked: np.ndarray, pieces: Sequence[np.ndarray]) -> list[tuple[float, ...]]:
    """`word_bests(asked, p)` for each `p` of `pieces`, in one product of the question's words with all of them."""
    sizes = [len(p) for p in pieces]
    if not sum(sizes):
        return [word_bests(asked, p) for p in pieces]
    products = asked @ np.concatenate([p for p in pieces if len(p)]).T
    starts = np.cumsum([0, *sizes[:-1]])
    full = [i for i, n in enumerate(sizes) if n]
    bests = np.maximum.reduceat(products, starts[full], axis=1).T.tolist()
    out: list[tuple[float, ...]] = [(0.0,) * len(asked)] * len(pieces)
    for i, row in zip(full, bests, strict=True):
        out[i] = tuple(row)
    return out
