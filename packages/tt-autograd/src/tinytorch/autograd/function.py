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

If backward is written with Tensor ops, ``create_graph=True`` gives higher-order gradients.
"""

from __future__ import annotations

import inspect
from typing import Any

from tinytorch.tensor import Tensor

from .grad_mode import state
from .graph import Node, TensorMeta, version_error, zeros

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx(Node):
    """The ``ctx`` of a :class:`Function`: also the graph node (``grad_fn``) of its outputs."""

    function: type[Function]

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (inputs, outputs or other tensors; None allowed) for backward."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self._to_save = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None (not zeros) for outputs that received no gradient."""
        self._materialize = bool(value)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to :meth:`save_for_backward`, checked for in-place changes."""
        if self.released:
            raise self._freed_error()
        result = []
        for i, (item, version) in enumerate(zip(self._saved, self._versions)):
            if type(item) is tuple:  # one of our outputs: (data, version counter, output_nr)
                data, counter, nr = item
                t = Tensor._wrap(data)
                t._version_counter = counter
                if state.enabled:  # create_graph: the output stays a function of the inputs
                    t.grad_fn, t._requires_grad = self, True
                    if nr:
                        meta = t._autograd_meta = TensorMeta()
                        meta.output_nr = nr
                item = t
            if item is not None and item._version_counter[0] != version:
                raise version_error(item, f"saved tensor {i}", self, version)
            result.append(item)
        return tuple(result)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Outputs that never get a gradient (indices, masks)."""
        self._non_diff = {id(o) for o in outputs}

    def _backward(self, grads: list[Any]) -> tuple[Any, ...]:
        # A released ctx fails only if backward reads saved_tensors, as in PyTorch.
        if self.n_out > 1 and getattr(self, "_materialize", True):
            grads = [zeros(shape, dtype) if g is None and dtype is not None else g
                     for g, (shape, dtype) in zip(grads, self._out_meta)]
        function = self.function
        user_backward = function.backward
        if function.vjp is not Function.vjp:  # ``vjp`` is PyTorch's alias of ``backward``
            user_backward = function.vjp
        result = user_backward(self, *grads)
        if type(result) is not tuple:
            result = tuple(result) if isinstance(result, list) else (result,)
        n = len(self.edges)
        if len(result) != n:
            if len(result) < n or any(g is not None for g in result[n:]):
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n}, got {len(result)})")
            result = result[:n]
        return result

    def _release(self) -> None:
        self.released = True
        self._saved = ()


class Function:
    """Subclass with static ``forward(ctx, ...)`` and ``backward(ctx, *grads)``; call ``apply``."""

    _ctx_class: type[FunctionCtx] | None = None

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
    def _node_class(cls) -> type[FunctionCtx]:
        """``MyOpBackward``: the node class for this Function, made once and cached."""
        found = cls.__dict__.get("_ctx_class")
        if found is None:
            found = type(f"{cls.__name__}Backward", (FunctionCtx,), {"function": cls})
            cls._ctx_class = found
        return found

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording, then record one node for the whole op."""
        # BEGIN SOLUTION 2.8 Function.apply: run forward under no_grad, wire the outputs to ctx
        new_style = cls.setup_context is not Function.setup_context
        if new_style and kwargs:  # setup_context sees every input as positional, as in PyTorch
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, {}
        ctx = cls._node_class().__new__(cls._node_class())
        ctx._to_save = ()
        enabled = state.enabled
        edges: list[Any] = []
        wanted = False
        for a in args:
            if enabled and isinstance(a, Tensor) and a._requires_grad:
                fn, meta = a.grad_fn, a._autograd_meta
                edges.append((fn if fn is not None else a,
                              meta.output_nr if fn is not None and meta is not None else 0,
                              a.array.shape, a.array.dtype))
                wanted = True
            else:
                edges.append(None)
        ctx.edges = tuple(edges)
        state.enabled = False
        try:
            if not new_style:
                out = cls.forward(ctx, *args, **kwargs)
            else:  # new style: forward without ctx, then setup_context(ctx, inputs, output)
                out = cls.forward(*args)
                cls.setup_context(ctx, args, out)
        finally:
            state.enabled = enabled
        if not wanted:
            return out
        single = not isinstance(out, tuple)
        outputs = [out] if single else list(out)
        non_diff = getattr(ctx, "_non_diff", ())
        ctx.released, ctx.hooked, ctx.n_out = False, None, len(outputs)
        ctx._out_meta = []
        for i, o in enumerate(outputs):
            if not isinstance(o, Tensor):
                ctx._out_meta.append(((), None))
                continue
            if any(o is a for a in args) or o.grad_fn is not None:
                o = outputs[i] = Tensor._wrap(o.array, view_of=o)  # never rewire an input
            ctx._out_meta.append((o.array.shape, o.array.dtype))
            if o.array.dtype.kind == "f" and id(o) not in non_diff:
                o.grad_fn, o._requires_grad = ctx, True
                if i:
                    o._autograd_meta = TensorMeta()
                    o._autograd_meta.output_nr = i
        saved, versions = [], []
        for t in ctx._to_save:
            position = next((i for i, o in enumerate(outputs) if o is t), None)
            if position is not None:  # an output: do not keep a reference cycle ctx <-> output
                saved.append((t.array, t._version_counter, position))
            else:
                saved.append(t)
            versions.append(t._version_counter[0] if t is not None else 0)
        ctx._saved, ctx._versions = tuple(saved), tuple(versions)
        del ctx._to_save
        return outputs[0] if single else tuple(outputs)
        # END SOLUTION
