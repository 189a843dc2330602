"""One index generation made ready to search: the loaded generation, its BM25 table and its
vocabulary of names, built once when the generation is opened.

It holds no question and answers nothing: `qa.search.retrieval` searches it, the Assistant wires it.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.index.store import Generation
from qa.search.bm25 import BM25
from qa.search.spelling import Vocabulary, build_vocabulary


@dataclass(frozen=True)
class SearchIndex:
    generation: Generation
    bm25: BM25
    vocabulary: Vocabulary

    @classmethod
    def build(cls, generation: Generation) -> SearchIndex:
        texts = [p.text for p in generation.passages]
        return cls(generation, BM25(texts), build_vocabulary(texts))
