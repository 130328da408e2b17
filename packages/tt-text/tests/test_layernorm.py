"""LayerNorm: PyTorch with the same parameters (forward and backward), closed forms, options,
finite differences and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import grad, gradcheck
from tinytorch.text import LayerNorm, layer_norm

pytestmark = pytest.mark.task("5.11")


def _x(shape=(3, 5, 8), seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 3 + 1).astype(np.float32)


def test_closed_form():
    x = _x()
    out = LayerNorm(8)(tt.tensor(x)).array
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), atol=1e-5)
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-6)
    np.testing.assert_allclose(out.std(-1), 1, atol=1e-3)


@pytest.mark.parametrize("kwargs", [{}, {"bias": False}, {"elementwise_affine": False},
                                    {"eps": 1e-2}])
@pytest.mark.parametrize("shape", [8, (5, 8)])
def test_against_torch(torch, kwargs, shape):
    ours = LayerNorm(shape, **kwargs)
    theirs = torch.nn.LayerNorm(shape, **kwargs)
    rng = np.random.default_rng(1)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p.array[...] = rng.standard_normal(p.shape)
        with torch.no_grad():
            q.copy_(torch.from_numpy(p.array.copy()))
    x = _x()
    xt, tx = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xt), theirs(tx)
    np.testing.assert_allclose(out.array, ref.detach().numpy(), atol=2e-5)
    g = rng.standard_normal(x.shape).astype(np.float32)
    out.backward(tt.tensor(g))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xt.grad.array, tx.grad.numpy(), atol=5e-5)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, q.grad.numpy(), atol=1e-4, err_msg=name)


def test_gradients_by_finite_differences():
    x = tt.tensor(_x((2, 3, 4)).astype(np.float64), requires_grad=True)
    w = tt.tensor(np.linspace(0.5, 2, 4), requires_grad=True)
    b = tt.tensor(np.linspace(-1, 1, 4), requires_grad=True)
    assert gradcheck(lambda x, w, b: layer_norm(x, 4, w, b) ** 2, (x, w, b))
    assert gradcheck(lambda x: layer_norm(x, (3, 4)).sin(), (x,))


def test_one_graph_node_and_no_silent_double_backward():
    x = tt.tensor(_x(), requires_grad=True)
    out = LayerNorm(8)(x)
    assert "LayerNorm" in out.grad_fn.name()
    with pytest.raises(RuntimeError, match="cannot be differentiated again"):
        grad((out * out).sum(), [x], create_graph=True)


def test_parameters_and_errors():
    ln = LayerNorm((2, 3))
    assert [(n, p.shape) for n, p in ln.named_parameters()] == [("weight", (2, 3)),
                                                                ("bias", (2, 3))]
    np.testing.assert_array_equal(ln.weight.array, 1)
    np.testing.assert_array_equal(ln.bias.array, 0)
    assert list(LayerNorm(4, elementwise_affine=False).parameters()) == []
    assert LayerNorm(4, bias=False).bias is None
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 2, 3\]"):
        ln(tt.ones(4, 3))
    with pytest.raises(RuntimeError, match="weight must have shape"):
        layer_norm(tt.ones(2, 4), 4, weight=tt.ones(3))
    assert repr(LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    np.testing.assert_allclose(ln(tt.ones(4, 2, 3)).array, 0.0)  # and the right input works
