"""The engine: records ops as graph nodes and walks the graph backwards.

Part 1 calls :meth:`Engine.record` for every op whose inputs require grad (the gradient-recorder
extension point, :mod:`tinytorch.tensor.extensions`). Backward then

1. finds every node reachable from the outputs and counts, for each, how many edges point to it
   (an iterative depth-first search: a chain of 100,000 ops needs no recursion);
2. runs each node once, when all gradients flowing into it have arrived and been summed (Kahn's
   topological order), so a tensor used many times (``a + a``, residual streams) is walked once;
3. gives every gradient back in its input's shape and dtype (:func:`unbroadcast`, the one place
   where broadcasting is undone) and accumulates it into the leaves' ``.grad``;
4. frees each node's saved tensors once it ran, unless ``retain_graph=True``.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor
from tinytorch.tensor.extensions import RemovableHandle, register_gradient_recorder

from .grad_mode import state
from .graph import Node, OpNode, meta_of
from .rules import RULES

__all__ = ["Engine", "ENGINE", "register", "grad", "backward", "unbroadcast"]

_hook_ids = itertools.count()


def unbroadcast(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``g`` over the dims broadcasting added or stretched, so that it has ``shape``."""
    # BEGIN SOLUTION 2.1 unbroadcast: sum over leading dims and dims that were size 1
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:])):
        return g.expand(shape)  # a rule gave a gradient that broadcasts *to* the input
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if dims:
        g = g.sum(dims, keepdim=True)
    return g.reshape(shape)
    # END SOLUTION


def _fit(g: Any, shape: tuple[int, ...], dtype: np.dtype) -> Tensor:
    """A rule's gradient made to match its input: shape (unbroadcast) and dtype (cast back)."""
    if not isinstance(g, Tensor):
        raise RuntimeError(f"expected Tensor or None (got {type(g).__name__}): a backward "
                           "returned something else as a gradient")
    if g.array.shape != shape:
        g = unbroadcast(g, shape)
    if g.array.dtype != dtype:
        g = g.to(dtype)
    return g


def _add(a: Tensor | None, b: Tensor, create_graph: bool) -> Tensor:
    if a is None:
        return b
    if create_graph:
        return a + b
    return Tensor._wrap(a.array + b.array)


def _run_hooks(meta: Any, g: Tensor) -> Tensor:
    for hook in list(meta.hooks.values()):
        replaced = hook(g)
        if replaced is not None:
            name = getattr(hook, "__name__", type(hook).__name__)
            if not isinstance(replaced, Tensor):
                raise TypeError(f"hook '{name}' returned {type(replaced).__name__}; a hook must "
                                "return None or a Tensor")
            if replaced.shape != g.shape:
                raise RuntimeError(f"hook '{name}' has changed the size of value (was "
                                   f"{tuple(g.shape)} got {tuple(replaced.shape)})")
            if replaced.array.dtype != g.array.dtype:
                raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                                   f"{g.dtype.name} got {replaced.dtype.name})")
            g = replaced
    return g


class Engine:
    """The gradient recorder tt-autograd registers with part 1 (one instance: ``ENGINE``)."""

    # -- recording ------------------------------------------------------------------------------

    def is_grad_enabled(self) -> bool:
        return state.enabled

    def record(self, op: str, inputs: tuple[Tensor, ...], output: Tensor,
               saved: dict[str, Any]) -> Node | None:
        """Make the node of one op: edges to its inputs' nodes, the tensors its rule needs."""
        if not state.enabled:
            return None
        cls = RULES.get(op)
        if cls is None:
            raise RuntimeError(f"tt-autograd has no backward rule for the op {op!r}; add one to "
                               "tinytorch/autograd/rules.py")
        node = cls.__new__(cls)
        edges = []
        for t in inputs:
            if t._requires_grad:
                fn = t.grad_fn
                if fn is None:
                    edges.append((t, 0, t.array.shape, t.array.dtype))
                else:
                    meta = t._autograd_meta
                    edges.append((fn, meta.output_nr if meta is not None else 0,
                                  t.array.shape, t.array.dtype))
            else:
                edges.append(None)
        node.edges = tuple(edges)
        node.released = False
        node.hooked = None
        node.saved = saved
        if cls.save_inputs:
            node.inputs = inputs
            node.versions = tuple([t._version_counter[0] for t in inputs])
        if cls.save_output:
            node.out_data = output.array
            node.out_counter = output._version_counter
            node.out_version = output._version_counter[0]
        return node

    # -- per-tensor state -----------------------------------------------------------------------

    def retain_grad(self, tensor: Tensor) -> None:
        if not tensor._requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if tensor.grad_fn is None:
            return  # leaves keep their .grad anyway
        meta = meta_of(tensor)
        meta.retain = True
        meta.ref = weakref.ref(tensor)
        self._attach(tensor, meta)

    def register_hook(self, tensor: Tensor, hook: Callable[[Tensor], Tensor | None]) -> Any:
        if not tensor._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        meta = meta_of(tensor)
        key = next(_hook_ids)
        meta.hooks[key] = hook
        if tensor.grad_fn is not None:
            self._attach(tensor, meta)
        return RemovableHandle(meta.hooks, key)

    @staticmethod
    def _attach(tensor: Tensor, meta: Any) -> None:
        node = tensor.grad_fn
        if node.hooked is None:
            node.hooked = {}
        node.hooked[meta.output_nr] = meta

    # -- backward -------------------------------------------------------------------------------

    def backward(self, tensor: Tensor, gradient: Any, retain_graph: bool | None,
                 create_graph: bool, inputs: Any = None) -> None:
        """``tensor.backward(gradient)``: accumulate into the leaves' ``.grad`` (or, with
        ``inputs``, only into those tensors' ``.grad``)."""
        backward([tensor], [gradient], retain_graph, create_graph, inputs=inputs)


