"""Habits a PyTorch user brings, each checked against its closed form (PyTorch not needed):
decorator spellings, ``backward(inputs=)``, ``grad(materialize_grads=)``, retained grads adding
up, hooks that change the dtype, Function's gradient count / ``setup_context`` / ``vjp`` /
``set_materialize_grads``, gradcheck's error type and options, second derivatives of ``prod``
through zeros, and PyTorch's ``grad_fn`` names."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import (
    Function,
    GradcheckError,
    backward,
    enable_grad,
    grad,
    gradcheck,
    gradgradcheck,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)


def _x(*values: float) -> tt.Tensor:
    return tt.tensor(list(values), dtype=tt.float64, requires_grad=True)


# -- 2.1 grad modes -----------------------------------------------------------------------------

@pytest.mark.task("2.1")
def test_decorators_without_parentheses() -> None:
    x = _x(1.0, 2.0)

    @no_grad
    def frozen(t: tt.Tensor) -> tt.Tensor:
        return t * 2

    @inference_mode
    def inferred(t: tt.Tensor) -> tt.Tensor:
        return t * 2

    assert frozen.__name__ == "frozen"
    assert not frozen(x).requires_grad and not inferred(x).requires_grad
    assert is_grad_enabled()
    with no_grad():
        @enable_grad
        def live(t: tt.Tensor) -> tt.Tensor:
            return t * 2

        assert live(x).requires_grad
        assert not is_grad_enabled()


@pytest.mark.task("2.1")
def test_decorated_generator_holds_the_mode_only_while_running() -> None:
    @no_grad()
    def gen():
        yield is_grad_enabled()
        yield is_grad_enabled()
        return "done"

    g = gen()
    assert next(g) is False
    assert is_grad_enabled()  # the caller, between two steps, records again
    assert next(g) is False
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done"


@pytest.mark.task("2.1")
def test_set_grad_enabled_wants_a_bool_and_inference_mode_false_changes_nothing() -> None:
    with pytest.raises(TypeError, match="must be bool"):
        set_grad_enabled("no")  # type: ignore[arg-type]
    assert is_grad_enabled()
    with no_grad():
        with inference_mode(False):
            assert not is_grad_enabled() and not is_inference_mode_enabled()
    with inference_mode():
        assert is_inference_mode_enabled() and not is_grad_enabled()
    assert not is_inference_mode_enabled()
    seen = []
    with no_grad():  # thread-local: another thread starts with recording on
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# -- 2.5 the backward walk ---------------------------------------------------------------------------------

@pytest.mark.task("2.5")
def test_backward_inputs_accumulates_only_into_those() -> None:
    x, w = _x(1.0, 2.0, 3.0), _x(4.0, 5.0, 6.0)
    backward((x * w).sum(), inputs=[w])
    assert x.grad is None
    np.testing.assert_allclose(w.grad.array, [1.0, 2.0, 3.0])
    backward((x * w).sum(), inputs=w)  # a single tensor, and accumulation
    np.testing.assert_allclose(w.grad.array, [2.0, 4.0, 6.0])
    y = x * 3  # a non-leaf input gets its .grad too (as PyTorch's backward(inputs=))
    backward((y * y).sum(), inputs=[x, y])
    np.testing.assert_allclose(y.grad.array, [6.0, 12.0, 18.0])
    np.testing.assert_allclose(x.grad.array, [18.0, 36.0, 54.0])
    with pytest.raises(RuntimeError, match="cannot be empty"):
        backward((x * 2).sum(), inputs=[])


@pytest.mark.task("2.5")
def test_grad_materialize_grads_and_empty_inputs() -> None:
    x, unused = _x(1.0, 2.0), _x(3.0)
    gx, gu = grad((x * x).sum(), [x, unused], materialize_grads=True)
    np.testing.assert_allclose(gx.array, [2.0, 4.0])
    assert gu.shape == (1,) and gu.dtype == tt.float64 and np.all(gu.array == 0)
    with pytest.raises(ValueError, match="allow_unused"):
        grad((x * x).sum(), [x, unused], allow_unused=False, materialize_grads=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        grad((x * x).sum(), [])
    with pytest.raises(RuntimeError, match="2 tensors and 1 gradients"):
        grad([(x * 2).sum(), (x * 3).sum()], x, [None])


@pytest.mark.task("2.5")
def test_retained_grad_adds_up_across_backward_calls() -> None:
    x = _x(1.0, 2.0)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    np.testing.assert_allclose(y.grad.array, [4.0, 8.0])
    z.backward()
    np.testing.assert_allclose(y.grad.array, [8.0, 16.0])  # 2y twice, as a leaf's would


@pytest.mark.task("2.16")
def test_hook_may_not_change_dtype_or_shape() -> None:
    x = _x(1.0, 2.0)
    x.register_hook(lambda g: g.float())
    with pytest.raises(RuntimeError, match="changed the type"):
        (x * x).sum().backward()
    y = _x(1.0, 2.0)
    y.register_hook(lambda g: g[:1])
    with pytest.raises(RuntimeError, match="changed the size"):
        (y * y).sum().backward()


# -- 2.14 Function -------------------------------------------------------------------------------

class _Scale(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2  # one gradient for two inputs


@pytest.mark.task("2.14")
def test_function_must_return_one_gradient_per_input() -> None:
    a, b = _x(1.0), _x(2.0)
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 1\)"):
        _Scale.apply(a, b).sum().backward()

    class ExtraNone(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None  # surplus Nones are fine, as in PyTorch

    a = _x(1.0)
    ExtraNone.apply(a).sum().backward()
    np.testing.assert_allclose(a.grad.array, [2.0])


@pytest.mark.task("2.14")
def test_setup_context_vjp_and_materialize() -> None:
    class Mul(Function):  # PyTorch 2 style: forward without ctx
        @staticmethod
        def forward(a, k):
            return a * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def vjp(ctx, g):  # PyTorch's alias of backward
            return g * ctx.k, None

    a = _x(1.0, 2.0)
    y = Mul.apply(a, k=3.0)  # keyword arguments become positional inputs for setup_context
    np.testing.assert_allclose(y.array, [3.0, 6.0])
    y.sum().backward()
    np.testing.assert_allclose(a.grad.array, [3.0, 3.0])

    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append(g2)
            return g1 * 2

    a = _x(1.0)
    Two.apply(a)[0].sum().backward()
    assert seen == [None]
    np.testing.assert_allclose(a.grad.array, [2.0])


@pytest.mark.task("2.14")
def test_save_for_backward_takes_only_tensors() -> None:
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a, 3)
            return a * 2

    with pytest.raises(TypeError, match="argument 1 is of type int"):
        Bad.apply(_x(1.0))
    with pytest.raises(RuntimeError, match="apply"):
        _Scale()(_x(1.0), _x(2.0))


# -- 2.15 gradcheck ------------------------------------------------------------------------------

@pytest.mark.task("2.15")
def test_gradcheck_errors_and_options_as_pytorch() -> None:
    class Wrong(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = _x(0.5, -1.0)
    with pytest.raises(RuntimeError):  # GradcheckError is a RuntimeError, as PyTorch's
        gradcheck(Wrong.apply, (x,))
    assert issubclass(GradcheckError, RuntimeError)
    assert gradcheck(Wrong.apply, x, raise_exception=False) is False
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda t: t * 2, (x.detach(),))
    assert gradcheck(lambda t: t.sin(), (x,), eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=True,
                     nondet_tol=0.0, check_undefined_grad=True, check_batched_grad=False)
    assert gradgradcheck(lambda t: t.sin(), (x,), check_batched_grad=False)
    with pytest.raises(NotImplementedError, match="check_forward_ad"):  # asked for, not done
        gradcheck(lambda t: t.sin(), (x,), check_forward_ad=True)


# -- 2.12 prod: second derivatives through zeros -------------------------------------------------

@pytest.mark.task("2.12")
@pytest.mark.parametrize("dim", [None, 1])
def test_prod_with_zeros_has_exact_second_derivative(dim: int | None) -> None:
    data = np.array([[0.0, 2.0, 3.0], [4.0, 0.0, 0.5]])
    x = tt.tensor(data, dtype=tt.float64, requires_grad=True)
    y = x.prod() if dim is None else x.prod(dim)
    (g,) = grad(y.sum(), x, create_graph=True)
    (h,) = grad((g * g).sum(), x)
    # closed form: g_i = prod of the others; d(sum g^2)/dx_k = sum_{i != k} 2 g_i prod_{j != i,k}
    flat = data.reshape(1, -1) if dim is None else data
    want = np.zeros_like(flat)
    for r, row in enumerate(flat):
        n = len(row)
        others = [np.prod([row[j] for j in range(n) if j != i]) for i in range(n)]
        for k in range(n):
            want[r, k] = sum(2 * others[i] * np.prod([row[j] for j in range(n) if j not in (i, k)])
                             for i in range(n) if i != k)
    np.testing.assert_allclose(g.array.reshape(flat.shape),
                               [[np.prod(np.delete(row, i)) for i in range(len(row))]
                                for row in flat])
    np.testing.assert_allclose(h.array, want.reshape(data.shape))


# -- names (not a task) ----------------------------------------------------------------------------------

def test_grad_fn_names_are_pytorchs() -> None:
    x = _x(1.0, 2.0)
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert (x + 1).grad_fn.name() == "AddBackward0"
    assert x.exp().grad_fn.name() == "ExpBackward0"
    assert x.reshape(2, 1).grad_fn.name() == "ViewBackward0"
    nf = (x * 2).sum().grad_fn.next_functions
    assert nf[0][0].name() == "MulBackward0"
    assert nf[0][0].next_functions[0][0].name() == "AccumulateGrad"


# -- .data: a detached Tensor sharing memory, as in PyTorch (part 1 code: not a task) -------------------------------------

def test_data_is_a_detached_tensor_sharing_memory() -> None:
    p = tt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    data = p.data
    assert isinstance(data, tt.Tensor) and not data.requires_grad and data.grad_fn is None
    data[0] = 10.0  # writes through to p, unrecorded
    assert p.tolist() == [10.0, 2.0, 3.0]
    assert np.shares_memory(p.data.array, p.array)


def test_micrograd_style_update_through_data() -> None:
    p = tt.tensor([1.0, -2.0], requires_grad=True)
    (p * p).sum().backward()  # grad = 2p
    p.data += -0.1 * p.grad
    np.testing.assert_allclose(p.array, [0.8, -1.6], rtol=1e-6)
    assert p.requires_grad and p.is_leaf  # still a trainable leaf
    p.data.add_(p.grad, alpha=-0.5)
    np.testing.assert_allclose(p.array, [-0.2, 0.4], rtol=1e-6, atol=1e-7)


def test_data_assignment_and_unbiased_std() -> None:
    p = tt.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    assert p.data.std().item() == pytest.approx(1.2909944)  # torch's unbiased std, not NumPy's
    p.data = tt.tensor([5.0, 6.0])
    assert p.shape == (2,) and p.requires_grad
    with pytest.raises(TypeError, match="Tensor"):
        p.data = [1.0, 2.0]
    with pytest.raises(RuntimeError, match="floating point"):
        p.data = tt.tensor([1, 2])


def test_numpy_shares_memory() -> None:
    t = tt.tensor([1.0, 2.0])
    t.numpy()[0] = 7.0
    assert t.tolist() == [7.0, 2.0]
