"""One index generation made ready to search: the opened generation, its BM25 table and its vocabulary
of names (both stored with the generation and mapped when it is opened: nothing is rebuilt).

It holds no question and answers nothing: `qa.search.retrieval` searches it, the Assistant wires it.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.index.lexical import Lexical
from qa.index.store import Generation
from qa.text.vocabulary import Vocabulary


@dataclass(frozen=True)
class SearchIndex:
    generation: Generation
    bm25: Lexical
    vocabulary: Vocabulary

    @classmethod
    def build(cls, generation: Generation) -> SearchIndex:
        return cls(generation, generation.lexical, generation.vocabulary)