ENGINE = Engine()


def register() -> None:
    """Install the engine as part 1's gradient recorder (the entry point calls this)."""
    register_gradient_recorder(ENGINE)


def _root_gradients(outputs: Sequence[Tensor], grads: Sequence[Any]) -> list[Tensor]:
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, Tensor):
            raise TypeError(f"expected Tensors as outputs, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if out.array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"(output {i} has shape {tuple(out.shape)}); pass a gradient "
                                   "of that shape")
            g = Tensor._wrap(np.ones(out.array.shape, out.array.dtype))
        else:
            g = out._lift(g)
            if g.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{tuple(g.shape)} and output[{i}] has a shape of "
                                   f"{tuple(out.shape)}")
            if g.array.dtype != out.array.dtype:
                g = g.to(out.dtype)
        result.append(g)
    return result


def _edge_of(t: Tensor) -> tuple[Any, int, tuple[int, ...], np.dtype]:
    fn = t.grad_fn
    if fn is None:
        return (t, 0, t.array.shape, t.array.dtype)
    meta = t._autograd_meta
    return (fn, meta.output_nr if meta is not None else 0, t.array.shape, t.array.dtype)


def run_backward(outputs: Sequence[Tensor], grad_outputs: Sequence[Any],
                 retain_graph: bool | None, create_graph: bool,
                 inputs: Sequence[Tensor] | None = None) -> list[Tensor | None] | None:
    """Backpropagate from ``outputs``. Without ``inputs``, accumulate into every leaf's
    ``.grad``; with ``inputs``, return their gradients instead and touch no ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    previous = state.enabled
    state.enabled = bool(create_graph)  # rules run under no_grad unless create_graph
    try:
        roots = _root_gradients(outputs, grad_outputs)
        return _execute([_edge_of(t) for t in outputs], roots, retain_graph, create_graph,
                        inputs)
    finally:
        state.enabled = previous


def _execute(root_edges: list[Any], root_grads: list[Tensor], retain_graph: bool,
             create_graph: bool, inputs: Sequence[Tensor] | None) -> list[Tensor | None] | None:
    # BEGIN SOLUTION 2.6 engine: count dependencies, then run each node once in topological order
    # 1. every node reachable from the roots, and how many edges point to it
    deps: dict[Any, int] = {}
    stack = []
    for edge in root_edges:
        fn = edge[0]
        if fn not in deps:
            deps[fn] = 0
            if not isinstance(fn, Tensor):
                stack.append(fn)
    while stack:
        node = stack.pop()
        for edge in node.edges:
            if edge is not None:
                fn = edge[0]
                count = deps.get(fn)
                if count is None:
                    deps[fn] = 1
                    if not isinstance(fn, Tensor):
                        stack.append(fn)
                else:
                    deps[fn] = count + 1

    # 2. what grad() asks for: leaf tensors, or (node, output_nr) of non-leaves
    wanted: dict[Any, list[int]] = {}
    results: list[Tensor | None] = []
    if inputs is not None:
        results = [None] * len(inputs)
        for i, t in enumerate(inputs):
            e = _edge_of(t)
            key = e[0] if isinstance(e[0], Tensor) else (e[0], e[1])
            wanted.setdefault(key, []).append(i)

    # 3. the walk: buffers hold the gradients summed so far (per output for nodes)
    buffers: dict[Any, Any] = {}
    for edge, g in zip(root_edges, root_grads):
        fn, nr = edge[0], edge[1]
        if isinstance(fn, Tensor):
            buffers[fn] = _add(buffers.get(fn), g, create_graph)
        else:
            buf = buffers.get(fn) or [None] * fn.n_out
            buf[nr] = _add(buf[nr], g, create_graph)
            buffers[fn] = buf
    ready = [fn for fn, count in deps.items() if count == 0 and not isinstance(fn, Tensor)]
    leaves = [fn for fn, count in deps.items() if count == 0 and isinstance(fn, Tensor)]
    handed_out: set[int] = {id(g) for g in root_grads}  # grads that must not become a .grad as is
    while ready:
        node = ready.pop()
        buf = buffers.pop(node, None)
        if buf is not None and (node.hooked or wanted):
            buf = _node_arrived(node, buf, wanted, results, create_graph, handed_out)
        grads = node._backward(buf) if buf is not None and any(
            g is not None for g in buf) else ()
        if not retain_graph:
            node._release()
        for i, edge in enumerate(node.edges):
            if edge is None:
                continue
            fn = edge[0]
            g = grads[i] if i < len(grads) else None
            if g is not None:
                g = _fit(g, edge[2], edge[3])
                if isinstance(fn, Tensor):
                    buffers[fn] = _add(buffers.get(fn), g, create_graph)
                else:
                    fbuf = buffers.get(fn)
                    if fbuf is None:
                        fbuf = buffers[fn] = [None] * fn.n_out
                    fbuf[edge[1]] = _add(fbuf[edge[1]], g, create_graph)
            count = deps[fn] - 1
            deps[fn] = count
            if count == 0:
                if isinstance(fn, Tensor):
                    leaves.append(fn)
                else:
                    ready.append(fn)
    for leaf in leaves:
        g = buffers.pop(leaf, None)
        if g is not None:
            _leaf_arrived(leaf, g, wanted, results, create_graph, inputs is None, handed_out)
    # END SOLUTION
    return results if inputs is not None else None


def _node_arrived(node: Node, buf: list[Any], wanted: dict[Any, list[int]],
                  results: list[Any], create_graph: bool, handed_out: set[int]) -> list[Any]:
    """A non-leaf's gradient is complete: run its tensor hooks, retain_grad, grad() capture."""
    if node.hooked:
        for nr, meta in node.hooked.items():
            g = buf[nr]
            if g is None:
                continue
            g = buf[nr] = _run_hooks(meta, g)
            if meta.retain:
                t = meta.ref()
                if t is not None:
                    new = g if create_graph else g.detach()
                    if t.grad is not None:  # retained grads add up across passes, as leaves'
                        new = t.grad + new if create_graph else Tensor._wrap(t.grad.array + g.array)
                    t.grad = new
                    handed_out.add(id(g))
    if wanted:
        for nr, g in enumerate(buf):
            for i in wanted.get((node, nr), ()):
                results[i] = g
                handed_out.add(id(g))
    return buf


