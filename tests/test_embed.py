"""Sentence embeddings: shape, unit length, order, determinism, paraphrase vs unrelated, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from newstrace.embed import DIMENSIONS, MAX_TOKENS, Embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "Iran supplied Russia with hundreds of drones.",
    "Tehran sent hundreds of drones to Moscow.",
    "The new tram line opens next spring.",
]


def test_shape_dtype_and_unit_length(embedder: Embedder) -> None:
    vectors = embedder(SENTENCES)
    assert vectors.shape == (len(SENTENCES), DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_deterministic_and_independent_of_batching(embedder: Embedder) -> None:
    first = embedder(SENTENCES)
    assert np.array_equal(first, embedder(SENTENCES))
    # rows come back in input order whatever the length sort and the batch they fell in
    alone = np.stack([embedder([s])[0] for s in reversed(SENTENCES)])[::-1]
    assert np.allclose(first, alone, atol=1e-5)
    small_batches = Embedder(batch_size=2)(SENTENCES)
    assert np.allclose(first, small_batches, atol=1e-5)


def test_matches_the_fp32_model(embedder: Embedder) -> None:
    # sentence-transformers' README quickstart prints 0.6660, 0.1046 and 0.1411 for these with the fp32 model; int8
    # weights move a cosine by a few thousandths
    v = embedder(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    cos = v @ v.T
    assert cos[0, 1] == pytest.approx(0.6660, abs=0.01)
    assert cos[0, 2] == pytest.approx(0.1046, abs=0.01)
    assert cos[1, 2] == pytest.approx(0.1411, abs=0.01)


def test_paraphrases_close_unrelated_far(embedder: Embedder) -> None:
    v = embedder(SENTENCES)
    cos = v @ v.T
    assert cos[0, 1] > 0.7
    assert cos[2, 3] > 0.7
    for paraphrase in (cos[0, 1], cos[2, 3]):
        assert paraphrase > max(cos[0, 2], cos[0, 4], cos[2, 4], cos[1, 3]) + 0.4
    assert max(cos[0, 2], cos[0, 4], cos[2, 4], cos[1, 3]) < 0.3


def test_empty_list(embedder: Embedder) -> None:
    vectors = embedder([])
    assert vectors.shape == (0, DIMENSIONS)
    assert vectors.dtype == np.float32


def test_empty_string_is_a_unit_vector(embedder: Embedder) -> None:
    vectors = embedder(["", "A man is eating food."])
    assert np.isfinite(vectors).all()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_long_text_is_truncated(embedder: Embedder) -> None:
    head = "Iran supplied Russia with hundreds of drones. "
    long = head + "The shipments went on for months. " * 400  # about 2,800 word pieces
    assert len(embedder.tokenizer.encode(long).ids) == MAX_TOKENS
    vectors = embedder([long, head + "The shipments went on for months. " * 60])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # both are cut to the same first 256 pieces, so they embed alike
    assert float(vectors[0] @ vectors[1]) > 0.999
