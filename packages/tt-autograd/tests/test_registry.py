"""The table of rules (library code, not a task): one rule per op part 1 records, named after the
op, taking exactly the values the op saved; nodes named as PyTorch names them."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import tinytorch.tensor as tt
from tinytorch.autograd import RULES

_NOT_SAVED = {"view_of", "to_float", "quiet", "reverse", "float_result"}  # arguments of the op helpers


def _recorded_ops() -> dict[str, set[str]]:
    """Op name -> the keywords it saves, from part 1's calls of Tensor._make (found with ast)."""
    source_dir = Path(tt.__file__).parent
    ops: dict[str, set[str]] = {}
    wrappers = {"_make", "_binary", "_unary", "_constant_piecewise"}
    for path in source_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in wrappers:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names = {first.value}
            elif isinstance(first, ast.JoinedStr):  # f"{name}_dim"
                suffix = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
                names = {"max" + suffix, "min" + suffix}
            else:
                continue
            saved = {k.arg for k in node.keywords if k.arg is not None} - _NOT_SAVED
            for name in names:
                ops.setdefault(name, set()).update(saved)
    return ops


def test_every_recorded_op_has_a_rule_named_after_it() -> None:
    ops = _recorded_ops()
    assert {"add", "matmul", "getitem", "unfold", "max_dim", "sign"} <= set(ops)  # the scan works
    missing = sorted(set(ops) - set(RULES))
    assert not missing, f"ops without a backward rule: {missing}"
    for name, rule in RULES.items():
        assert rule.backward.__name__ == name


def test_rules_take_the_saved_values_as_keyword_parameters() -> None:
    """What ``_make`` saves is exactly what the rule names: ``_make("sum", ..., dim=, keepdim=)``
    is differentiated by ``def sum(ctx, g, *, dim, keepdim)``."""
    for name, saved in _recorded_ops().items():
        params = inspect.signature(RULES[name].backward).parameters.values()
        keywords = {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert keywords == saved, f"{name}: the rule takes {sorted(keywords)}, part 1 saves {sorted(saved)}"
        positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert positional[:2] == ["ctx", "g"], name


def test_nodes_are_named_after_ops() -> None:
    x = tt.ones(2, requires_grad=True)
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert x.max(0).values.grad_fn.name() == "MaxBackward0"
    assert repr((x * 2).grad_fn) == "<MulBackward0>"


def test_tensor_repr_names_its_grad_fn() -> None:
    assert "grad_fn=<MulBackward0>" in repr(tt.ones(2, requires_grad=True) * 2)
