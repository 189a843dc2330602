"""The fitted field map (`qa.answering.field_map`): applied to the question's vector where it was fitted on the
model, a no-op elsewhere; the real model's counterpart is in test_real.py."""

from pathlib import Path

import numpy as np

from qa.answering.field_map import FIELD_MAP, default_field_map, load_field_map, mapped
from qa.assistant.encoder import QueryEncoder
from qa.index.embedding import HashingEmbedder
from qa.settings import DEFAULT_MODEL


def test_the_map_brings_the_vector_through_it_at_unit_length() -> None:
    vector = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    swap = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=np.float32)
    assert np.allclose(mapped(swap, vector), [0.8, 0.6, 0.0])
    assert mapped(None, vector) is vector
    stretched = mapped(np.diag([2.0, 1.0, 1.0]).astype(np.float32), vector)
    assert np.isclose(np.linalg.norm(stretched), 1.0) and stretched.dtype == np.float32


def test_a_map_is_used_only_for_the_model_it_was_fitted_on(tmp_path: Path) -> None:
    loaded = load_field_map()
    assert loaded is not None and loaded[0] == DEFAULT_MODEL  # fitted on the bundled model's vectors
    assert default_field_map("hashing:256") is None  # another model's vectors: compared as they are
    assert load_field_map(tmp_path / "none.npz") is None
    path = tmp_path / "map.npz"
    np.savez_compressed(path, map=np.eye(4, dtype=np.float16), model=np.array("hashing:4"))
    model, matrix = load_field_map(path)  # type: ignore[misc]
    assert model == "hashing:4" and matrix.dtype == np.float32 and np.array_equal(matrix, np.eye(4))


def test_the_encoder_compares_field_paths_with_the_mapped_vector() -> None:
    embedder = HashingEmbedder(8, model_id="hashing:8")
    reverse = np.eye(8, dtype=np.float32)[::-1]
    plain, with_map = QueryEncoder(embedder), QueryEncoder(embedder, field_map=reverse)
    vector = plain.field_focus("Where is the seat of government?")
    assert np.allclose(with_map.field_focus("Where is the seat of government?"), vector[::-1])
    assert np.array_equal(vector, embedder.embed(["Where is the seat of government?"])[0])


def test_the_shipped_map_is_small_and_square() -> None:
    loaded = load_field_map()
    assert FIELD_MAP.stat().st_size < 5_000_000 and loaded is not None
    assert loaded[1].shape == (384, 384)
