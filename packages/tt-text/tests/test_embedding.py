"""Embedding: PyTorch with the same weights (forward, backward, padding_idx), repeated ids,
higher-order gradients, errors; positional encodings against their closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck, gradgradcheck
from tinytorch.text import (
    Embedding,
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    embedding,
    sinusoidal_encoding,
)

# -- 5.6 Embedding ----------------------------------------------------------------------------


@pytest.mark.task("5.6")
def test_gather_and_scatter_add_closed_form():
    weight = tt.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    ids = tt.tensor([[3, 0], [3, 3]])
    out = embedding(ids, weight)
    np.testing.assert_array_equal(out.array, weight.array[[[3, 0], [3, 3]]])
    g = np.arange(12.0).reshape(2, 2, 3)
    out.backward(tt.tensor(g))
    expected = np.zeros((4, 3))
    expected[3] = g[0, 0] + g[1, 0] + g[1, 1]  # id 3 was used three times: gradients add up
    expected[0] = g[0, 1]
    np.testing.assert_array_equal(weight.grad.array, expected)


@pytest.mark.task("5.6")
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_against_torch(torch, padding_idx):
    ours = Embedding(10, 6, padding_idx=padding_idx)
    theirs = torch.nn.Embedding(10, 6, padding_idx=padding_idx)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.array.copy()))
    ids = np.random.default_rng(0).integers(0, 10, (4, 7))
    ids[0, :3] = 9  # repeated ids and the padding row (9 when padding_idx=-1)
    ids[1, :2] = 2
    g = np.random.default_rng(1).standard_normal((4, 7, 6)).astype(np.float32)
    out = ours(tt.tensor(ids))
    ref = theirs(torch.from_numpy(ids))
    np.testing.assert_allclose(out.array, ref.detach().numpy(), rtol=0, atol=0)
    out.backward(tt.tensor(g))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), atol=1e-5)
    if padding_idx is not None:
        assert not ours.weight.grad.array[padding_idx].any()


@pytest.mark.task("5.6")
def test_padding_row_starts_at_zero_and_keeps_its_value():
    emb = Embedding(5, 3, padding_idx=1)
    assert not emb.weight.array[1].any() and emb.weight.array[0].any()
    assert emb.padding_idx == 1 and Embedding(5, 3, padding_idx=-2).padding_idx == 3
    emb.weight.array[1] = 7.0  # the forward returns the row as it is (as PyTorch)
    out = emb(tt.tensor([1, 1, 0]))
    np.testing.assert_array_equal(out.array[0], [7.0, 7.0, 7.0])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.array[1], 0.0)
    np.testing.assert_array_equal(emb.weight.grad.array[0], 1.0)


@pytest.mark.task("5.6")
def test_gradients_of_first_and_second_order():
    weight = tt.tensor(np.random.default_rng(2).standard_normal((5, 3)), dtype=tt.float64,
                       requires_grad=True)
    ids = tt.tensor([[0, 4, 4], [2, 0, 1]])
    assert gradcheck(lambda w: embedding(ids, w) ** 2, (weight,))
    assert gradgradcheck(lambda w: embedding(ids, w, padding_idx=4) ** 2, (weight,))


@pytest.mark.task("5.6")
def test_from_pretrained_and_errors():
    table = tt.tensor(np.eye(4, dtype=np.float32))
    frozen = Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(tt.tensor([2])).array, [[0, 0, 1, 0]])
    assert Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    emb = Embedding(4, 2)
    assert emb.weight.shape == (4, 2) and 0.5 < emb.weight.array.std() < 1.6  # N(0, 1)
    with pytest.raises(IndexError, match="index 4 is out of range for 4 embeddings"):
        emb(tt.tensor([0, 4]))
    with pytest.raises(IndexError, match="index -1"):
        emb(tt.tensor([-1]))
    with pytest.raises(TypeError, match="integer token ids"):
        emb(tt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="padding_idx must be within"):
        Embedding(4, 2, padding_idx=4)
    with pytest.raises(TypeError):
        Embedding(4, 2, max_norm=1.0)  # not supported: an error, never ignored
    assert repr(Embedding(4, 2, padding_idx=0)) == "Embedding(4, 2, padding_idx=0)"


# -- 5.7 positional encodings -----------------------------------------------------------------


@pytest.mark.task("5.7")
def test_sinusoidal_closed_form():
    pe = sinusoidal_encoding(50, 8).array
    assert pe.shape == (50, 8) and pe.dtype == np.float32
    p = np.arange(50)
    for i in range(4):
        w = 10000.0 ** (-2 * i / 8)
        np.testing.assert_allclose(pe[:, 2 * i], np.sin(p * w), atol=1e-6)
        np.testing.assert_allclose(pe[:, 2 * i + 1], np.cos(p * w), atol=1e-6)
    np.testing.assert_allclose(pe[0], [0, 1] * 4)
    with pytest.raises(ValueError, match="dim must be even"):
        sinusoidal_encoding(4, 3)


@pytest.mark.task("5.7")
def test_sinusoidal_offsets_are_rotations():
    # PE[p + k] = R(k) PE[p] with R(k) a rotation per (sin, cos) pair: relative positions are a
    # linear function of the encodings, whatever p is
    pe = sinusoidal_encoding(64, 16, base=100.0).array.astype(np.float64)
    k = 5
    for i in range(8):
        w = 100.0 ** (-2 * i / 16)
        rot = np.array([[math.cos(k * w), -math.sin(k * w)], [math.sin(k * w), math.cos(k * w)]])
        np.testing.assert_allclose(pe[k:, 2 * i:2 * i + 2], pe[:-k, 2 * i:2 * i + 2] @ rot,
                                   atol=1e-5)


@pytest.mark.task("5.7")
def test_positional_modules():
    fixed = SinusoidalPositionalEncoding(10, 4)
    assert list(fixed.parameters()) == [] and fixed.state_dict() == {}
    np.testing.assert_array_equal(fixed(tt.arange(3, 6)).array, sinusoidal_encoding(10, 4).array[3:6])
    learned = LearnedPositionalEncoding(10, 4)
    assert [n for n, _ in learned.named_parameters()] == ["weight"]
    assert 0.01 < learned.weight.array.std() < 0.03  # N(0, 0.02)
    out = learned(tt.arange(4))
    out.sum().backward()
    np.testing.assert_array_equal(learned.weight.grad.array[:4], 1.0)
    np.testing.assert_array_equal(learned.weight.grad.array[4:], 0.0)
    for module in (fixed, learned):
        with pytest.raises(IndexError, match="position 10 is beyond the 10 positions"):
            module(tt.arange(11))
