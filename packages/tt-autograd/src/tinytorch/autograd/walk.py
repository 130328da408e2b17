"""The backward walk: the chain rule applied to a whole graph, each node once.

micrograd's backward, for a graph of tensors:

1. :func:`topological_order` lists every node reachable from the output, each before the nodes
   its gradients flow to (iteratively: a chain of 100,000 ops needs no recursion);
2. :meth:`BackwardPass.run` walks that list. A node's gradient is complete when its turn comes
   (everything that feeds it came earlier), so each node runs once, even if its output was used
   many times (``a + a``, residual streams). The gradients its rule returns are fitted to the
   inputs' shapes and dtypes and summed into the gradients waiting at the inputs' nodes;
3. the leaves' gradients, complete once the walk is over, are accumulated into ``.grad``
   (:func:`tinytorch.autograd.accumulate.accumulate`) or, for ``grad()``, handed back.

Rules run with recording off, unless ``create_graph=True``: then the walk itself is recorded, and
the gradients can be differentiated again. A node frees its saved tensors once it ran, unless
``retain_graph=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from .accumulate import accumulate, fit_to_input
from .grad_mode import state
from .graph import Edge, Node, TensorMeta, edge_to

__all__ = ["topological_order", "BackwardPass", "run_hooks", "root_gradients", "run_backward"]


def topological_order(roots: Sequence[Any]) -> list[Node]:
    """Every node reachable from ``roots``, each listed before all the nodes it sends gradients
    to (its inputs' ``grad_fn`` s, found through ``node.edges``).

    A depth-first search without recursion: a stack of ``(node, inputs_done)`` pairs. Popping
    ``(node, False)`` for a node not seen yet marks it seen, pushes ``(node, True)`` and then
    ``(target, False)`` for each edge's target that is a :class:`Node` (edges may be None; a leaf
    tensor is no node: its gradient waits until the end). Popping ``(node, True)`` means every
    node below it is listed: append it. The reversed list is the order. ``roots`` may contain
    leaf tensors (``x.backward()`` on a leaf): skip them. Each node appears once.
    """
    # BEGIN SOLUTION 2.4 topological order: depth-first, without recursion
    order: list[Node] = []
    seen: set[Node] = set()
    stack = [(root, False) for root in roots if isinstance(root, Node)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            for edge in node.edges:
                if edge is not None and isinstance(edge[0], Node) and edge[0] not in seen:
                    stack.append((edge[0], False))
    order.reverse()
    return order
    # END SOLUTION


def run_hooks(meta: TensorMeta, g: Tensor) -> Tensor:
    """Call the tensor's hooks in the order they were registered, each with the gradient so far.

    A hook returns None (keep the gradient) or a Tensor that replaces it. A replacement of another
    type raises TypeError; of another shape or dtype, RuntimeError (PyTorch's messages:
    ``"hook 'NAME' has changed the size of value"`` / ``"... the type of value"``). The hooks are
    the values of the dict ``meta.hooks``; iterate over a copy (a hook may remove itself).
    """
    # BEGIN SOLUTION 2.16 hooks: call each hook, check and use what it returns
    for hook in list(meta.hooks.values()):
        replaced = hook(g)
        if replaced is None:
            continue
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
    # END SOLUTION


def add_gradients(a: Tensor | None, b: Tensor, create_graph: bool) -> Tensor:
    """``a + b`` (``b`` when there is no ``a``); recorded only under ``create_graph``."""
    if a is None:
        return b
    return a + b if create_graph else Tensor._wrap(a.array + b.array)


class BackwardPass:
    """One backward pass, from the outputs' gradients to the leaves'.

    ``backward()`` accumulates into every leaf's ``.grad``; ``grad(outputs, inputs)`` hands the
    gradients of ``inputs`` back in ``results`` and touches no ``.grad``.
    """

    def __init__(self, create_graph: bool, retain_graph: bool,
                 inputs: Sequence[Tensor] | None = None) -> None:
        self.create_graph = create_graph
        self.retain_graph = retain_graph
        self.accumulate = inputs is None
        self.results: list[Tensor | None] = [None] * len(inputs or ())
        self.wanted: dict[Any, list[int]] = {}  # leaf, or (node, output_nr) -> input positions
        for i, t in enumerate(inputs or ()):
            target, nr = edge_to(t)[:2]
            key = target if isinstance(target, Tensor) else (target, nr)
            self.wanted.setdefault(key, []).append(i)
        self.shared: set[int] = set()  # ids of gradients someone else holds: never a .grad as is

    def run(self, roots: list[Edge], grads: list[Tensor]) -> None:
        """Backpropagate ``grads`` (one per root edge) through the graph.

        ``buffers`` maps each node to the list of gradients summed so far for its outputs, and each
        leaf tensor to its gradient: :meth:`send` adds into it. Seed it with the roots' gradients,
        then for each node of :func:`topological_order`: pop its gradients (none arrived: skip
        it), give them to :meth:`node_ready` if it has hooks (``node.hooked``) or ``grad()``
        wants something (``self.wanted``), compute the inputs' gradients with ``node.apply``,
        release the node unless ``self.retain_graph``, and :meth:`send` each input's gradient
        along its edge (skip None gradients and None edges), fitted first with
        :func:`~tinytorch.autograd.accumulate.fit_to_input` (an edge is ``(target, output_nr,
        shape, dtype)``). At the end only leaves are left in ``buffers``: :meth:`leaf_ready` each.
        """
        # BEGIN SOLUTION 2.5 backward walk: each node once, in topological order
        buffers: dict[Any, Any] = {}
        for edge, g in zip(roots, grads):
            self.send(buffers, edge, g)
        for node in topological_order([edge[0] for edge in roots]):
            node_grads = buffers.pop(node, None)
            if node_grads is None:
                continue
            if node.hooked or self.wanted:
                self.node_ready(node, node_grads)
            input_grads = node.apply(node_grads)
            if not self.retain_graph:
                node.release()
            for edge, g in zip(node.edges, input_grads):
                if edge is not None and g is not None:
                    self.send(buffers, edge, fit_to_input(g, edge[2], edge[3]))
        for leaf, g in buffers.items():
            self.leaf_ready(leaf, g)
        # END SOLUTION

    def send(self, buffers: dict[Any, Any], edge: Edge, g: Tensor) -> None:
        """Add ``g`` to the gradient waiting at the edge's target (a node's output, or a leaf)."""
        target, output_nr = edge[0], edge[1]
        if isinstance(target, Tensor):
            buffers[target] = add_gradients(buffers.get(target), g, self.create_graph)
            return
        slots = buffers.get(target)
        if slots is None:
            slots = buffers[target] = [None] * target.n_outputs
        slots[output_nr] = add_gradients(slots[output_nr], g, self.create_graph)

    def node_ready(self, node: Node, grads: list[Tensor | None]) -> None:
        """A non-leaf's gradients are complete: run its tensors' hooks (in place in ``grads``),
        keep retained ``.grad`` s, and capture what ``grad()`` asked for."""
        for nr, meta in (node.hooked or {}).items():
            if grads[nr] is None:
                continue
            if meta.hooks:
                grads[nr] = run_hooks(meta, grads[nr])
            tensor = meta.ref() if meta.retain else None
            if tensor is not None:  # retained grads add up across passes, as leaves' do
                g = grads[nr] if self.create_graph else grads[nr].detach()
                tensor.grad = g if tensor.grad is None else add_gradients(tensor.grad, g,
                                                                         self.create_graph)
                self.shared.add(id(grads[nr]))
        for nr, g in enumerate(grads):
            for i in self.wanted.get((node, nr), ()):
                self.results[i] = g
                self.shared.add(id(g))

    def leaf_ready(self, leaf: Tensor, g: Tensor) -> None:
        """A leaf's gradient is complete: run its hooks, then hand it back (``grad()``) and/or
        accumulate it into ``.grad`` (``backward()``)."""
        meta = leaf._autograd_meta
        if meta is not None and meta.hooks:
            g = run_hooks(meta, g)
        for i in self.wanted.get(leaf, ()):
            self.results[i] = g
            self.shared.add(id(g))
        if self.accumulate:
            accumulate(leaf, g, self.create_graph, self.shared)


def root_gradients(outputs: Sequence[Any], grads: Sequence[Any]) -> list[Tensor]:
    """The gradient each output starts with: the one given (lifted to a Tensor of the output's
    shape and dtype), or ones for a one-element output."""
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


def run_backward(outputs: Sequence[Tensor], grad_outputs: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Tensor] | None = None
                 ) -> list[Tensor | None]:
    """Backpropagate from ``outputs``, weighted by ``grad_outputs`` (None: ones). Without
    ``inputs``, accumulate into every leaf's ``.grad`` and return []; with ``inputs``, return
    their gradients and touch no ``.grad``."""
    previous = state.enabled
    state.enabled = create_graph  # rules run under no_grad unless create_graph
    try:
        grads = root_gradients(outputs, grad_outputs)
        backward_pass = BackwardPass(create_graph, retain_graph, inputs)
        backward_pass.shared.update(id(g) for g in grads)  # the caller's: never a .grad as is
        backward_pass.run([edge_to(t) for t in outputs], grads)
    finally:
        state.enabled = previous
    return backward_pass.results
