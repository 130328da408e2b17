"""The graph: one node per recorded op, with an edge to wherever each input's gradient goes.

A tensor's ``grad_fn`` is a :class:`Node`. Its ``edges`` hold, for each input of the op, an
:data:`Edge` ``(target, output_nr, shape, dtype)`` or None (the input needs no gradient):

* ``target`` is the input's own ``grad_fn`` *as it was when the op ran* (an in-place op that later
  gives the input a new ``grad_fn`` does not rewire this node), or the input tensor itself when it
  is a leaf; ``output_nr`` says which output of ``target`` the input was (Functions may have
  several);
* ``shape`` and ``dtype`` are the input's, so that the engine gives each gradient back in its
  input's shape and dtype.

A node keeps the tensors its backward reads, with the version each had when the op ran: if one was
modified in place since, backward raises instead of computing a silently wrong gradient. Once
backward has used a node it drops them (unless ``retain_graph=True``); a second backward through it
raises an error that says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from .grad_mode import state

__all__ = ["Node", "OpNode", "Edge", "TensorMeta", "AccumulateGrad", "edge_to", "meta_of",
           "saved_output", "check_version"]

Edge = tuple[Any, int, tuple[int, ...], np.dtype]
"""``(target, output_nr, shape, dtype)``: a grad_fn (or leaf tensor), which of its outputs, and the
input's shape and dtype."""

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to read saved tensors after they were "
    "freed): {name} was already used by a backward pass, which frees the graph. Specify "
    "retain_graph=True in the first backward() or grad() call if you need to backward through the "
    "graph a second time.")


class TensorMeta:
    """The per-tensor state autograd keeps in ``Tensor._autograd_meta``."""

    __slots__ = ("hooks", "retain", "ref", "output_nr")

    def __init__(self, output_nr: int = 0) -> None:
        self.hooks: dict[int, Any] = {}
        self.retain = False  # retain_grad() was called: keep this non-leaf's .grad
        self.ref: Any = None  # weakref to the tensor, for retain_grad on non-leaves
        self.output_nr = output_nr  # which output of its grad_fn the tensor is


def meta_of(tensor: Tensor) -> TensorMeta:
    """The tensor's autograd state, created on first use."""
    meta = tensor._autograd_meta
    if meta is None:
        meta = tensor._autograd_meta = TensorMeta()
    return meta


def edge_to(t: Tensor) -> Edge:
    """The edge a node keeps for its input ``t`` (a tensor that requires grad)."""
    fn = t.grad_fn
    if fn is None:  # a leaf: its gradient is accumulated into t.grad
        return (t, 0, t.array.shape, t.array.dtype)
    meta = t._autograd_meta
    return (fn, 0 if meta is None else meta.output_nr, t.array.shape, t.array.dtype)


class Node:
    """Base of every graph node: the ops of part 1 (:class:`OpNode`) and user Functions."""

    __slots__ = ("edges", "hooked", "released", "__weakref__")
    n_outputs = 1

    def __init__(self, edges: tuple[Edge | None, ...]) -> None:
        self.edges = edges
        self.hooked: dict[int, TensorMeta] | None = None  # output_nr -> hooks/retain_grad
        self.released = False

    def apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        """The gradients of the inputs (one per edge) from those of the outputs."""
        raise NotImplementedError

    def release(self) -> None:
        """Drop the saved tensors: after this the node cannot run a backward that reads them."""
        self.released = True

    def name(self) -> str:
        return type(self).__name__

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether a gradient for it is wanted."""
        return tuple(edge is not None for edge in self.edges)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """``(node, output_nr)`` per input, as in PyTorch (``(None, 0)`` for no gradient)."""
        return tuple((None, 0) if edge is None
                     else (AccumulateGrad(edge[0]), 0) if isinstance(edge[0], Tensor)
                     else (edge[0], edge[1]) for edge in self.edges)

    def freed_error(self) -> RuntimeError:
        return RuntimeError(FREED_MESSAGE.format(name=self.name()))

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf: the place its gradient is accumulated."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def check_version(t: Tensor, version: int, what: str, node: Node) -> None:
    """Raise if ``t`` was modified in place since ``node`` saved it (at ``version``)."""
    if t._version_counter[0] != version:
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{t.dtype.name} tensor of shape {tuple(t.shape)}], which is "
            f"{what} of {node.name()}, is at version {t._version}; expected version {version} "
            "instead. Hint: compute on a .clone(), or do the in-place change before the op that "
            "uses the tensor.")


def saved_output(node: Node, data: np.ndarray, counter: list[int], output_nr: int = 0) -> Tensor:
    """An output of ``node`` that its backward reads, wrapped again from its saved array.

    Nodes keep the array, not the output Tensor (that would be a reference cycle: output ->
    grad_fn -> output). Under ``create_graph`` the output is wired back to ``node``, so a backward
    that uses it (``exp``: ``g * out``) stays differentiable.
    """
    t = Tensor._wrap(data)
    t._version_counter = counter
    if state.enabled:
        t.grad_fn, t._requires_grad = node, True
        if output_nr:
            t._autograd_meta = TensorMeta(output_nr)
    return t


class OpNode(Node):
    """The node of one op of part 1; its backward is the rule ``RULES[op]``.

    It is also the ``ctx`` a rule receives: rules read ``ctx.needs_input_grad`` and
    ``ctx.input_shape``.
    """

    __slots__ = ("rule", "saved", "inputs", "versions", "out_data", "out_counter", "out_version")

    def __init__(self, rule: Any, edges: tuple[Edge | None, ...], inputs: tuple[Tensor, ...],
                 output: Tensor, saved: dict[str, Any]) -> None:
        self.edges, self.hooked, self.released = edges, None, False
        self.rule = rule
        self.saved = saved  # the op's own values (dim, index...): the rule's keyword arguments
        if rule.saves_inputs:
            self.inputs = inputs
            self.versions = tuple([t._version_counter[0] for t in inputs])
        if rule.saves_output:
            self.out_data = output.array
            self.out_counter = output._version_counter
            self.out_version = output._version_counter[0]

    def name(self) -> str:
        return self.rule.name

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of the op's first input."""
        return self.edges[0][2]

    def apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        rule = self.rule
        tensors: tuple[Tensor, ...] = ()
        if self.released and (rule.saves_inputs or rule.saves_output):
            raise self.freed_error()  # a node that saved nothing may run again, as in PyTorch
        if rule.saves_inputs:
            for i, (t, version) in enumerate(zip(self.inputs, self.versions)):
                check_version(t, version, f"input {i}", self)
            tensors = self.inputs
        if rule.saves_output:
            out = saved_output(self, self.out_data, self.out_counter)
            check_version(out, self.out_version, "output 0", self)
            tensors += (out,)
        result = rule.backward(self, grads[0], *tensors, **self.saved)
        return result if type(result) is tuple else (result,)

    def release(self) -> None:
        self.released = True
        self.inputs = self.out_data = None
