"""The engine: the gradient recorder part 1 reports every op to, and ``grad()``/``backward()``.

Part 1 calls :meth:`Engine.record` for every op whose inputs require grad (the gradient-recorder
extension point, :mod:`tinytorch.tensor.extensions`): it makes the op's graph node, the output's
``grad_fn``. ``Tensor.backward``, ``retain_grad`` and ``register_hook`` land here too. The backward
walk itself is in :mod:`tinytorch.autograd.walk`.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor
from tinytorch.tensor.extensions import RemovableHandle, register_gradient_recorder

from .accumulate import accumulate
from .grad_mode import state
from .graph import Node, OpNode, TensorMeta, edge_to, meta_of
from .rules import RULES
from .walk import run_backward

__all__ = ["Engine", "ENGINE", "register", "grad", "backward"]

_hook_ids = itertools.count()


class Engine:
    """The gradient recorder tt-autograd registers with part 1 (one instance: ``ENGINE``)."""

    def is_grad_enabled(self) -> bool:
        return state.enabled

    def record(self, op: str, inputs: tuple[Tensor, ...], output: Tensor,
               saved: dict[str, Any]) -> Node | None:
        """The node of one op: an edge per input, and what its backward rule reads."""
        if not state.enabled:
            return None
        rule = RULES.get(op)
        if rule is None:
            raise RuntimeError(f"tt-autograd has no backward rule for the op {op!r}; add one to "
                               "tinytorch/autograd/rules/")
        edges = tuple([edge_to(t) if t._requires_grad else None for t in inputs])
        return OpNode(rule, edges, inputs, output, saved)

    def retain_grad(self, tensor: Tensor) -> None:
        """Keep ``.grad`` on a non-leaf after backward (leaves keep theirs anyway)."""
        if not tensor._requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if tensor.grad_fn is not None:
            meta = meta_of(tensor)
            meta.retain = True
            meta.ref = weakref.ref(tensor)
            _watch(tensor, meta)

    def register_hook(self, tensor: Tensor, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when the gradient of ``tensor`` is complete; returns a handle."""
        if not tensor._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        meta = meta_of(tensor)
        key = next(_hook_ids)
        meta.hooks[key] = hook
        if tensor.grad_fn is not None:
            _watch(tensor, meta)
        return RemovableHandle(meta.hooks, key)

    def backward(self, tensor: Tensor, gradient: Any, retain_graph: bool | None,
                 create_graph: bool, inputs: Any = None) -> None:
        """``tensor.backward(gradient)``."""
        backward([tensor], [gradient], retain_graph, create_graph, inputs=inputs)


def _watch(tensor: Tensor, meta: TensorMeta) -> None:
    """Tell the non-leaf's node to call back (hooks, retain_grad) when its gradient is complete."""
    node = tensor.grad_fn
    if node.hooked is None:
        node.hooked = {}
    node.hooked[meta.output_nr] = meta


ENGINE = Engine()


def register() -> None:
    """Install the engine as part 1's gradient recorder (the entry point calls this)."""
    register_gradient_recorder(ENGINE)


# -- torch.autograd.grad / torch.autograd.backward ----------------------------------------------

def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False
         ) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (no ``.grad`` touched).

    ``grad_outputs`` weighs each output (None: ones for a one-element output); with
    ``create_graph=True`` the results are themselves differentiable. An input the outputs do not
    depend on raises, unless ``allow_unused=True`` (then its gradient is None) or
    ``materialize_grads=True`` (then it is zeros).
    """
    if is_grads_batched:
        raise NotImplementedError("grad(is_grads_batched=True) is not supported by tinytorch")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads="
                         "True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_list(outputs)
    ins = _differentiated(inputs, "grad")
    results = run_backward(outs, _grad_list(grad_outputs, outs),
                           create_graph if retain_graph is None else retain_graph,
                           create_graph, inputs=ins)
    for i, r in enumerate(results):
        if r is None:
            if materialize_grads:
                results[i] = Tensor._wrap(np.zeros(ins[i].array.shape, ins[i].array.dtype))
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to "
                                   "not have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
    return tuple(results)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into the leaves'
    ``.grad``; with ``inputs``, only into the ``.grad`` of those tensors (leaves or not)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    outs = _as_list(tensors)
    gouts = _grad_list(grad_tensors, outs)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outs, gouts, retain, create_graph)
        return
    ins = _differentiated(inputs, "backward")
    results = run_backward(outs, gouts, retain, create_graph, inputs=ins)
    shared = {id(g) for g in results}  # one gradient may be captured for several inputs
    done: set[int] = set()
    for t, g in zip(ins, results):
        if g is not None and id(t) not in done:  # a tensor listed twice gets its gradient once
            done.add(id(t))
            accumulate(t, g, create_graph, shared)


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _differentiated(inputs: Any, caller: str) -> list[Tensor]:
    """``inputs`` of grad()/backward() as a list, each a tensor that requires grad."""
    ins = _as_list(inputs)
    if not ins:
        raise RuntimeError(f"`inputs` argument to `{caller}()` cannot be empty.")
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require "
                               "grad")
    return ins


def _grad_list(grads: Any, outs: list[Tensor]) -> list[Any]:
    gouts = _as_list(grads) or [None] * len(outs)
    if len(gouts) < len(outs):  # extra gradients are ignored, as in PyTorch
        raise RuntimeError(f"got {len(outs)} tensors and {len(gouts)} gradients")
    return gouts[:len(outs)]
