"""``state_dict`` and ``load_state_dict``: a model's state as a flat dict of dotted names.

Mixed into :class:`~tinytorch.nn.Module`. The keys are the paths of the parameters and persistent
buffers in the module tree (``"0.weight"``, ``"block.fc.bias"``), exactly PyTorch's, so a state
dict moves between a TinyTorch model and the same PyTorch model (through NumPy). Save one with
``tinytorch.nn.save``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tinytorch.autograd import no_grad
from tinytorch.tensor import Tensor

from .parameter import Parameter

if TYPE_CHECKING:
    from .module import Module

__all__ = ["ModuleState", "IncompatibleKeys"]


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: ``missing_keys`` (not found) and ``unexpected_keys``
    (not used), both lists of strings."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class ModuleState:
    """``state_dict`` / ``load_state_dict`` of :class:`~tinytorch.nn.Module`."""

    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    _non_persistent_buffers: set[str]

    def _local_state(self) -> Iterator[tuple[str, Tensor]]:
        """This module's own entries of the state dict: parameters, then persistent buffers."""
        for name, param in self._parameters.items():
            if param is not None:
                yield name, param
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers:
                yield name, buf

    def state_dict(self, destination: dict[str, Tensor] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer of the tree, by dotted name (``"0.weight"``).

        Values are ``tensor.detach()`` (sharing memory with the model, no ``requires_grad``);
        ``keep_vars=True`` gives the tensors themselves. Fill ``destination`` (a new
        OrderedDict by default) with ``self._local_state()`` under ``prefix + name``, then
        recurse into each (non-None) child with the prefix ``prefix + child_name + "."``.
        """
        # BEGIN SOLUTION 3.5 gather parameters and persistent buffers under dotted keys
        if destination is None:
            destination = OrderedDict()
        for name, tensor in self._local_state():
            destination[prefix + name] = tensor if keep_vars else tensor.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination  # type: ignore[return-value]
        # END SOLUTION

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` into this model's parameters and buffers, in place
        (the Parameter objects stay: optimizers hold references to them).

        Every problem is collected first and reported at once, before anything is copied, in one
        ``RuntimeError("Error(s) in loading state_dict for <Class>:\\n\\t...")``:

        - ``strict=True``: ``Unexpected key(s) in state_dict: "a", "b". `` and
          ``Missing key(s) in state_dict: "c". `` (always reported in the result);
        - a value that is not a Tensor (a list, an ndarray):
          ``While copying the parameter named "w", expected a Tensor ...``;
        - ``size mismatch for w: copying a param with shape (4, 2) from checkpoint, the shape in
          current model is (3, 2).``

        Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``. ``assign=True`` puts the
        given tensors themselves into the model (parameters stay Parameters).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}")
        own: dict[str, tuple[Any, str, Tensor]] = {}  # key -> (owning module, name, tensor)
        for prefix, module in self.named_modules(remove_duplicate=False):  # type: ignore[attr-defined]
            for name, tensor in module._local_state():
                own[f"{prefix}.{name}" if prefix else name] = (module, name, tensor)
        # BEGIN SOLUTION 3.6 check keys, types and shapes, then copy values in place
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors = []
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        if strict and missing:
            errors.append("Missing key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in missing) + ". ")
        for key, (_, _, tensor) in own.items():
            value = state_dict.get(key)
            if key not in state_dict:
                continue
            if not isinstance(value, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected a Tensor from '
                              f"the checkpoint but received {type(value).__name__} (wrap arrays "
                              "with tinytorch.tensor.from_numpy).")
            elif value.shape != tensor.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{tuple(value.shape)} from checkpoint, the shape in current model "
                              f"is {tuple(tensor.shape)}.")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for key, (module, name, tensor) in own.items():
                if key in state_dict:
                    if assign:
                        _assign(module, name, tensor, state_dict[key])
                    else:
                        tensor.copy_(state_dict[key])
        return IncompatibleKeys(missing, unexpected)
        # END SOLUTION


def _assign(module: Any, name: str, old: Tensor, value: Tensor) -> None:
    """``load_state_dict(assign=True)``: ``value`` itself replaces ``old`` in ``module``."""
    if name in module._parameters:
        if not isinstance(value, Parameter):
            value = Parameter(value, requires_grad=old.requires_grad)
        module._parameters[name] = value
    else:
        module._buffers[name] = value
