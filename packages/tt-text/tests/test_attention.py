"""Scaled dot-product attention, composed (5.8) and fused (5.9): PyTorch's semantics for every
mask kind, gradients, dropout, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import grad, gradcheck, gradgradcheck
from tinytorch.text import ScaledDotProductAttention, attention_math, scaled_dot_product_attention

RNG = np.random.default_rng(0)


def _qkv(shape_q=(2, 3, 5, 4), shape_k=(2, 3, 7, 4), ev=6, dtype=np.float32):
    q = RNG.standard_normal(shape_q).astype(dtype)
    k = RNG.standard_normal(shape_k).astype(dtype)
    v = RNG.standard_normal(shape_k[:-1] + (ev,)).astype(dtype)
    return q, k, v


def _masks(L, S):
    rng = np.random.default_rng(3)
    bool_mask = rng.random((L, S)) > 0.4
    bool_mask[:, 0] = True  # every query sees some key
    dead = bool_mask.copy()
    dead[1] = False  # query 1 sees nothing: output 0, as PyTorch
    return {
        "none": (None, False),
        "causal": (None, True),
        "bool": (bool_mask, False),
        "float": (rng.standard_normal((L, S)).astype(np.float32), False),
        "batched bool": (rng.random((2, 1, L, S)) > 0.3, False),
        "dead row": (dead, False),
    }


def _assert_matches_torch(torch, fn, kind, scale=None):
    q, k, v = _qkv()
    mask, causal = _masks(5, 7)[kind]
    ours = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = fn(*ours, None if mask is None else tt.tensor(mask), is_causal=causal, scale=scale)
    ref = torch.nn.functional.scaled_dot_product_attention(
        *theirs, attn_mask=None if mask is None else torch.from_numpy(mask), is_causal=causal,
        scale=scale)
    np.testing.assert_allclose(out.array, ref.detach().numpy(), atol=2e-6, rtol=1e-5)
    g = RNG.standard_normal(out.shape).astype(np.float32)
    out.backward(tt.tensor(g))
    ref.backward(torch.from_numpy(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), atol=1e-5, rtol=1e-4)


def _math(q, k, v, mask=None, is_causal=False, scale=None):
    return attention_math(q, k, v, mask, is_causal=is_causal, scale=scale)[0]


# -- 5.8 composed -----------------------------------------------------------------------------


@pytest.mark.task("5.8")
@pytest.mark.parametrize("kind", list(_masks(5, 7)))
def test_math_against_torch(torch, kind):
    _assert_matches_torch(torch, _math, kind)


@pytest.mark.task("5.8")
def test_math_closed_form_and_weights():
    q, k, v = _qkv((4, 3), (6, 3), 2, np.float64)
    out, weights = attention_math(tt.tensor(q), tt.tensor(k), tt.tensor(v), scale=0.5)
    s = q @ k.T * 0.5
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(weights.array, p, rtol=1e-12)
    np.testing.assert_allclose(out.array, p @ v, rtol=1e-12)
    # causal with L < S is aligned top-left, as PyTorch (tril of the (L, S) ones)
    _, w = attention_math(tt.tensor(q), tt.tensor(k), tt.tensor(v), is_causal=True)
    np.testing.assert_array_equal(w.array > 0, np.tril(np.ones((4, 6), bool)))


@pytest.mark.task("5.8")
def test_math_gradients_of_first_and_second_order():
    q, k, v = (tt.tensor(a, requires_grad=True) for a in _qkv((2, 3, 2), (2, 4, 2), 3, np.float64))
    mask = tt.tensor(np.tril(np.ones((3, 4), bool), k=1))
    assert gradcheck(lambda *t: attention_math(*t, mask)[0], (q, k, v))
    assert gradgradcheck(lambda *t: attention_math(*t, is_causal=True)[0], (q, k, v))


@pytest.mark.task("5.8")
def test_math_learned_float_mask_gets_a_gradient(torch):
    q, k, v = _qkv()
    bias = RNG.standard_normal((5, 7)).astype(np.float32)
    b = tt.tensor(bias, requires_grad=True)
    tb = torch.tensor(bias, requires_grad=True)
    out = attention_math(tt.tensor(q), tt.tensor(k), tt.tensor(v), b)[0]
    ref = torch.nn.functional.scaled_dot_product_attention(
        torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), attn_mask=tb)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(b.grad.array, tb.grad.numpy(), atol=1e-5)


# -- 5.9 fused --------------------------------------------------------------------------------


@pytest.mark.task("5.9")
@pytest.mark.parametrize("kind", list(_masks(5, 7)))
def test_fused_against_torch(torch, kind):
    _assert_matches_torch(torch, scaled_dot_product_attention, kind)


@pytest.mark.task("5.9")
def test_fused_custom_scale_and_broadcast_batch(torch):
    _assert_matches_torch(torch, scaled_dot_product_attention, "causal", scale=0.3)
    q, k, v = _qkv((2, 3, 5, 4), (1, 3, 7, 4))  # keys and values shared by the batch
    qt, kt, vt = (tt.tensor(a, requires_grad=True) for a in (q, k, v))
    out = scaled_dot_product_attention(qt, kt, vt)
    out.sum().backward()
    assert kt.grad.shape == (1, 3, 7, 4)
    ref_k = tt.tensor(k, requires_grad=True)
    _math(tt.tensor(q), ref_k, tt.tensor(v)).sum().backward()
    np.testing.assert_allclose(kt.grad.array, ref_k.grad.array, atol=1e-5)


@pytest.mark.task("5.9")
def test_fused_matches_math_in_float64():
    q, k, v = _qkv((3, 6, 4), (3, 6, 4), 5, np.float64)
    args = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    ref = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = scaled_dot_product_attention(*args, is_causal=True)
    expected = _math(*ref, is_causal=True)
    np.testing.assert_allclose(out.array, expected.array, rtol=1e-12, atol=1e-14)
    g = tt.tensor(RNG.standard_normal(out.shape))
    out.backward(g)
    expected.backward(g)
    for a, b in zip(args, ref):
        np.testing.assert_allclose(a.grad.array, b.grad.array, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda *t: scaled_dot_product_attention(*t, is_causal=True), tuple(args))


@pytest.mark.task("5.9")
def test_fused_dropout_is_the_math_dropout():
    q, k, v = _qkv((2, 5, 4), (2, 5, 4), 3)
    fused = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    ref = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    tt.manual_seed(11)
    out = scaled_dot_product_attention(*fused, dropout_p=0.4)
    tt.manual_seed(11)
    expected = attention_math(*ref, dropout_p=0.4)[0]
    np.testing.assert_allclose(out.array, expected.array, atol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    for a, b in zip(fused, ref):
        np.testing.assert_allclose(a.grad.array, b.grad.array, atol=1e-5)
    # and it does drop: about 40% of the weights are zeroed, the rest scaled by 1/0.6
    tt.manual_seed(0)
    ones = tt.ones(1, 200, 1)
    values = tt.tensor(np.eye(200, dtype=np.float32)[None])
    dropped = scaled_dot_product_attention(ones, tt.ones(1, 200, 1), values, dropout_p=0.4)
    kept = dropped.array != 0
    assert 0.35 < 1 - kept.mean() < 0.45
    np.testing.assert_allclose(dropped.array[kept], 1 / 200 / 0.6, rtol=1e-5)


@pytest.mark.task("5.9")
def test_fused_is_one_graph_node_and_refuses_double_backward():
    q, k, v = (tt.tensor(a, requires_grad=True) for a in _qkv())
    out = scaled_dot_product_attention(q, k, v)
    assert out.grad_fn.name() == f"{ScaledDotProductAttention.__name__}Backward"
    with pytest.raises(RuntimeError, match="use attention_math"):
        grad(out.sum(), [q], create_graph=True)


def test_errors():
    q, k, v = (tt.tensor(a) for a in _qkv())
    with pytest.raises(ValueError, match="same feature size"):
        scaled_dot_product_attention(q, k[..., :3], v)
    with pytest.raises(ValueError, match="same length S"):
        scaled_dot_product_attention(q, k, v[..., :4, :])
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(q, k, v, attn_mask=tt.ones(5, 6, dtype=tt.bool))
    with pytest.raises(RuntimeError, match="attn_mask should not be set when is_causal"):
        scaled_dot_product_attention(q, k, v, attn_mask=tt.ones(5, 7, dtype=tt.bool),
                                     is_causal=True)
    with pytest.raises(ValueError, match="dropout_p"):
        scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    with pytest.raises(ValueError, match="float Tensor"):
        scaled_dot_product_attention(tt.tensor([[1, 2]]), k, v)
    with pytest.raises(TypeError):
        scaled_dot_product_attention(q, k, v, enable_gqa=True)  # not supported: not ignored
