"""multinomial: sampling category indices from weights, with and without replacement, with a
Generator. Random streams differ from PyTorch's, so the checks are statistical (frequencies
against the closed-form probabilities, with a fixed seed), structural (shapes, no repeats, zero
weights never drawn) and PyTorch's errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinytorch.tensor as tt

WEIGHTS = [1.0, 0.0, 3.0, 6.0]  # probabilities 0.1, 0, 0.3, 0.6


def test_with_replacement_frequencies_match_the_probabilities():
    n = 200_000
    draws = tt.tensor(WEIGHTS).multinomial(n, replacement=True, generator=tt.Generator(0))
    assert draws.shape == (n,) and draws.dtype is tt.int64
    freq = np.bincount(draws.array, minlength=4) / n
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.3, 0.6], atol=0.005)  # 4+ standard errors


def test_rows_are_independent_distributions():
    weights = tt.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 2.0], [5.0, 0.0, 0.0]])
    draws = weights.multinomial(50_000, replacement=True, generator=tt.Generator(1))
    assert draws.shape == (3, 50_000)
    assert (draws.array[0] == 1).all() and (draws.array[2] == 0).all()
    np.testing.assert_allclose(np.bincount(draws.array[1], minlength=3) / 50_000,
                               [0.25, 0.25, 0.5], atol=0.01)


def test_without_replacement_draws_each_category_once():
    weights = tt.tensor([[1.0, 2.0, 3.0, 4.0, 0.0]] * 200)
    draws = weights.multinomial(4, generator=tt.Generator(2)).array
    assert draws.shape == (200, 4)
    assert all(sorted(row) == [0, 1, 2, 3] for row in draws)  # never a repeat, never weight 0


def test_without_replacement_order_follows_sequential_draws():
    # Closed form: P(first = i, second = j) = p_i * p_j / (1 - p_i).
    p = np.array([0.5, 0.3, 0.2])
    n = 60_000
    draws = tt.tensor(p).expand(n, 3).multinomial(2, generator=tt.Generator(3)).array
    for i, j in itertools.permutations(range(3), 2):
        expected = p[i] * p[j] / (1 - p[i])
        observed = np.mean((draws[:, 0] == i) & (draws[:, 1] == j))
        assert abs(observed - expected) < 0.01, (i, j, observed, expected)


def test_zero_weights_come_last_when_they_must_be_drawn(torch):
    ours = tt.tensor([1.0, 0.0, 1.0, 0.0]).multinomial(4, generator=tt.Generator(5)).tolist()
    assert sorted(ours[:2]) == [0, 2] and ours[2:] == [1, 3]
    theirs = torch.tensor([1.0, 0.0, 1.0, 0.0]).multinomial(4).tolist()
    assert sorted(theirs[:2]) == [0, 2] and sorted(theirs[2:]) == [1, 3]


def test_generators_make_it_reproducible():
    w = tt.tensor(WEIGHTS)
    a = w.multinomial(10, True, generator=tt.Generator(7))
    b = tt.multinomial(w, 10, replacement=True, generator=tt.Generator(7))
    np.testing.assert_array_equal(a.array, b.array)
    tt.manual_seed(11)
    c = w.multinomial(3)
    tt.manual_seed(11)
    np.testing.assert_array_equal(w.multinomial(3).array, c.array)


def test_errors_match_torch(torch):
    cases = [
        lambda m: m.tensor([1.0, -1.0]).multinomial(1),
        lambda m: m.tensor([0.0, 0.0]).multinomial(1),
        lambda m: m.tensor([1.0, float("nan")]).multinomial(1),
        lambda m: m.tensor([1.0, 2.0]).multinomial(3),
        lambda m: m.ones(2, 2, 2).multinomial(1),
        lambda m: m.tensor([1, 2]).multinomial(1),
    ]
    for make in cases:
        with pytest.raises(RuntimeError):
            make(torch)
        with pytest.raises(RuntimeError, match="multinomial"):
            make(tt)
