"""The questions an inverted file's probe count is chosen with: real questions as the bundled model embeds them.

A segment above `EXACT_UP_TO` passages is searched through an inverted file that scans only the `nprobe` lists
nearest the question, the fewest that keep `RECALL_AT_10` of the exact top 10 for probe questions. Questions lie
farther from the passages than the passages' own sentences do (a real question's nearest passage has a cosine of
about 0.58 against 0.75 for a sentence of the corpus), so sentences as probes chose too few lists: 0.93 recall@10
for real questions (docs/million.md). `probe_questions.npz` holds SQuAD and Factbook tune-split questions embedded
by the bundled model (float16, with the model's id), written by `python -m benchmarks.million --write-probes`;
an index of another model probes with its own sentences.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

PROBE_QUESTIONS = Path(__file__).with_name("probe_questions.npz")


@lru_cache(maxsize=4)
def question_probes(model_id: str, path: Path = PROBE_QUESTIONS) -> np.ndarray | None:
    """The shipped probe questions' vectors when they were embedded by `model_id`, else None."""
    if not path.is_file():
        return None
    with np.load(path) as data:
        if str(data["model"]) != model_id:
            return None
        return np.ascontiguousarray(data["vectors"], dtype=np.float32)
