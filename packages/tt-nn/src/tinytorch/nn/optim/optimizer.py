"""The ``Optimizer`` base class: parameter groups, per-parameter state, and state dicts.

Every optimizer keeps a list of *parameter groups* (dicts holding ``"params"`` and that group's
hyperparameters) and a ``state`` dict mapping each parameter to its running buffers (momentum,
moving averages, step count). Subclasses implement :meth:`Optimizer._update` for one parameter.

Updates are written with NumPy directly on ``p.array`` and ``p.grad.array``, in place: an optimizer
step is not part of any graph, so it needs no autograd and costs what NumPy costs.

``state_dict()`` uses PyTorch's layout, with parameters replaced by their index in the order the
groups list them::

    {"state": {0: {"step": 3, "exp_avg": Tensor, ...}, ...},
     "param_groups": [{"lr": 0.001, ..., "params": [0, 1, 2]}, ...]}
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor, from_numpy

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks a hyperparameter with no default (e.g. SGD's ``lr``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _Required()


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], "lr": ..., ...}``
            (parameter groups with their own hyperparameters).
        defaults: the hyperparameters used by groups that do not set them.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a single Tensor; wrap it in a list")
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with optional hyperparameters of its own)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs; "
                            "use a list instead")
        params = list(params)
        if params and all(isinstance(p, tuple) and len(p) == 2 for p in params):
            group["param_names"] = [name for name, _ in params]  # from named_parameters()
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if not p.is_floating_point():
                raise TypeError(f"optimizer can only optimize floating point Tensors, got "
                                f"dtype {p.dtype}")
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error", stacklevel=3)
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set ``p.grad`` to None (default) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.array[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place; return ``closure()`` (the loss,
        re-evaluated) when a closure is given, else None.

        Each optimizer writes :meth:`_update` for one parameter; ``step`` walks the groups.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p.array, p.grad.array, self.state[p], group)
                    p._bump_version()  # an in-place change, as every in-place Tensor op records
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """Change ``param`` (the parameter's ndarray) in place from ``grad``, using and updating
        its ``state`` (buffers, step count) and the ``group``'s hyperparameters."""
        raise NotImplementedError

    # -- state dicts ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": {index: {...}}, "param_groups": [...]}``.

        Buffers are returned as copies (Tensors), so saving a state dict later still saves the
        values it had when it was taken.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: _snapshot(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (the parameters must match in number/shape)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(groups)} parameter groups, this "
                             f"optimizer has {len(self.param_groups)}")
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of the optimizer's group")
        by_index = {}
        for mine, saved in zip(self.param_groups, groups):
            by_index.update(zip(saved["params"], mine["params"]))
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            key = int(key)
            if key not in by_index:
                raise ValueError(f"loaded state dict has state for parameter {key}, which is not "
                                 f"in any parameter group")
            p = by_index[key]
            restored = {}
            for name, value in values.items():
                if name == "step":  # a float32 0-d tensor, as in PyTorch
                    restored[name] = from_numpy(np.array(
                        value.array if isinstance(value, Tensor) else value, dtype=np.float32))
                elif isinstance(value, (Tensor, np.ndarray)):
                    array = np.array(value.array if isinstance(value, Tensor) else value,
                                     dtype=p.array.dtype)
                    if array.shape != p.array.shape:
                        raise ValueError(f"state {name!r} of parameter {key} has shape "
                                         f"{array.shape}, the parameter has {p.array.shape}")
                    restored[name] = from_numpy(array)
                else:
                    restored[name] = value
            state[p] = restored
        self.state = state
        for mine, saved in zip(self.param_groups, groups):
            for k, v in saved.items():
                if k != "params":
                    mine[k] = copy.deepcopy(v)


def _snapshot(value: Any) -> Any:
    """A copy of one state entry (Tensors and arrays copied, other values as they are)."""
    if isinstance(value, Tensor):
        return from_numpy(value.array.copy())
    if isinstance(value, np.ndarray):
        return from_numpy(value.copy())
    return value


def new_step() -> Tensor:
    """A fresh step counter: a float32 0-d Tensor, as PyTorch keeps ``state["step"]``."""
    return from_numpy(np.zeros((), dtype=np.float32))


def buffer_like(param: np.ndarray) -> Tensor:
    """A zero-filled state Tensor of ``param``'s shape and dtype."""
    return from_numpy(np.zeros_like(param))


def learning_rate(group: dict[str, Any]) -> float:
    """The group's learning rate as a float (a 0-d Tensor is accepted, as in PyTorch)."""
    lr = group["lr"]
    return lr.item() if isinstance(lr, Tensor) else lr


def check_hyper(name: str, value: float, low: float = 0.0, high: float | None = None,
                strict_high: bool = True) -> None:
    """Raise a ValueError naming ``name`` unless ``low <= value (< or <=) high``."""
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < low:
        raise ValueError(f"Invalid {name} value: {value} (must be >= {low})")
    if high is not None and (value >= high if strict_high else value > high):
        op = "<" if strict_high else "<="
        raise ValueError(f"Invalid {name} value: {value} (must be {op} {high})")
