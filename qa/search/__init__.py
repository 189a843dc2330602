"""Finding passages: BM25 and dense search, reciprocal-rank fusion, filters, the names a corpus holds."""
