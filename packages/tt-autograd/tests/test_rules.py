"""Every backward rule, declared once (MyGrad-style) and checked three ways:

* against central finite differences in float64 (the oracle written in conftest.py);
* twice differentiated (create_graph=True) against finite differences of the first derivative;
* forward and backward against PyTorch, when it is installed.

Each op is a function of the array module ``m`` (``tinytorch.tensor`` or ``torch``) and the input
tensors, so the same line runs in both libraries. Shapes include broadcasting. Each task's ops get
three tests (one per check), so a task whose rules are right to first order but not written in
Tensor ops earns part of its points. Library ops (no task) are in test_library_rules.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tinytorch.tensor as tt

try:
    import torch
except ImportError:  # the PyTorch oracle is optional
    torch = None


def _pad(m: Any) -> Any:
    return tt.pad if m is tt else torch.nn.functional.pad


def _index(m: Any, values: list[Any]) -> Any:
    return m.tensor(np.asarray(values))


@dataclass
class Op:
    name: str
    task: str
    fn: Callable[..., Any]
    shapes: list[tuple[int, ...]]
    domain: str = "normal"  # normal | positive | nonzero | distinct | unit | above1 | zeros
    torch: bool = True  # compare with PyTorch
    second: bool = True  # check second derivatives too


OPS = [
    # elementwise (binary ones with broadcast shapes)
    Op("add", "2.5", lambda m, a, b: a + b, [(3, 4), (4,)]),
    Op("add_scalar", "2.5", lambda m, a: 2.5 + a, [(2, 3)]),
    Op("add_alpha", "2.5", lambda m, a, b: a.add(b, alpha=3), [(2, 3), (2, 1)]),
    Op("sub", "2.7", lambda m, a, b: a - b, [(2, 1, 3), (4, 1)]),
    Op("rsub", "2.7", lambda m, a: 1.0 - a, [(3,)]),
    Op("mul", "2.5", lambda m, a, b: a * b, [(2, 1, 3), (4, 1)]),
    Op("mul_self", "2.5", lambda m, a: a * a, [(5,)]),
    Op("div", "2.7", lambda m, a, b: a / b, [(3, 4), (4,)], domain="nonzero"),
    Op("rdiv", "2.7", lambda m, a: 2.0 / a, [(3,)], domain="nonzero"),
    Op("pow", "2.7", lambda m, a, b: a ** b, [(3, 2), (2,)], domain="positive"),
    Op("pow_int", "2.7", lambda m, a: a ** 3, [(4,)]),
    Op("rpow", "2.7", lambda m, a: 2.0 ** a, [(4,)]),
    Op("floor_divide", "2.7", lambda m, a, b: a // b, [(3,), (3,)], domain="nonzero",
       torch=False),
    Op("remainder", "2.7", lambda m, a, b: a % b, [(4,), (4,)], domain="positive"),
    Op("maximum", "2.6", lambda m, a, b: m.maximum(a, b), [(3, 4), (4,)]),
    Op("minimum", "2.6", lambda m, a, b: m.minimum(a, b), [(3, 1), (4,)]),
    Op("neg", "2.7", lambda m, a: -a, [(2, 3)]),
    Op("abs", "2.8", lambda m, a: a.abs(), [(2, 3)], domain="nonzero"),
    Op("exp", "2.5", lambda m, a: a.exp(), [(2, 3)]),
    Op("log", "2.7", lambda m, a: a.log(), [(2, 3)], domain="positive"),
    Op("sqrt", "2.8", lambda m, a: a.sqrt(), [(2, 3)], domain="positive"),
    Op("sin", "2.8", lambda m, a: a.sin(), [(2, 3)]),
    Op("cos", "2.8", lambda m, a: a.cos(), [(2, 3)]),
    Op("tanh", "2.8", lambda m, a: a.tanh(), [(2, 3)]),
    Op("sigmoid", "2.8", lambda m, a: a.sigmoid(), [(2, 3)]),
    Op("relu", "2.6", lambda m, a: a.relu(), [(2, 3)], domain="nonzero"),
    Op("erf", "2.8", lambda m, a: a.erf(), [(2, 3)]),
    Op("log1p", "2.8", lambda m, a: a.log1p(), [(2, 3)], domain="positive"),
    Op("clamp", "2.6", lambda m, a: a.clamp(-0.3, 0.4), [(3, 4)], domain="distinct"),
    Op("clamp_min", "2.6", lambda m, a: a.clamp(min=0.1), [(3, 4)], domain="distinct"),
    Op("sign", "2.6", lambda m, a: a.sign() * a, [(5,)], domain="nonzero"),
    Op("floor", "2.6", lambda m, a: a.floor() + a.ceil() + a.round() + a.trunc(), [(5,)],
       domain="distinct"),
    Op("where", "2.6", lambda m, a, b: m.where(a > 0, a, b), [(3, 4), (4,)], domain="nonzero"),
    Op("masked_fill", "2.6", lambda m, a: a.masked_fill(a > 0, 2.0), [(3, 4)], domain="nonzero"),
    Op("square_reciprocal", "2.8", lambda m, a: a.square() + a.reciprocal() + a.rsqrt(),
       [(4,)], domain="positive"),
    # reductions
    Op("sum", "2.5", lambda m, a: a.sum(), [(3, 4)]),
    Op("sum_dim", "2.5", lambda m, a: a.sum(1), [(2, 3, 4)]),
    Op("sum_dims_keepdim", "2.5", lambda m, a: a.sum((0, 2), keepdim=True), [(2, 3, 4)]),
    Op("mean", "2.7", lambda m, a: a.mean(-1), [(3, 4)]),
    Op("amax", "2.12", lambda m, a: a.amax(), [(3, 4)]),
    Op("amax_dim", "2.12", lambda m, a: a.amax(1, keepdim=True), [(3, 4)]),
    Op("amin_dims", "2.12", lambda m, a: a.amin((0, 1)), [(3, 4, 2)]),
    Op("max_all", "2.12", lambda m, a: a.max() + a.min(), [(3, 4)]),
    Op("max_dim", "2.12", lambda m, a: a.max(1).values, [(3, 4)]),
    Op("max_dim_keepdim", "2.12", lambda m, a: a.max(0, keepdim=True).values, [(3, 4)]),
    Op("min_dim", "2.12", lambda m, a: a.min(-1).values, [(2, 3, 4)]),
    Op("prod", "2.12", lambda m, a: a.prod(), [(2, 3)], domain="nonzero"),
    Op("prod_dim", "2.12", lambda m, a: a.prod(1), [(2, 3)], domain="nonzero"),
    Op("cumsum", "2.12", lambda m, a: a.cumsum(1), [(2, 4)]),
    Op("var", "2.7", lambda m, a: a.var(1), [(3, 4)]),
    Op("std", "2.8", lambda m, a: a.std(), [(3, 4)]),
    Op("logsumexp", "2.7", lambda m, a: a.logsumexp(1), [(3, 4)]),
    Op("softmax", "2.12", lambda m, a: a.softmax(-1), [(3, 4)]),
    Op("log_softmax", "2.12", lambda m, a: a.log_softmax(0), [(3, 4)]),
    # matmul, every shape case
    Op("matmul_2d", "2.11", lambda m, a, b: a @ b, [(3, 4), (4, 2)]),
    Op("matmul_dot", "2.11", lambda m, a, b: a @ b, [(4,), (4,)]),
    Op("matmul_mv", "2.11", lambda m, a, b: a @ b, [(3, 4), (4,)]),
    Op("matmul_vm", "2.11", lambda m, a, b: a @ b, [(4,), (4, 2)]),
    Op("matmul_v_batch", "2.11", lambda m, a, b: a @ b, [(4,), (2, 4, 3)]),
    Op("matmul_batch_v", "2.11", lambda m, a, b: a @ b, [(2, 3, 4), (4,)]),
    Op("matmul_broadcast", "2.11", lambda m, a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)]),
    Op("matmul_batch_2d", "2.11", lambda m, a, b: a @ b, [(2, 3, 4), (4, 2)]),
    Op("bmm", "2.11", lambda m, a, b: a.bmm(b), [(2, 3, 4), (2, 4, 2)]),
    # shape and indexing ops
    Op("reshape", "2.5", lambda m, a: a.reshape(4, -1) * a.reshape(4, 3), [(2, 6)]),
    Op("view_flatten", "2.5", lambda m, a: a.view(6, 2).flatten(), [(3, 4)]),
    Op("squeeze_unsqueeze", "2.5", lambda m, a: a.unsqueeze(1).squeeze(2), [(3, 1)]),
    Op("permute", "2.10", lambda m, a: a.permute(2, 0, 1), [(2, 3, 4)]),
    Op("transpose", "2.10", lambda m, a: a.transpose(0, 1) * a.T, [(3, 2)]),
    Op("T", "2.10", lambda m, a: a.T * 2, [(3, 2)]),
    Op("expand", "2.5", lambda m, a: a.expand(2, 3, 4) * a, [(3, 1)]),
    Op("clone", "2.10", lambda m, a: a.clone(), [(3, 2)]),
    Op("contiguous", "2.10", lambda m, a: a.T.contiguous(), [(3, 2)]),
    Op("flip", "2.10", lambda m, a: a.flip(0, 1) * a, [(3, 2)]),
    Op("repeat", "2.10", lambda m, a: a.repeat(2, 1, 3), [(2, 3)]),
    Op("cat", "2.10", lambda m, a, b: m.cat([a, b, a], 1), [(2, 3), (2, 1)]),
    Op("stack", "2.10", lambda m, a, b: m.stack([a, b], 1), [(2, 3), (2, 3)]),
    Op("split", "2.9", lambda m, a: a.split([1, 3], 1), [(2, 4)]),
    Op("chunk_unbind", "2.9", lambda m, a: a.chunk(2, 0) + a.unbind(1), [(4, 2)]),
    Op("narrow", "2.9", lambda m, a: a.narrow(1, 1, 2), [(2, 4)]),
    Op("pad", "2.10", lambda m, a: _pad(m)(a, (1, 2, 0, 1)), [(2, 3)]),
    Op("unfold", "2.13", lambda m, a: a.unfold(1, 3, 1), [(2, 6)]),
    Op("unfold_step", "2.13", lambda m, a: a.unfold(0, 2, 3), [(8, 2)]),
    Op("unfold_2d", "2.13", lambda m, a: a.unfold(1, 2, 1).unfold(2, 2, 2), [(2, 4, 5)]),
    Op("getitem_basic", "2.9", lambda m, a: a[1:, ::2, None, 1], [(3, 4, 2)]),
    Op("getitem_int", "2.9", lambda m, a: a[1, -1] * a[..., 0].sum(), [(3, 4)]),
    Op("getitem_repeats", "2.9", lambda m, a: a[_index(m, [0, 2, 0, 0])], [(3, 2)]),
    Op("getitem_mixed", "2.9", lambda m, a: a[:, _index(m, [[1, 1], [0, 2]])], [(2, 3)]),
    Op("getitem_two_arrays", "2.9",
       lambda m, a: a[_index(m, [0, 1, 0]), _index(m, [2, 2, 2])], [(2, 3)]),
    Op("getitem_mask", "2.9", lambda m, a: a[a > 0], [(3, 4)], domain="nonzero"),
    Op("index_select", "2.9", lambda m, a: a.index_select(1, _index(m, [2, 0, 2])), [(2, 3)]),
    Op("setitem", "2.9", lambda m, a, b: _setitem(a, (slice(1, 3),), b), [(4, 3), (3,)]),
    Op("setitem_adv", "2.9", lambda m, a, b: _setitem(a, (_index(m, [0, 2]), 1), b),
       [(3, 3), (1,)]),
    Op("gather", "2.9", lambda m, a: a.gather(1, _index(m, [[0, 0, 2], [1, 0, 1]])), [(2, 3)]),
    Op("gather_dim0", "2.9", lambda m, a: a.gather(0, _index(m, [[1, 1], [0, 1], [1, 1]])),
       [(2, 3)]),
    Op("tril_triu", "2.6", lambda m, a: a.tril() + a.triu(1) * 2, [(3, 3)]),
]


def _setitem(a: Any, index: tuple[Any, ...], value: Any) -> Any:
    out = a * 1.0
    out[index] = value * 2
    return out


def _ops(task: str, second: bool = False, torch_too: bool = False) -> list[Any]:
    return [pytest.param(op, id=op.name) for op in OPS if op.task == task
            and (op.second or not second) and (op.torch or not torch_too)]


# -- one test per check and task: a task's rules pass when all their ops do ----------------------


@pytest.mark.task("2.5")
@pytest.mark.parametrize("op", _ops("2.5"))
def test_worked_examples_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.5")
@pytest.mark.parametrize("op", _ops("2.5", second=True))
def test_worked_examples_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.5")
@pytest.mark.parametrize("op", _ops("2.5", torch_too=True))
def test_worked_examples_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.6")
@pytest.mark.parametrize("op", _ops("2.6"))
def test_masks_and_selections_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.6")
@pytest.mark.parametrize("op", _ops("2.6", second=True))
def test_masks_and_selections_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.6")
@pytest.mark.parametrize("op", _ops("2.6", torch_too=True))
def test_masks_and_selections_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.7")
@pytest.mark.parametrize("op", _ops("2.7"))
def test_arithmetic_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.7")
@pytest.mark.parametrize("op", _ops("2.7", second=True))
def test_arithmetic_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.7")
@pytest.mark.parametrize("op", _ops("2.7", torch_too=True))
def test_arithmetic_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.8")
@pytest.mark.parametrize("op", _ops("2.8"))
def test_unary_math_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.8")
@pytest.mark.parametrize("op", _ops("2.8", second=True))
def test_unary_math_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.8")
@pytest.mark.parametrize("op", _ops("2.8", torch_too=True))
def test_unary_math_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.9")
@pytest.mark.parametrize("op", _ops("2.9"))
def test_indexing_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.9")
@pytest.mark.parametrize("op", _ops("2.9", second=True))
def test_indexing_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.9")
@pytest.mark.parametrize("op", _ops("2.9", torch_too=True))
def test_indexing_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.10")
@pytest.mark.parametrize("op", _ops("2.10"))
def test_shape_ops_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.10")
@pytest.mark.parametrize("op", _ops("2.10", second=True))
def test_shape_ops_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.10")
@pytest.mark.parametrize("op", _ops("2.10", torch_too=True))
def test_shape_ops_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.11")
@pytest.mark.parametrize("op", _ops("2.11"))
def test_matmul_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.11")
@pytest.mark.parametrize("op", _ops("2.11", second=True))
def test_matmul_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.11")
@pytest.mark.parametrize("op", _ops("2.11", torch_too=True))
def test_matmul_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.12")
@pytest.mark.parametrize("op", _ops("2.12"))
def test_reductions_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.12")
@pytest.mark.parametrize("op", _ops("2.12", second=True))
def test_reductions_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.12")
@pytest.mark.parametrize("op", _ops("2.12", torch_too=True))
def test_reductions_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)


@pytest.mark.task("2.13")
@pytest.mark.parametrize("op", _ops("2.13"))
def test_unfold_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.task("2.13")
@pytest.mark.parametrize("op", _ops("2.13", second=True))
def test_unfold_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.task("2.13")
@pytest.mark.parametrize("op", _ops("2.13", torch_too=True))
def test_unfold_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)
