"""The KV cache: the protocol's bookkeeping, logits equal to full recomputation at every step
(within 1e-5), identical greedy and sampled tokens, and a clear overflow error."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
import tinytorch.text as text
from tinytorch.autograd import no_grad
from tinytorch.systems.kv_cache import KVCache, make_caches


def tiny_gpt(block_size=24, seed=0):
    tt.manual_seed(seed)
    config = text.GPTConfig(block_size=block_size, vocab_size=17, n_layer=2, n_head=2,
                            n_embd=16, dropout=0.0)
    return text.GPT(config).eval()


def concat_oracle(chunks):
    return np.concatenate(chunks, axis=2)


# -- 6.24 the cache -----------------------------------------------------------------------------

@pytest.mark.task("6.24")
def test_update_appends_in_place_and_returns_everything_so_far():
    rng = np.random.default_rng(0)
    cache = KVCache(2, 3, 10, 4)
    keys, values = [], []
    for t in (4, 1, 1, 3):
        k = rng.standard_normal((2, 3, t, 4)).astype(np.float32)
        v = rng.standard_normal((2, 3, t, 4)).astype(np.float32)
        keys.append(k)
        values.append(v)
        k_all, v_all = cache.update(tt.tensor(k), tt.tensor(v))
        np.testing.assert_array_equal(k_all.numpy(), concat_oracle(keys))
        np.testing.assert_array_equal(v_all.numpy(), concat_oracle(values))
        assert np.shares_memory(k_all.numpy(), cache.keys)  # a view, no copy
    assert cache.length == 9 and cache.nbytes == 2 * 2 * 3 * 10 * 4 * 4
    cache.reset()
    k_all, _ = cache.update(tt.tensor(keys[1]), tt.tensor(values[1]))
    np.testing.assert_array_equal(k_all.numpy(), keys[1])


@pytest.mark.task("6.24")
def test_overflow_names_the_length():
    cache = KVCache(1, 2, 5, 4)
    cache.update(tt.zeros(1, 2, 4, 4), tt.zeros(1, 2, 4, 4))
    with pytest.raises(ValueError, match="max_len=5 positions, 4 are filled and 2 more"):
        cache.update(tt.zeros(1, 2, 2, 4), tt.zeros(1, 2, 2, 4))
    assert cache.length == 4  # nothing written


@pytest.mark.task("6.24")
def test_cached_logits_match_full_recomputation_at_every_step():
    model = tiny_gpt()
    rng = np.random.default_rng(1)
    tokens = tt.tensor(rng.integers(0, 17, (3, 20)))
    prompt = 5
    with no_grad():
        caches = make_caches(model, batch_size=3)
        cached, _ = model(tokens[:, :prompt], caches=caches, start_pos=0)
        full, _ = model(tokens[:, :prompt])
        np.testing.assert_allclose(cached.numpy(), full.numpy(), rtol=1e-5, atol=1e-5)
        for t in range(prompt, 20):
            step, _ = model(tokens[:, t:t + 1], caches=caches, start_pos=t)
            full, _ = model(tokens[:, :t + 1])
            np.testing.assert_allclose(step.numpy()[:, 0], full.numpy()[:, -1], rtol=1e-5,
                                       atol=1e-5)
    assert [c.length for c in caches] == [20, 20]


def test_cache_checks_shapes_and_refuses_gradients():
    cache = KVCache(1, 2, 5, 4)
    with pytest.raises(ValueError, match=r"\(1, 2, T, 4\)"):
        cache.update(tt.zeros(1, 3, 1, 4), tt.zeros(1, 3, 1, 4))
    with pytest.raises(RuntimeError, match="no_grad"):
        cache.update(tt.zeros(1, 2, 1, 4, requires_grad=True), tt.zeros(1, 2, 1, 4))
    with pytest.raises(ValueError, match="positive ints"):
        KVCache(1, 0, 5, 4)