def _leaf_arrived(leaf: Tensor, g: Tensor, wanted: dict[Any, list[int]], results: list[Any],
                  create_graph: bool, accumulate: bool, handed_out: set[int]) -> None:
    """A leaf's gradient is complete: run its hooks, then accumulate into ``.grad`` (backward)
    or hand it back (grad())."""
    meta = leaf._autograd_meta
    if meta is not None and meta.hooks:
        g = _run_hooks(meta, g)
    for i in wanted.get(leaf, ()):
        results[i] = g
    if accumulate:
        _accumulate(leaf, g, create_graph, handed_out)


def _accumulate(leaf: Tensor, g: Tensor, create_graph: bool, handed_out: set[int]) -> None:
    """Add ``g`` into ``leaf.grad`` (the first gradient is stored, later ones are summed in)."""
    # BEGIN SOLUTION 2.6 accumulate into a leaf's .grad (leaf grads add up across backward calls)
    if leaf.grad is None:
        if create_graph:
            leaf.grad = g
        else:
            owned = g.array.flags.owndata and g.array.flags.writeable and id(g) not in handed_out
            leaf.grad = g if owned else Tensor._wrap(np.array(g.array, copy=True))
            handed_out.add(id(leaf.grad))
    elif create_graph or leaf.grad._requires_grad:
        leaf.grad = leaf.grad + g
    else:
        current = leaf.grad.array
        if current.flags.writeable and current.shape == g.shape:
            current += g.array
            leaf.grad._bump_version()
        else:
            leaf.grad = Tensor._wrap(current + g.array)
    # END SOLUTION


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


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
    gouts = _grad_list(grad_outputs, outs)
    results = run_backward(outs, gouts, retain_graph, create_graph, inputs=ins)
    assert results is not None
    for i, r in enumerate(results):
        if r is None:
            if materialize_grads:
                t = ins[i]
                results[i] = Tensor._wrap(np.zeros(t.array.shape, t.array.dtype))
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to "
                                   "not have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
    return tuple(results)


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


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into the leaves'
    ``.grad``; with ``inputs``, only into the ``.grad`` of those tensors (leaves or not)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    outs = _as_list(tensors)
    gouts = _grad_list(grad_tensors, outs)
    if inputs is None:
        run_backward(outs, gouts, retain_graph, create_graph)
        return
    ins = _differentiated(inputs, "backward")
    results = run_backward(outs, gouts, retain_graph, create_graph, inputs=ins)
    assert results is not None
    handed_out: set[int] = set()
    done: set[int] = set()
    for t, g in zip(ins, results):
        if g is not None and id(t) not in done:  # a tensor listed twice gets its gradient once
            done.add(id(t))
            handed_out.add(id(g))  # captured gradients may be shared with other inputs
            _accumulate(t, g, create_graph, handed_out)


__all__ += ["run_backward", "OpNode"]
