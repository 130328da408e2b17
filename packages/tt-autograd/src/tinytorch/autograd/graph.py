"""The graph: one :class:`Node` per recorded op, with edges to the nodes that made its inputs.

A node is what a tensor's ``grad_fn`` points to. It holds

* ``edges``: for each input of the op, ``(fn, output_nr, shape, dtype)`` or None. ``fn`` is the
  input's own ``grad_fn`` *as it was when the op ran* (so an in-place op that later gives the input
  a new ``grad_fn`` does not rewire this node), or the input tensor itself when it is a leaf that
  requires grad. ``shape`` and ``dtype`` are the input's, so the engine can give every gradient
  back in its input's shape and dtype. None marks an input that needs no gradient.
* the tensors its backward rule reads (inputs and/or the output), each with the version it had
  when the op ran: if one was modified in place since, backward raises instead of computing a
  silently wrong gradient.

Nodes are freed (their saved tensors dropped) once backward has used them, unless
``retain_graph=True``; a second backward through them raises an error that says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from .grad_mode import state

__all__ = ["Node", "OpNode", "TensorMeta", "AccumulateGrad", "meta_of"]

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to read saved tensors after they were "
    "freed): {name} was already used by a backward pass, which frees the graph. Specify "
    "retain_graph=True in the first backward() or grad() call if you need to backward through the "
    "graph a second time.")


class TensorMeta:
    """The per-tensor state autograd keeps in ``Tensor._autograd_meta``."""

    __slots__ = ("hooks", "retain", "ref", "output_nr")

    def __init__(self) -> None:
        self.hooks: dict[int, Any] = {}
        self.retain = False
        self.ref: Any = None  # weakref to the tensor, for retain_grad on non-leaves
        self.output_nr = 0  # which output of its grad_fn the tensor is (multi-output Functions)


def meta_of(tensor: Tensor) -> TensorMeta:
    """The tensor's autograd state, created on first use."""
    meta = tensor._autograd_meta
    if meta is None:
        meta = tensor._autograd_meta = TensorMeta()
    return meta


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf: the place its gradient is accumulated."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class Node:
    """Base of every graph node (ops of part 1 and user :class:`Function` s)."""

    __slots__ = ("edges", "released", "hooked", "__weakref__")
    n_out = 1  # how many outputs the op has (Functions may have several)

    # -- what the engine calls ------------------------------------------------------------------

    def _backward(self, grads: list[Any]) -> tuple[Any, ...]:
        """Gradients of the inputs (one per edge, None allowed) from the outputs' ``grads``."""
        raise NotImplementedError

    def _release(self) -> None:
        """Drop the saved tensors: after this the node can no longer run backward."""
        self.released = True

    # -- introspection --------------------------------------------------------------------------

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """``(node, output_nr)`` per input, as in PyTorch (``(None, 0)`` for no gradient)."""
        result = []
        for edge in self.edges:
            if edge is None:
                result.append((None, 0))
            elif isinstance(edge[0], Tensor):
                result.append((AccumulateGrad(edge[0]), 0))
            else:
                result.append((edge[0], edge[1]))
        return tuple(result)

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether a gradient for it is wanted."""
        return tuple(edge is not None for edge in self.edges)

    def _freed_error(self) -> RuntimeError:
        return RuntimeError(FREED_MESSAGE.format(name=self.name()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _describe(t: Tensor) -> str:
    return f"[{t.dtype.name} tensor of shape {tuple(t.shape)}]"


def version_error(t: Tensor, what: str, node: Node, saved: int) -> RuntimeError:
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {_describe(t)}, which is {what} of {node.name()}, is at version "
        f"{t._version}; expected version {saved} instead. Hint: compute on a .clone(), or do the "
        "in-place change before the op that uses the tensor.")


class OpNode(Node):
    """A node for an op of part 1; its backward rule is the class attribute ``rule``.

    One subclass per op is made by :func:`tinytorch.autograd.rules.rule` (``MulBackward``...).
    Rules read ``ctx.inputs``, ``ctx.output``, ``ctx.saved`` (the op's own saved values, such as
    ``dim``), ``ctx.shape`` (the first input's shape) and ``ctx.needs_input_grad``.
    """

    __slots__ = ("inputs", "versions", "out_data", "out_counter", "out_version", "saved")
    op = ""
    save_inputs = False
    save_output = False
    rule: Any = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.edges[0][2]

    @property
    def output(self) -> Tensor:
        """The op's result. Under ``create_graph`` it is wired to this node, so a rule that uses
        it (``exp``: ``g * out``) stays differentiable."""
        t = Tensor._wrap(self.out_data)
        t._version_counter = self.out_counter
        if state.enabled:
            t.grad_fn, t._requires_grad = self, True
        return t

    def _backward(self, grads: list[Any]) -> tuple[Any, ...]:
        if self.released and (self.save_inputs or self.save_output):
            raise self._freed_error()  # a node that saved nothing may run again, as in PyTorch
        if self.save_inputs:
            for i, (t, v) in enumerate(zip(self.inputs, self.versions)):
                if t._version_counter[0] != v:
                    raise version_error(t, f"input {i}", self, v)
        if self.save_output and self.out_counter[0] != self.out_version:
            raise version_error(self.output, "output 0", self, self.out_version)
        result = self.rule(self, grads[0])
        return result if type(result) is tuple else (result,)

    def _release(self) -> None:
        self.released = True
        self.inputs = self.out_data = None


def zeros(shape: tuple[int, ...], dtype: np.dtype) -> Tensor:
    return Tensor._wrap(np.zeros(shape, dtype))
