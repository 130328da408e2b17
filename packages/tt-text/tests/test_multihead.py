"""MultiHeadAttention: nanoGPT's CausalSelfAttention with the same weights, the returned
weights, masks, the cache protocol, and no information flowing from the future."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck
from tinytorch.text import AttentionCache, MultiHeadAttention
from tinytorch.text.cache import ConcatCache

pytestmark = pytest.mark.task("5.10")


def _x(B=2, T=6, C=16, seed=0):
    return np.random.default_rng(seed).standard_normal((B, T, C)).astype(np.float32)


def test_against_nanogpt(torch, nanogpt, torch_state):
    ours = MultiHeadAttention(16, 4)
    theirs = nanogpt.CausalSelfAttention(16, 4)
    theirs.load_state_dict(torch_state(ours.state_dict()))
    x = _x()
    xt, tx = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xt), theirs(tx)
    assert out.shape == (2, 6, 16)
    np.testing.assert_allclose(out.array, ref.detach().numpy(), atol=2e-6)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(tt.tensor(g))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xt.grad.array, tx.grad.numpy(), atol=1e-5)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs.get_parameter(name).grad.numpy(),
                                   atol=1e-5, err_msg=name)


def test_heads_are_independent_attentions():
    # head h of the output uses only features h*hs:(h+1)*hs of q, k and v
    mha = MultiHeadAttention(8, 2, bias=False)
    x = tt.tensor(_x(1, 5, 8))
    y, weights = mha(x, need_weights=True)
    assert weights.shape == (1, 2, 5, 5)
    qkv = x.array[0] @ mha.c_attn.weight.array.T  # (T, 3C)
    heads = []
    for h in range(2):
        q, k, v = (qkv[:, i * 8 + h * 4: i * 8 + (h + 1) * 4] for i in range(3))
        s = q @ k.T / 2.0 + np.triu(np.full((5, 5), -np.inf), 1)
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        np.testing.assert_allclose(weights.array[0, h], p, atol=1e-6)
        heads.append(p @ v)
    expected = np.concatenate(heads, axis=1) @ mha.c_proj.weight.array.T
    np.testing.assert_allclose(y.array[0], expected, atol=1e-5)
    np.testing.assert_allclose(mha(x).array, y.array, atol=1e-6)  # fused path, same values


def test_no_information_from_the_future():
    mha = MultiHeadAttention(16, 4)
    x = _x(1, 8, 16)
    later = x.copy()
    later[0, 5:] += 10.0  # perturb positions 5, 6, 7
    a, b = mha(tt.tensor(x)).array, mha(tt.tensor(later)).array
    np.testing.assert_array_equal(a[0, :5], b[0, :5])
    assert np.abs(a[0, 5:] - b[0, 5:]).min() > 1e-3
    xt = tt.tensor(x, requires_grad=True)
    mha(xt)[0, 3].sum().backward()  # output 3 depends on inputs 0..3 only
    assert not xt.grad.array[0, 4:].any() and xt.grad.array[0, :4].any()


def test_non_causal_sees_everything():
    mha = MultiHeadAttention(16, 4, causal=False)
    x = _x(1, 4, 16)
    later = x.copy()
    later[0, 3] += 1.0
    assert np.abs(mha(tt.tensor(x)).array[0, 0] - mha(tt.tensor(later)).array[0, 0]).max() > 1e-4


def test_user_mask_is_combined_with_the_causal_one(torch):
    mha = MultiHeadAttention(16, 4)
    keep = np.ones((6, 6), bool)
    keep[:, 0] = False
    keep[0, 0] = True  # query 0 keeps its only (causal) key
    _, w = mha(tt.tensor(_x()), attn_mask=tt.tensor(keep), need_weights=True)
    allowed = keep & np.tril(np.ones((6, 6), bool))
    np.testing.assert_array_equal(w.array[0, 0] > 0, allowed)
    out = mha(tt.tensor(_x()), attn_mask=tt.tensor(keep))  # fused path
    np.testing.assert_allclose(out.array, mha(tt.tensor(_x()), attn_mask=tt.tensor(keep),
                                              need_weights=True)[0].array, atol=1e-6)


def test_a_learned_float_mask_keeps_its_gradient():
    mha = MultiHeadAttention(8, 2).double()
    x = tt.tensor(_x(1, 4, 8).astype(np.float64))
    bias = tt.tensor(np.random.default_rng(3).standard_normal((4, 4)), requires_grad=True)
    assert gradcheck(lambda b: mha(x, attn_mask=b), (bias,))
    mha(x, attn_mask=bias).sum().backward()
    assert not np.triu(bias.grad.array, 1).any()  # masked by causality: no gradient
    assert (bias.grad.array[np.tril_indices(4, -1)] != 0).all()


@pytest.mark.parametrize("chunks", [[6], [1] * 6, [3, 1, 2], [4, 2]])
def test_a_cache_gives_the_same_outputs(chunks):
    mha = MultiHeadAttention(16, 4)
    x = tt.tensor(_x())
    full = mha(x).array
    cache = ConcatCache()
    assert isinstance(cache, AttentionCache)
    pieces, start = [], 0
    for n in chunks:
        pieces.append(mha(x[:, start:start + n], cache=cache).array)
        start += n
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), full, atol=1e-5)
    assert cache.k.shape == (2, 4, 6, 4)


def test_dropout_only_in_training():
    mha = MultiHeadAttention(16, 4, dropout=0.5)
    x = tt.tensor(_x())
    tt.manual_seed(0)
    a = mha(x).array
    b = mha(x).array
    assert np.abs(a - b).max() > 1e-3  # two dropout masks
    mha.eval()
    np.testing.assert_array_equal(mha(x).array, mha(x).array)


def test_errors():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        MultiHeadAttention(10, 4)
    mha = MultiHeadAttention(16, 4)
    with pytest.raises(ValueError, match=r"\(B, T, 16\)"):
        mha(tt.tensor(_x(C=8)))
    with pytest.raises(TypeError, match="update"):
        mha(tt.tensor(_x()), cache=[])
    assert [n for n, _ in mha.named_parameters()] == [
        "c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias"]
    assert mha(tt.tensor(_x())).shape == (2, 6, 16)  # and the right input works
