"""The one Tensor class: an ``np.ndarray`` plus the dormant state that autograd brings to life.

A Tensor holds ``.array`` (a NumPy array) and the gradient attributes ``requires_grad``, ``grad``
and ``grad_fn``. ``.array`` is the one name implementers use for the values; user code uses
``.data`` (a detached Tensor sharing the values, as in PyTorch) and ``.numpy()``. The ops live in
one file per concept and are mixed in here:

==================  ==========================================================================
``arithmetic.py``   ``+ - * / // % **``, maximum/minimum, fmod, atan2, lerp
``unary.py``        exp/log, sqrt, trigonometric and hyperbolic functions, sigmoid, relu, clamp
``comparison.py``   ``== < >=``..., isclose/isnan, logical and bitwise ops (bool results)
``masking.py``      ``where``, ``masked_fill``
``inplace.py``      ``add_``, ``+=``, ``zero_``, ``normal_``...: the in-place forms
``reductions.py``   sum, mean, max, var, norm, logsumexp, softmax, argmax, histc
``cumulative.py``   cumsum, cumprod, cummax, cummin
``sorting.py``      sort, argsort, topk
``linalg.py``       matmul, einsum, diag, tril/triu
``shape.py``        reshape/view, squeeze, permute/movedim, expand, flip, roll, repeat
``joining.py``      cat/stack, split/chunk/unbind, narrow, pad
``indexing.py``     ``t[...]``, ``t[...] = v``, gather, scatter
``windows.py``      ``unfold``: sliding windows for convolution
``conversion.py``   ``to``, ``type``, ``float()``..., ``cpu()``, ``numpy()``, ``item()``
``random.py``       ``multinomial`` (with generators and seeding)
==================  ==========================================================================

The rest of the package: ``dtypes.py`` (dtypes and promotion), ``device.py`` and ``cuda.py`` (the
CPU), ``creation.py`` (``tensor``, ``zeros``, ``randn``...), ``functions.py`` (``tt.exp(x)``
spellings), ``printing.py`` (repr) and ``extensions.py`` (the hooks part 2 and part 6 plug into).

Every differentiable op computes its result with NumPy and then calls :func:`Tensor._make`, which
reports the op to the gradient recorder (see :mod:`tinytorch.tensor.extensions`) when an input
requires grad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import extensions as _ext
from .arithmetic import ArithmeticOps
from .comparison import ComparisonOps
from .conversion import ConversionOps
from .cumulative import CumulativeOps
from .dtypes import DType, as_array, cast, from_numpy_dtype
from .indexing import IndexingOps
from .inplace import InplaceOps
from .joining import JoiningOps
from .linalg import LinalgOps
from .masking import MaskingOps
from .printing import format_tensor
from .random import RandomOps
from .reductions import ReductionOps
from .shape import ShapeOps
from .sorting import SortingOps
from .unary import UnaryOps
from .windows import WindowOps

__all__ = ["Tensor"]


class Tensor(ArithmeticOps, UnaryOps, ComparisonOps, MaskingOps, InplaceOps, ReductionOps,
             CumulativeOps, SortingOps, LinalgOps, ShapeOps, JoiningOps, IndexingOps, WindowOps,
             ConversionOps, RandomOps):
    """An n-dimensional array with optional gradient tracking.

    Attributes:
        array: the NumPy array holding the values. This is how the library's own code (and a
            student implementing an op) reaches the values; user code uses ``.data``/``.numpy()``.
        grad: the accumulated gradient (a Tensor) once ``backward`` has run, else None.
        grad_fn: the graph node that made this tensor (None for leaves).
    """

    __slots__ = ("array", "_requires_grad", "_grad", "grad_fn", "_version_counter",
                 "_autograd_meta", "_base", "__weakref__")
    __array_ufunc__ = None  # ``ndarray + Tensor`` defers to Tensor.__radd__

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self._init(as_array(data, dtype), [0])
        if requires_grad:
            self.requires_grad = True

    def _init(self, array: np.ndarray, version_counter: list[int]) -> None:
        """Set every slot: the one place where a Tensor's state is laid out."""
        self.array = array
        self._requires_grad = False
        self._grad: Tensor | None = None
        self.grad_fn: Any = None  # the graph node that made this tensor (None for leaves)
        self._version_counter = version_counter  # shared with views: in-place ops bump it
        self._autograd_meta: Any = None  # owned by the gradient engine (hooks, retain_grad)
        self._base: Tensor | None = None  # the tensor a view op (slice, reshape...) viewed

    # -- construction helpers used by every op --------------------------------------------------

    @staticmethod
    def _wrap(data: np.ndarray, view_of: Tensor | None = None) -> Tensor:
        """A Tensor around ``data`` without copying. Views share their base's version counter."""
        t = object.__new__(Tensor)
        if view_of is not None and np.may_share_memory(data, view_of.array):
            t._init(data, view_of._version_counter)
        else:
            t._init(data, [0])
        return t

    @staticmethod
    def _make(op: str, data: np.ndarray, inputs: tuple[Tensor, ...],
              view_of: Tensor | None = None, **saved: Any) -> Tensor:
        """Wrap an op's result and report ``op`` to the gradient recorder if an input needs grad.

        ``saved`` holds what the backward rule of ``op`` needs besides inputs and output
        (a dim, a shape, an index...).
        """
        out = Tensor._wrap(data, view_of)
        if view_of is not None and out._version_counter is view_of._version_counter:
            out._base = view_of._base if view_of._base is not None else view_of
        for t in inputs:
            if t._requires_grad:
                recorder = _ext._recorder
                if recorder is not None:
                    node = recorder.record(op, inputs, out, saved)
                    if node is not None:
                        out.grad_fn = node
                        out._requires_grad = True
                break
        return out

    def _lift(self, value: Any, dtype: DType | None = None) -> Tensor:
        """``value`` as a Tensor: Tensors pass through, arrays are wrapped, Python numbers become
        0-d constants of ``dtype`` (self's dtype by default; the cast wraps as PyTorch's does)."""
        if isinstance(value, Tensor):
            return value
        if isinstance(value, np.ndarray):
            return Tensor(value)
        if not isinstance(value, (bool, int, float, np.number, np.bool_)):
            raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")
        target = (dtype or self.dtype).numpy
        if target.char in "fd":  # float32 or float64: any number fits
            return Tensor._wrap(np.asarray(value, dtype=target))
        return Tensor._wrap(cast(np.asarray(value), target))  # ints wrap, float16 may overflow

    # -- attributes -----------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def dtype(self) -> DType:
        return from_numpy_dtype(self.array.dtype)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of one dim (PyTorch's ``size``; NumPy's ``size`` is numel)."""
        if dim is None:
            return self.array.shape
        return self.array.shape[self._dim(dim)]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return self.array.size

    nelement = numel

    def element_size(self) -> int:
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        return self.array.nbytes

    @property
    def itemsize(self) -> int:
        return self.array.itemsize

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self.array.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        """Strides in elements (not bytes), as in PyTorch."""
        strides = tuple(s // self.array.itemsize for s in self.array.strides)
        return strides if dim is None else strides[self._dim(dim)]

    @property
    def _version(self) -> int:
        """How many times this tensor's storage was modified in place (shared by views)."""
        return self._version_counter[0]

    def _bump_version(self) -> None:
        self._version_counter[0] += 1

    # -- gradient attributes (dormant until tt-autograd is installed) ---------------------------

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value:
            _ext.require_gradient_recorder("requires_grad=True")
            if not self.is_floating_point():
                raise RuntimeError(
                    f"only floating point tensors can require gradients, got dtype {self.dtype.name}")
        elif self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad can only be turned off on leaf tensors; use .detach() instead")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient once ``backward`` has run, else None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        """Only None or a Tensor of this tensor's shape and dtype, as in PyTorch."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of shape {value.shape} to a "
                                   f"tensor of shape {self.shape}; they must be the same")
            if value.array.dtype != self.array.dtype:
                raise RuntimeError(f"attempting to assign a gradient of dtype "
                                   f"{value.dtype.name} to a tensor of dtype {self.dtype.name}; "
                                   "they must be the same")
        self._grad = value

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (needs tt-autograd); with
        ``inputs``, only into those tensors."""
        recorder = _ext.require_gradient_recorder("backward()")
        if inputs is None:
            recorder.backward(self, gradient, retain_graph, create_graph)
        else:
            recorder.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (needs tt-autograd)."""
        _ext.require_gradient_recorder("retain_grad()").retain_grad(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed (needs tt-autograd)."""
        return _ext.require_gradient_recorder("register_hook()").register_hook(self, hook)

    @property
    def data(self) -> Tensor:
        """The same values (shared memory) as a Tensor cut from the graph, as ``torch.Tensor.data``.

        Changes made through it are not recorded: ``p.data += -lr * p.grad`` updates ``p`` in
        place without autograd seeing it.
        """
        return Tensor._wrap(self.array)

    @data.setter
    def data(self, value: Tensor) -> None:
        """``t.data = other`` makes ``t`` hold ``other``'s values (shared, not copied)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be set to a Tensor, got {type(value).__name__}")
        if self._requires_grad and value.array.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               f"point, got dtype {value.dtype.name}")
        self.array = value.array

    def detach(self) -> Tensor:
        """The same values (shared memory), cut from the graph."""
        return Tensor._wrap(self.array, view_of=self)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    # -- Python protocol ------------------------------------------------------------------------

    def __repr__(self) -> str:
        return format_tensor(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:  # f"{t}" and f"{t:.2f}" format the number, as in PyTorch
            return format(self.array.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    __hash__ = object.__hash__  # ``==`` is elementwise, identity is the hash (as in PyTorch)

    def __reduce__(self) -> Any:
        raise TypeError("TinyTorch tensors are not pickled; save them with tinytorch.nn.save "
                        "(a .npz file) or convert with .numpy()")

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError("only leaf tensors (made by the user) support deepcopy")
        copied = Tensor._wrap(self.array.copy())
        copied._requires_grad = self._requires_grad
        if self._grad is not None:
            copied._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = copied
        return copied

    # -- helpers shared by the op files ---------------------------------------------------------

    def _dim(self, dim: int, extra: int = 0) -> int:
        """``dim`` made non-negative, or an IndexError naming the ndim (``extra`` allows ndim+1
        positions, as unsqueeze does)."""
        n = max(self.array.ndim + extra, 1)
        if type(dim) is not int and (not isinstance(dim, (int, np.integer)) or isinstance(dim, bool)):
            raise TypeError(f"dim must be an int, got {type(dim).__name__}")
        if not -n <= dim < n:
            raise IndexError(
                f"Dimension out of range: dim {dim} for a tensor with ndim {self.array.ndim} "
                f"(expected a dim in [{-n}, {n - 1}])")
        return int(dim) + n if dim < 0 else int(dim)
