"""``Function``: a custom op whose forward and backward you write yourself.

This is the extension point later parts use for ops whose backward they own (convolution, fused
attention, cross-entropy)::

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return Tensor(x.array ** 3)          # any NumPy code; runs under no_grad

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x             # Tensor ops: differentiable again

    y = Cube.apply(x)

* ``forward(ctx, *args, **kwargs)`` gets the same arguments as ``apply``; tensors and anything
  else (ints, tuples, arrays) are allowed. It runs with recording off, so write it with NumPy or
  Tensor ops as you like; return one Tensor or a tuple of Tensors.
* ``backward(ctx, *grads)`` gets one gradient per output (zeros for outputs that got none) and
  returns one gradient per positional argument of ``forward`` (None for non-tensors or for inputs
  that need none; ``ctx.needs_input_grad`` says which are wanted). Gradients may be broadcast-
  shaped or of another float dtype: the engine sums and casts them to each input's shape and dtype.
* ``ctx.save_for_backward(*tensors)`` keeps tensors for backward, checked against in-place changes
  when read back through ``ctx.saved_tensors``; other values can be set as ``ctx.anything``.
* PyTorch 2 style works too: ``forward(*args)`` without ctx, plus
  ``setup_context(ctx, inputs, output)`` to save what backward needs.

If backward is written with Tensor ops, ``create_graph=True`` gives higher-order gradients.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from .grad_mode import state
from .graph import Edge, Node, TensorMeta, check_version, edge_to, saved_output

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx(Node):
    """The ``ctx`` of a :class:`Function`: also the graph node (``grad_fn``) of its outputs."""

    def __init__(self, function: type[Function], edges: tuple[Edge | None, ...]) -> None:
        super().__init__(edges)
        self._function = function
        self.n_outputs = 1
        self._materialize_grads = True
        self._non_differentiable: set[int] = set()
        self._to_save: tuple[Tensor | None, ...] = ()
        self._saved: tuple[Any, ...] = ()  # a tensor, or (array, version counter, output_nr)
        self._versions: tuple[int, ...] = ()
        self._output_meta: list[tuple[tuple[int, ...], np.dtype | None]] = []

    def name(self) -> str:
        return f"{self._function.__name__}Backward"

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (inputs, outputs or other tensors; None allowed) for backward."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self._to_save = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None (not zeros) for outputs that received no gradient."""
        self._materialize_grads = bool(value)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Outputs that never get a gradient (indices, masks)."""
        self._non_differentiable = {id(o) for o in outputs}

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to :meth:`save_for_backward`, checked for in-place changes."""
        if self.released:
            raise self.freed_error()
        result = []
        for i, (item, version) in enumerate(zip(self._saved, self._versions)):
            if type(item) is tuple:  # one of our own outputs
                item = saved_output(self, *item)
            if item is not None:
                check_version(item, version, f"saved tensor {i}", self)
            result.append(item)
        return tuple(result)

    def keep_saved(self, outputs: list[Any]) -> None:
        """Freeze what ``save_for_backward`` got, with versions. An output is kept as its array
        (no reference cycle output -> grad_fn -> output) and wrapped again when read."""
        saved = []
        for t in self._to_save:
            nr = next((i for i, o in enumerate(outputs) if o is t), None)
            saved.append(t if nr is None else (t.array, t._version_counter, nr))
        self._saved = tuple(saved)
        self._versions = tuple(0 if t is None else t._version_counter[0] for t in self._to_save)
        self._to_save = ()

    def apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        # A released ctx fails only if backward reads saved_tensors, as in PyTorch.
        if self.n_outputs > 1 and self._materialize_grads:
            grads = [Tensor._wrap(np.zeros(shape, dtype)) if g is None and dtype is not None
                     else g for g, (shape, dtype) in zip(grads, self._output_meta)]
        backward = self._function.backward
        if self._function.vjp is not Function.vjp:  # ``vjp`` is PyTorch's alias of ``backward``
            backward = self._function.vjp
        result = backward(self, *grads)
        if type(result) is not tuple:
            result = tuple(result) if isinstance(result, list) else (result,)
        n = len(self.edges)
        if len(result) < n or any(g is not None for g in result[n:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(result)})")
        return result[:n]

    def release(self) -> None:
        self.released = True
        self._saved = ()


