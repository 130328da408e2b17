"""Generation: logit filtering (temperature, top-k, top-p), sampling frequencies, top_k=1 equals
greedy, seeded repeatability, context cropping, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.text import GPT, GPTConfig, filter_logits, generate, sample_next_token

# -- 5.14 filtering and sampling --------------------------------------------------------------


@pytest.mark.task("5.14")
def test_temperature_and_top_k():
    logits = tt.tensor([[1.0, 3.0, 2.0, 0.0], [0.0, -1.0, 5.0, 4.0]])
    np.testing.assert_allclose(filter_logits(logits, temperature=2.0).array, logits.array / 2)
    top2 = filter_logits(logits, top_k=2).array
    np.testing.assert_array_equal(top2, [[-np.inf, 3, 2, -np.inf], [-np.inf, -np.inf, 5, 4]])
    np.testing.assert_array_equal(filter_logits(logits, top_k=10).array, logits.array)


@pytest.mark.task("5.14")
def test_top_p_keeps_the_smallest_nucleus():
    logits = tt.tensor(np.log([[0.5, 0.05, 0.3, 0.15]]))
    cases = {0.7: [True, False, True, False],  # 0.5 + 0.3 >= 0.7
             0.79: [True, False, True, False],
             0.81: [True, False, True, True],
             0.1: [True, False, False, False]}  # the most likely token always stays
    for top_p, expected in cases.items():
        kept = np.isfinite(filter_logits(logits, top_p=top_p).array)
        np.testing.assert_array_equal(kept, [expected], err_msg=f"top_p={top_p}")
    both = filter_logits(logits, top_k=3, top_p=0.99).array
    np.testing.assert_array_equal(np.isfinite(both), [[True, False, True, True]])


@pytest.mark.task("5.14")
def test_sampling_follows_the_probabilities():
    probs = np.array([0.1, 0.6, 0.0, 0.3])
    logits = np.tile(np.log(np.maximum(probs, 1e-300)), (20_000, 1))
    logits[:, 2] = -np.inf
    draws = sample_next_token(tt.tensor(logits), generator=tt.Generator(0))
    assert draws.shape == (20_000, 1) and draws.dtype is tt.int64
    freq = np.bincount(draws.array[:, 0], minlength=4) / len(draws.array)
    np.testing.assert_allclose(freq, probs, atol=0.015)  # ~5 standard errors
    again = sample_next_token(tt.tensor(logits), generator=tt.Generator(0))
    np.testing.assert_array_equal(draws.array, again.array)
    greedy = sample_next_token(tt.tensor([[0.0, 2.0, 1.0]]), do_sample=False)
    np.testing.assert_array_equal(greedy.array, [[1]])


# -- 5.15 the generation loop -----------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    tt.manual_seed(0)
    m = GPT(GPTConfig(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16))
    rng = np.random.default_rng(0)
    for p in m.parameters():
        p.array[...] = rng.standard_normal(p.shape) * 0.5  # confident, varied predictions
    return m.eval()


@pytest.mark.task("5.15")
def test_top_k_1_sampling_is_greedy(model):
    idx = tt.tensor([[1, 2, 3], [4, 5, 6]])
    greedy = model.generate(idx, 12, do_sample=False)
    sampled = model.generate(idx, 12, top_k=1, generator=tt.Generator(5))
    assert greedy.shape == (2, 15)
    np.testing.assert_array_equal(greedy.array[:, :3], idx.array)
    np.testing.assert_array_equal(sampled.array, greedy.array)


@pytest.mark.task("5.15")
def test_greedy_picks_the_argmax_of_the_cropped_context(model):
    idx = tt.tensor([[3, 1, 4, 1, 5, 9, 2, 6, 5, 3]])  # longer than block_size = 8
    out = generate(model, idx, 3, do_sample=False).array
    context = out[:, :10]
    for t in range(3):
        window = tt.tensor(context[:, -8:])  # the last 8 tokens
        expected = model(window)[0].array[0, -1].argmax()
        assert out[0, 10 + t] == expected
        context = out[:, :11 + t]


@pytest.mark.task("5.15")
def test_seeded_sampling_repeats_and_varies(model):
    idx = tt.tensor([[0, 1]])
    a = model.generate(idx, 20, generator=tt.Generator(1), temperature=2.0)
    b = model.generate(idx, 20, generator=tt.Generator(1), temperature=2.0)
    c = model.generate(idx, 20, generator=tt.Generator(2), temperature=2.0)
    np.testing.assert_array_equal(a.array, b.array)
    assert (a.array != c.array).any()
    assert a.array.min() >= 0 and a.array.max() < 11 and a.dtype is tt.int64


@pytest.mark.task("5.15")
def test_generation_records_no_graph(model):
    out = model.generate(tt.tensor([[1]]), 3, top_p=0.9, generator=tt.Generator(0))
    assert out.grad_fn is None and out.shape == (1, 4)


def test_errors(model):
    idx = tt.tensor([[1, 2]])
    with pytest.raises(ValueError, match="temperature must be > 0"):
        generate(model, idx, 2, temperature=0.0)
    with pytest.raises(ValueError, match="top_k must be >= 1"):
        generate(model, idx, 2, top_k=0)
    with pytest.raises(ValueError, match="top_p must be in"):
        generate(model, idx, 2, top_p=1.5)
    with pytest.raises(ValueError, match="token ids"):
        generate(model, tt.tensor([1, 2]), 2)
