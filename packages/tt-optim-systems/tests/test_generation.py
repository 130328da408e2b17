"""Cached generation: tokens identical to part 5's generate, greedy and sampled."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
import tinytorch.text as text
from tinytorch.systems.generation import generate_with_cache


def tiny_gpt(block_size=24, seed=0):
    tt.manual_seed(seed)
    config = text.GPTConfig(block_size=block_size, vocab_size=17, n_layer=2, n_head=2,
                            n_embd=16, dropout=0.0)
    return text.GPT(config).eval()


# -- 6.25 cached generation ---------------------------------------------------------------------

@pytest.mark.task("6.25")
@pytest.mark.parametrize("prompt_len, new", [(1, 10), (6, 18), (20, 30)])  # the last slides
def test_greedy_tokens_are_identical(prompt_len, new):
    model = tiny_gpt()
    prompt = tt.tensor(np.random.default_rng(2).integers(0, 17, (2, prompt_len)))
    plain = text.generate(model, prompt, new, do_sample=False)
    cached = generate_with_cache(model, prompt, new, do_sample=False)
    assert cached.shape == (2, prompt_len + new)
    np.testing.assert_array_equal(cached.numpy(), plain.numpy())


@pytest.mark.task("6.25")
def test_sampled_tokens_are_identical_for_one_seed():
    model = tiny_gpt()
    prompt = tt.tensor([[1, 2, 3]])
    kwargs = dict(temperature=0.8, top_k=5, top_p=0.9, do_sample=True)
    plain = text.generate(model, prompt, 15, generator=tt.Generator(7), **kwargs)
    cached = generate_with_cache(model, prompt, 15, generator=tt.Generator(7), **kwargs)
    np.testing.assert_array_equal(cached.numpy(), plain.numpy())
    assert generate_with_cache(model, prompt, 0) is prompt


def test_generate_with_cache_bad_input():
    model = tiny_gpt()
    with pytest.raises(ValueError, match="token ids"):
        generate_with_cache(model, tt.zeros(1, 3), 2)
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate_with_cache(model, tt.tensor([[1]]), -1)
