"""The backward walk, on graphs of the worked-example ops (add, mul, exp, sum): the topological
order (task 2.4, tested directly), then the walk (task 2.5): shared subgraphs, deep graphs,
accumulation, freeing, grad(), higher order, in-place safety."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import Node, grad, no_grad
from tinytorch.autograd.walk import topological_order

try:
    import torch
except ImportError:
    torch = None


# -- task 2.4: the topological order --------------------------------------------------------------

def _reachable(roots: list[Node]) -> set[Node]:
    """Every node reachable from roots (a plain search, for comparison)."""
    found, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo += [e[0] for e in node.edges if e is not None and isinstance(e[0], Node)]
    return found


def _check_order(order: list[Node], roots: list[Node]) -> None:
    assert len(order) == len(set(order)), "a node is listed twice"
    assert set(order) == _reachable(roots)
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for edge in node.edges:
            if edge is not None and isinstance(edge[0], Node):
                assert position[node] < position[edge[0]], (
                    f"{node.name()} must come before its input's node {edge[0].name()}")


@pytest.mark.task("2.4")
def test_topological_order_of_a_diamond() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    h = x * 3
    y = h.exp() + h * h
    order = topological_order([y.grad_fn])
    assert order[0] is y.grad_fn and order[-1] is h.grad_fn
    assert len(order) == 4  # add, exp, mul (h * h), mul (x * 3)
    _check_order(order, [y.grad_fn])


@pytest.mark.task("2.4")
def test_topological_order_of_random_graphs() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        pool = [tt.tensor([1.0], requires_grad=True), tt.tensor([2.0])]
        for _ in range(30):
            a, b = (pool[i] for i in rng.integers(0, len(pool), 2))
            pool.append(a * b if rng.random() < 0.5 else a + b)
        roots = [t.grad_fn for t in pool[-3:] if t.grad_fn is not None]
        _check_order(topological_order(roots), roots)


@pytest.mark.task("2.4")
def test_topological_order_skips_leaves_and_runs_without_recursion() -> None:
    x = tt.tensor(1.0, requires_grad=True)
    assert topological_order([x]) == []  # backward() on a leaf: no node to run
    y = x
    for _ in range(100_000):
        y = y + 1.0
    order = topological_order([y.grad_fn, y.grad_fn])
    assert len(order) == 100_000 and order[0] is y.grad_fn
    assert all(order[i].edges[0][0] is order[i + 1] for i in range(99_999))


# -- task 2.5: the backward walk ------------------------------------------------------------------


@pytest.mark.task("2.5")
def test_reused_tensor_sums_its_gradients() -> None:
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    (a + a).sum().backward()
    np.testing.assert_allclose(a.grad.array, [2.0, 2.0])
    b = tt.tensor(3.0, requires_grad=True)
    (b * b * b).backward()
    np.testing.assert_allclose(b.grad.array, 27.0)


@pytest.mark.task("2.5")
def test_diamond_runs_each_node_once() -> None:
    x = tt.tensor(2.0, requires_grad=True)
    h = x * 3  # shared
    y = h.exp() + h * h  # d/dx = 3 e^(3x) + 18x
    y.backward()
    np.testing.assert_allclose(x.grad.array, 3 * np.exp(6.0) + 36.0)


@pytest.mark.task("2.5")
def test_residual_stream_is_walked_once_per_node() -> None:
    """20 residual blocks: a per-path walk would take 2^20 steps."""
    x = tt.tensor([0.5], requires_grad=True)
    h = x
    for _ in range(20):
        h = h + h * 0.1
    h.sum().backward()
    np.testing.assert_allclose(x.grad.array, [1.1 ** 20])


@pytest.mark.task("2.5")
def test_deep_chain_of_100k_ops() -> None:
    x = tt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-5
    y = y * 2
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2.0)
    np.testing.assert_allclose(y.array, 2 * (1 + 1.0), rtol=1e-3)


@pytest.mark.task("2.5")
def test_leaf_grads_accumulate_across_backward_calls() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, [5.0, 7.0])
    np.testing.assert_allclose(first.array, [5.0, 7.0])  # in place, as PyTorch


@pytest.mark.task("2.5")
def test_nonleaf_grad_is_none_unless_retained() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = h * 3
    k.retain_grad()
    (k * k).sum().backward()
    assert h.grad is None
    np.testing.assert_allclose(k.grad.array, 2 * k.array)
    np.testing.assert_allclose(x.grad.array, 2 * k.array * 6)


@pytest.mark.task("2.5")
def test_leaf_grads_do_not_alias_each_other_or_the_given_gradient() -> None:
    x = tt.zeros(3, requires_grad=True)
    y = tt.zeros(3, requires_grad=True)
    v = tt.tensor([1.0, 2.0, 3.0])
    (x + y).backward(v)
    assert x.grad is not y.grad and x.grad is not v
    x.grad.zero_()
    np.testing.assert_allclose(y.grad.array, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(v.array, [1.0, 2.0, 3.0])
    z = tt.ones(2, 2, requires_grad=True)
    z.sum().backward()
    z.grad.zero_()  # a real, writable array (not a broadcast view)
    np.testing.assert_allclose(z.grad.array, 0.0)


@pytest.mark.task("2.5")
def test_nonscalar_backward_needs_a_gradient() -> None:
    x = tt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()
    (x * 2).backward(tt.tensor([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(x.grad.array, [2.0, 0.0, -2.0])
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(tt.ones(2))


@pytest.mark.task("2.5")
def test_second_backward_through_freed_graph_raises() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


@pytest.mark.task("2.5")
def test_second_backward_through_nodes_that_saved_nothing_accumulates() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1.0).sum()  # add and sum keep no tensors: PyTorch allows a second pass
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 2.0])


@pytest.mark.task("2.5")
def test_retain_graph_allows_a_second_backward() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.array, [4.0, 8.0])


@pytest.mark.task("2.5")
def test_intermediates_are_freed_after_backward() -> None:
    x = tt.randn(100, requires_grad=True)
    h = x.exp()
    k = h * x
    refs = [weakref.ref(h), weakref.ref(k)]
    loss = k.sum()
    del h, k
    gc.collect()
    assert refs[0]() is not None  # the graph keeps what backward needs (mul saved h)
    loss.backward()
    del loss
    assert all(r() is None for r in refs)  # freed without waiting for the cycle collector


@pytest.mark.task("2.5")
def test_inplace_modification_of_saved_tensor_raises() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h * h  # saves h
    with no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; "
                                           "expected version 0"):
        y.sum().backward()


@pytest.mark.task("2.5")
def test_inplace_on_saved_output_and_views_raises() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()  # saves its output
    y = e.sum()
    with no_grad():
        e.view(2)[0] = 5.0  # through a view: shared version counter
    with pytest.raises(RuntimeError, match="inplace"):
        y.backward()


@pytest.mark.task("2.9")  # setitem and getitem rules
def test_inplace_on_a_view_while_recording_raises_instead_of_a_wrong_gradient() -> None:
    x = tt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="view"):
        y[1:].mul_(3)  # y's own graph would not see it: PyTorch rebases, we refuse
    y[1:] = y[1:].detach() * 0 + x[1:] * 3  # writing into the base is recorded
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 36.0, 54.0])


@pytest.mark.task("2.5")
def test_inplace_on_unsaved_input_is_fine() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h + 1  # add does not need h's values
    h.mul_(10)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 2.0])


@pytest.mark.task("2.9")  # setitem and getitem rules
def test_inplace_ops_are_differentiated() -> None:
    x = tt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 1
    h.mul_(x)  # h = x^2
    h[1] = 0.0
    h.sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 0.0, 6.0])


@pytest.mark.task("2.5")
def test_grad_function() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    w = tt.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = grad(y, [x, w])
    np.testing.assert_allclose(gx.array, [3.0, 4.0])
    np.testing.assert_allclose(gw.array, [1.0, 2.0])
    assert x.grad is None and w.grad is None  # grad() touches no .grad


@pytest.mark.task("2.5")
def test_grad_of_a_non_leaf_input() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    (gh,) = grad(y, h)
    np.testing.assert_allclose(gh.array, [3.0, 3.0])


@pytest.mark.task("2.5")
def test_grad_of_an_unused_input() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    u = tt.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        grad(y, [x, u], retain_graph=True)
    gx, gu = grad(y, [x, u], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.array, [2.0])


@pytest.mark.task("2.5")
def test_third_derivative_of_a_polynomial() -> None:
    x = tt.tensor(1.5, dtype=tt.float64, requires_grad=True)
    x3 = x * x * x
    y = x3 * x + x3 * -2 + x * 5  # x^4 - 2x^3 + 5x, with the worked-example ops only
    (d1,) = grad(y, x, create_graph=True)
    (d2,) = grad(d1, x, create_graph=True)
    (d3,) = grad(d2, x)
    v = 1.5
    np.testing.assert_allclose(d1.array, 4 * v ** 3 - 6 * v ** 2 + 5)
    np.testing.assert_allclose(d2.array, 12 * v ** 2 - 12 * v)
    np.testing.assert_allclose(d3.array, 24 * v - 12)


@pytest.mark.task("2.5")
def test_backward_with_create_graph_then_second_order() -> None:
    x = tt.tensor([1.0, 2.0], dtype=tt.float64, requires_grad=True)
    (x * x * x).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.array, [6.0, 12.0])


@pytest.mark.task("2.12")  # tanh, matmul and softmax rules
def test_hessian_vector_product_matches_pytorch() -> None:
    if torch is None:
        pytest.skip("PyTorch is not installed (optional oracle)")
    rng = np.random.default_rng(0)
    xs, ws, vs = rng.standard_normal(4), rng.standard_normal((3, 4)), rng.standard_normal(4)

    def f(m, x, w):
        h = (w @ x).tanh()
        return (h * h).sum() + (x.exp() * x).sum() + m.softmax(w @ x, 0)[0]

    x, w = tt.tensor(xs, requires_grad=True), tt.tensor(ws)
    (g,) = grad(f(tt, x, w), x, create_graph=True)
    (hv,) = grad((g * tt.tensor(vs)).sum(), x)
    tx = torch.tensor(xs, requires_grad=True)
    (tg,) = torch.autograd.grad(f(torch, tx, torch.tensor(ws)), tx, create_graph=True)
    (thv,) = torch.autograd.grad((tg * torch.tensor(vs)).sum(), tx)
    np.testing.assert_allclose(g.array, tg.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(hv.array, thv.numpy(), rtol=1e-10)


@pytest.mark.task("2.5")
def test_detach_and_requires_grad_() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert d.grad_fn is None and not d.requires_grad
    y = tt.tensor([3.0]).requires_grad_()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.array, [6.0])
