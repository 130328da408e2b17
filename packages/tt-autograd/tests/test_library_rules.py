"""Backward rules that are library code (no task): the rest of part 1's ops, checked like the
task ops of test_rules.py: finite differences, second derivatives and PyTorch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest


def _index(m: Any, values: list[Any]) -> Any:
    return m.tensor(np.asarray(values))


@dataclass
class Op:
    name: str
    fn: Callable[..., Any]
    shapes: list[tuple[int, ...]]
    domain: str = "normal"  # see conftest.random_inputs
    torch: bool = True  # compare with PyTorch
    second: bool = True  # check second derivatives too


OPS = [
    # library ops (no task): the rest of unary and arithmetic
    Op("exp2", lambda m, a: a.exp2(), [(2, 3)]),
    Op("log2_log10", lambda m, a: a.log2() + a.log10() * 3, [(2, 3)], domain="positive"),
    Op("tan", lambda m, a: a.tan(), [(2, 3)], domain="unit"),
    Op("asin_acos", lambda m, a: a.asin() + a.acos() * 3, [(2, 3)], domain="unit"),
    Op("atan", lambda m, a: a.atan(), [(2, 3)]),
    Op("sinh_cosh", lambda m, a: a.sinh() + a.cosh() * 3, [(2, 3)]),
    Op("asinh", lambda m, a: a.asinh(), [(2, 3)]),
    Op("acosh", lambda m, a: a.acosh(), [(2, 3)], domain="above1"),
    Op("atanh", lambda m, a: a.atanh(), [(2, 3)], domain="unit"),
    Op("fmod", lambda m, a, b: a.fmod(b), [(4,), (4,)], domain="positive"),
    Op("atan2", lambda m, a, b: a.atan2(b), [(3, 4), (4,)], domain="nonzero"),
    Op("lerp", lambda m, a, b, w: a.lerp(b, w), [(3, 4), (4,), (3, 1)]),
    Op("lerp_number", lambda m, a, b: a.lerp(b, 0.7), [(3, 4), (3, 4)]),
    # library ops: running products and extremes, ordering
    Op("cumprod", lambda m, a: a.cumprod(1), [(3, 4)]),
    Op("cumprod_zeros", lambda m, a: a.cumprod(1), [(3, 5)], domain="zeros"),
    Op("cummax_cummin", lambda m, a: a.cummax(1).values + a.cummin(0).values, [(3, 4)]),
    Op("sort", lambda m, a: a.sort(1).values * a.sort(0, descending=True).values, [(3, 4)]),
    Op("topk", lambda m, a: a.topk(2, 1).values, [(3, 4)]),
    # library ops: einsum
    Op("einsum_mm", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(3, 4), (4, 2)]),
    Op("einsum_implicit", lambda m, a, b: m.einsum("bij,bjk", a, b), [(2, 3, 4), (2, 4, 2)]),
    Op("einsum_diagonal", lambda m, a: m.einsum("ii->i", a), [(3, 3)]),
    Op("einsum_sum_out", lambda m, a, b: m.einsum("ij,k->ik", a, b), [(3, 4), (2,)]),
    Op("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,jk->...ik", a, b),
       [(2, 3, 4), (4, 2)]),
    Op("einsum_repeat_sum", lambda m, a, b: m.einsum("iij,j->", a, b), [(3, 3, 2), (2,)]),
    # library ops: scatter
    Op("scatter", lambda m, a, b: a.scatter(1, _index(m, [[2, 0], [1, 3]]), b),
       [(2, 4), (2, 2)]),
    Op("scatter_larger_src", lambda m, a, b: a.scatter(1, _index(m, [[2, 0], [1, 3]]), b),
       [(2, 4), (3, 3)], torch=False),  # PyTorch 2.13's own backward fails on this one
    Op("scatter_add", lambda m, a, b: a.scatter_add(0, _index(m, [[0, 1, 0], [0, 0, 1]]), b),
       [(2, 3), (2, 3)]),
    *[Op(f"scatter_reduce_{r}_{s}",
         lambda m, a, b, r=r, s=s: a.scatter_reduce(1, _index(m, [[0, 0, 2], [1, 1, 1]]), b, r,
                                                      include_self=s),
         [(2, 3), (2, 3)]) for r in ("sum", "mean", "amax", "amin", "prod") for s in (True, False)],
    Op("scatter_reduce_prod_zeros",
       lambda m, a, b: a.scatter_reduce(1, _index(m, [[0, 0, 2, 1], [1, 1, 1, 1]]), b, "prod"),
       [(2, 3), (2, 4)], domain="zeros"),
    # library ops made of others (gather, getitem, permute, where): checked all the same
    Op("roll", lambda m, a: a.roll((1, -2), (0, 1)) * a, [(3, 4)]),
    Op("roll_flat", lambda m, a: a.roll(2), [(2, 3)]),
    Op("diag", lambda m, a, b: a.diag() * 2 + a.diag(1).sum() + b.diag(-1).sum(1),
       [(3, 3), (2,)]),
    Op("movedim", lambda m, a: a.movedim(0, 2) * 2, [(2, 3, 4)]),
]


def _ops(second: bool = False, torch_too: bool = False) -> list[Any]:
    return [pytest.param(op, id=op.name) for op in OPS
            if (op.second or not second) and (op.torch or not torch_too)]


@pytest.mark.parametrize("op", _ops())
def test_library_ops_match_finite_differences(op: Op, oracle: Any) -> None:
    oracle.assert_first_order(op)


@pytest.mark.parametrize("op", _ops(second=True))
def test_library_ops_differentiate_twice(op: Op, oracle: Any) -> None:
    oracle.assert_second_order(op)


@pytest.mark.parametrize("op", _ops(torch_too=True))
def test_library_ops_match_pytorch(op: Op, oracle: Any) -> None:
    oracle.assert_matches_pytorch(op)