class Function:
    """Subclass with static ``forward(ctx, ...)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx: FunctionCtx, *grads: Any) -> Any:
        """PyTorch's other name for :meth:`backward`; define one of the two."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> Any:
        """Optional (PyTorch 2 style): with it, ``forward(*args)`` takes no ctx, and this saves
        what backward needs from the inputs and the output."""
        raise NotImplementedError("setup_context is not overridden")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Legacy autograd function with non-static forward method is not "
                           f"supported: call {type(self).__name__}.apply(...) instead")

    @classmethod
    def run_forward(cls, ctx: FunctionCtx, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``forward`` in either style: ``forward(ctx, *args, **kwargs)``, or PyTorch 2's
        ``forward(*args)`` then ``setup_context(ctx, inputs, output)`` (keyword arguments bound
        to positions first: setup_context sees every input as positional)."""
        if cls.setup_context is Function.setup_context:
            return cls.forward(ctx, *args, **kwargs)
        bound = inspect.signature(cls.forward).bind(*args, **kwargs)
        bound.apply_defaults()
        out = cls.forward(*bound.args)
        cls.setup_context(ctx, bound.args, out)
        return out

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording, then record one node, ``ctx``, for the whole op.

        1. Make ``ctx = FunctionCtx(cls, edges)``: one edge per positional argument, ``edge_to(a)``
           for a Tensor that requires grad while recording is on (``state.enabled``), else None.
        2. Run :meth:`run_forward` with recording off (``state.enabled = False``; restore it in a
           ``finally``). If no edge is set, return its result as it is: nothing to record.
        3. Wire the outputs (one Tensor or a tuple): record each one's ``(shape, dtype)`` in
           ``ctx._output_meta`` (``((), None)`` for a non-Tensor); an output that is an input or
           already has a ``grad_fn`` is first replaced by ``Tensor._wrap(o.array, view_of=o)``
           (never rewire a tensor the caller holds). A float output not marked
           non-differentiable gets ``grad_fn = ctx`` and ``_requires_grad = True``, and output
           ``i > 0`` a ``TensorMeta(i)`` as ``_autograd_meta`` (which output it is).
        4. Set ``ctx.n_outputs``, call ``ctx.keep_saved(outputs)``, and return the outputs in the
           form forward returned them.
        """
        # BEGIN SOLUTION 2.14 Function.apply: forward without recording, then wire outputs to ctx
        recording = state.enabled
        ctx = FunctionCtx(cls, tuple(
            edge_to(a) if recording and isinstance(a, Tensor) and a._requires_grad else None
            for a in args))
        state.enabled = False
        try:
            out = cls.run_forward(ctx, args, kwargs)
        finally:
            state.enabled = recording
        if all(edge is None for edge in ctx.edges):
            return out
        outputs = [out] if not isinstance(out, tuple) else list(out)
        for i, o in enumerate(outputs):
            if not isinstance(o, Tensor):
                ctx._output_meta.append(((), None))
                continue
            if o.grad_fn is not None or any(o is a for a in args):
                o = outputs[i] = Tensor._wrap(o.array, view_of=o)
            ctx._output_meta.append((o.array.shape, o.array.dtype))
            if o.array.dtype.kind == "f" and id(o) not in ctx._non_differentiable:
                o.grad_fn, o._requires_grad = ctx, True
                if i:
                    o._autograd_meta = TensorMeta(i)
        ctx.n_outputs = len(outputs)
        ctx.keep_saved(outputs)
        return outputs[0] if not isinstance(out, tuple) else tuple(outputs)
        # END SOLUTION
