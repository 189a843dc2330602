"""The fitted field map: a linear map of the question's vector (the question less its names) that brings it near the
field path it asks for ("Where is the seat of government of?" near `Capital: name`), fitted on the tune countries'
Factbook wordings by `python -m benchmarks.field_adapter --write` (docs/field-adapter.md).

Pure: reads `field_map.npz` beside this module (the map in float16 and the model it was fitted on). A map fitted on
another model's vectors is not used: the question's vector is then compared as it is.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.vectors import normalise

FIELD_MAP = Path(__file__).with_name("field_map.npz")


def load_field_map(path: Path = FIELD_MAP) -> tuple[str, np.ndarray] | None:
    """(the model it was fitted on, the map as float32), or None when there is none."""
    if not path.is_file():
        return None
    with np.load(path) as data:
        return str(data["model"]), data["map"].astype(np.float32)


@lru_cache(maxsize=4)
def default_field_map(model_id: str) -> np.ndarray | None:
    """The shipped map when it was fitted on `model_id`'s vectors, else None."""
    loaded = load_field_map()
    return loaded[1] if loaded is not None and loaded[0] == model_id else None


def mapped(field_map: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """The question's vector through the map, unit length again (unchanged without a map)."""
    if field_map is None:
        return vector
    return normalise((field_map @ vector)[None, :])[0]
