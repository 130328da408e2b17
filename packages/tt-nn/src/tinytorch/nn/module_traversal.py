"""Walking a Module tree: submodules, parameters and buffers by dotted name; modes; dtypes.

Mixed into :class:`~tinytorch.nn.Module`. Everything here is a depth-first walk over the
``_modules`` tables in registration order (the same order as PyTorch, so that parameter lists and
state-dict keys line up with a PyTorch model built the same way), reading ``_parameters`` and
``_buffers`` on the way. A module or tensor reachable twice (weight tying) is visited once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from tinytorch.tensor import Tensor, as_dtype

if TYPE_CHECKING:
    from .module import Module
    from .parameter import Parameter

__all__ = ["ModuleTraversal"]


class ModuleTraversal:
    """The tree walks of :class:`~tinytorch.nn.Module`."""

    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    training: bool

    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for self (name ``prefix``, ``""`` by default) and every
        descendant, depth first, in registration order: ``"", "fc1", "block", "block.fc"...``

        Keep the ids of the modules already yielded in ``memo`` and skip them (unless
        ``remove_duplicate=False``); skip None children. A child's name is
        ``prefix + "." + name`` (just ``name`` at the top). Recurse with ``yield from``.
        """
        # BEGIN SOLUTION 3.2 depth-first walk over the module tree
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self  # type: ignore[misc]
        for name, module in self._modules.items():
            if module is not None:
                child = f"{prefix}.{name}" if prefix else name
                yield from module.named_modules(memo, child, remove_duplicate)
        # END SOLUTION

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """Entries of one table (``"_parameters"`` or ``"_buffers"``) of self, or (``recurse``)
        of every module of the tree, as ``(dotted name, tensor)``: ``("block.fc.weight", W)``.

        Walk ``named_modules(prefix=prefix)`` (or only ``[(prefix, self)]``); read each module's
        table with ``getattr(module, table)``; skip None entries and (``remove_duplicate``) a
        tensor already yielded under another name (compare ids).
        """
        # BEGIN SOLUTION 3.2 collect one table over the module tree, each tensor once
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        seen: set[int] = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value
        # END SOLUTION

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules only, each once."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs, e.g. ``("fc1.weight", Parameter)``.

        A parameter shared by two modules is listed once (under its first name).
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every learnable parameter (what an optimizer is given)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def num_parameters(self, only_trainable: bool = False) -> int:
        """How many numbers the model learns (shared parameters counted once)."""
        return sum(p.numel() for p in self.parameters()
                   if p.requires_grad or not only_trainable)

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path such as ``"encoder.layers.0"`` (``""`` is self)."""
        module: Any = self
        for part in target.split(".") if target else []:
            if module._modules.get(part) is None:
                raise AttributeError(f"{type(module).__name__} has no submodule `{part}` "
                                     f"(looking up '{target}')")
            module = module._modules[part]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as ``"fc1.weight"``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if module._parameters.get(name) is None:
            raise AttributeError(f"{type(module).__name__} has no parameter `{name}`")
        return module._parameters[name]  # type: ignore[return-value]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path such as ``"bn.running_mean"``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"{type(module).__name__} has no buffer `{name}`")
        return module._buffers[name]  # type: ignore[return-value]

    # -- modes and gradients ----------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on the whole tree;
        return self. ``mode`` must be a bool (a ValueError otherwise, as PyTorch)."""
        # BEGIN SOLUTION 3.3 set the mode on self and every child
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self  # type: ignore[return-value]
        # END SOLUTION

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the ``.grad`` of every parameter of the tree: set it to None (the default), or
        (``set_to_none=False``) keep the tensor and fill it with zeros, detached from any graph
        (``grad.detach_()`` then ``grad.zero_()``)."""
        # BEGIN SOLUTION 3.3 clear the gradients of every parameter
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_()
                param.grad.zero_()
        # END SOLUTION

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self  # type: ignore[return-value]

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and on self, e.g. to initialise."""
        for child in self.children():
            child.apply(fn)
        fn(self)  # type: ignore[arg-type]
        return self  # type: ignore[return-value]

    # -- dtypes -----------------------------------------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Cast floating point parameters and buffers: ``to(tt.float64)``; ``"cpu"`` is a no-op."""
        dtype = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, str) and arg.split(":")[0] == "cpu":
                continue
            dtype = arg
        if dtype is None:
            return self  # type: ignore[return-value]
        target = as_dtype(dtype)
        if not target.is_floating_point:
            raise TypeError(f"Module.to only accepts floating point dtypes, got {target.name}")
        return self._cast(lambda a: a.astype(target.numpy) if a.dtype.kind == "f" else a)

    def _cast(self, convert: Callable[[np.ndarray], np.ndarray]) -> Module:
        """Replace the data of every parameter, gradient and buffer in the tree (in place)."""
        for module in self.modules():
            for table in (module._parameters, module._buffers):
                for tensor in table.values():
                    if tensor is None:
                        continue
                    tensor.array = convert(tensor.array)
                    if tensor.grad is not None:
                        tensor.grad.array = convert(tensor.grad.array)
        return self  # type: ignore[return-value]

    def float(self) -> Module:
        return self.to("float32")

    def double(self) -> Module:
        return self.to("float64")

    def half(self) -> Module:
        return self.to("float16")

    def cpu(self) -> Module:
        return self  # type: ignore[return-value]
