"""Calling a Module: forward pre-hooks, ``forward``, forward hooks.

Mixed into :class:`~tinytorch.nn.Module`. ``model(x)`` is ``Module.__call__``, which runs
``forward`` between two lists of hooks: callbacks that see (and may replace) the inputs before
and the output after, without touching the module's code. They are the extension point later
parts use to observe layers (the part-6 profiler counts FLOPs and time per layer with them).
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from tinytorch.tensor.extensions import RemovableHandle

__all__ = ["ModuleHooks", "RemovableHandle"]

_hook_ids = itertools.count()


class ModuleHooks:
    """Forward hooks and ``__call__`` of :class:`~tinytorch.nn.Module`."""

    _forward_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_pre_hooks_with_kwargs: set[int]
    _forward_hooks_with_kwargs: set[int]
    _forward_hooks_always_called: set[int]
    forward: Callable[..., Any]

    def _init_hooks(self) -> None:
        for name in ("_forward_pre_hooks", "_forward_hooks"):
            object.__setattr__(self, name, OrderedDict())
        for name in ("_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs",
                     "_forward_hooks_always_called"):
            object.__setattr__(self, name, set())

    def _add_hook(self, table: OrderedDict[int, Any], hook: Callable[..., Any], prepend: bool,
                  flags: tuple[tuple[set[int], bool], ...]) -> RemovableHandle:
        key = next(_hook_ids)
        table[key] = hook
        if prepend:
            table.move_to_end(key, last=False)
        for keys, on in flags:
            if on:
                keys.add(key)
        return RemovableHandle(table, key)

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; it may return new args (a tuple or one
        value). With ``with_kwargs=True`` it is ``hook(module, args, kwargs)`` and may return a
        new ``(args, kwargs)`` pair. ``prepend=True`` runs it before the hooks already there."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend,
                              ((self._forward_pre_hooks_with_kwargs, with_kwargs),))

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False
                              ) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a non-None result replaces the
        output. With ``with_kwargs=True`` it is ``hook(module, args, kwargs, output)``;
        ``always_call=True`` runs it even when ``forward`` raised."""
        return self._add_hook(self._forward_hooks, hook, prepend,
                              ((self._forward_hooks_with_kwargs, with_kwargs),
                               (self._forward_hooks_always_called, always_call)))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward(*args, **kwargs)`` between the hooks.

        1. Each pre-hook, in order: ``result = hook(self, args)`` (or, if its key is in
           ``_forward_pre_hooks_with_kwargs``, ``hook(self, args, kwargs)``). A non-None result
           replaces ``args`` (a non-tuple becomes a 1-tuple), or ``(args, kwargs)`` for a
           with-kwargs hook (anything but a 2-tuple is a RuntimeError).
        2. ``output = self.forward(*args, **kwargs)``; if it raises, call ``self._forward_failed``
           (which tells the ``always_call`` hooks) and re-raise.
        3. Each forward hook: ``hook(self, args, output)`` (or ``hook(self, args, kwargs,
           output)``); a non-None result replaces ``output``.

        Iterate over ``list(table.items())``: a hook may remove itself. Without any hook, call
        ``forward`` straight away (the fast path every layer takes).
        """
        # BEGIN SOLUTION 3.4 run pre-hooks, forward, then forward hooks
        if not (self._forward_pre_hooks or self._forward_hooks):
            return self.forward(*args, **kwargs)
        for key, hook in list(self._forward_pre_hooks.items()):
            if key in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        try:
            output = self.forward(*args, **kwargs)
        except Exception:
            self._forward_failed(args, kwargs)
            raise
        for key, hook in list(self._forward_hooks.items()):
            if key in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        return output
        # END SOLUTION

    def _forward_failed(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """``forward`` raised: run the ``always_call`` hooks with output None; an error they
        raise in turn becomes a warning (the forward error is the one that propagates)."""
        for key, hook in list(self._forward_hooks.items()):
            if key not in self._forward_hooks_always_called:
                continue
            try:
                if key in self._forward_hooks_with_kwargs:
                    hook(self, args, kwargs, None)
                else:
                    hook(self, args, None)
            except Exception as error:
                warnings.warn("forward hook with ``always_call=True`` raised an exception that "
                              f"was silenced as another error was raised in forward: {error}",
                              stacklevel=3)
