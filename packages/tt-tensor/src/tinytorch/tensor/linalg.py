"""Linear algebra: matrix products (``matmul`` and friends, ``einsum``) and matrix structure
(``diag``, ``tril``, ``triu``).

``matmul`` follows PyTorch's rules:

=============  ===========================================================
shapes         meaning
=============  ===========================================================
(n,) @ (n,)    dot product -> 0-d
(m,n) @ (n,)   matrix-vector -> (m,)
(n,) @ (n,p)   vector-matrix -> (p,)
(..., m, n) @ (..., n, p)   batched: leading dims broadcast -> (..., m, p)
=============  ===========================================================

Integer products accumulate in the operands' dtype and wrap around on overflow, as in PyTorch:
an int8 product of int8 values is computed modulo 256. Cast to int32 first (``a.int() @ b.int()``)
to accumulate int8 values exactly, as quantized kernels do.

float16 products are computed in float32 and rounded to float16 once (``matmul_arrays``):
NumPy has no float16 matrix multiply (its loop is about 100x slower than BLAS), and PyTorch's
CPU kernels accumulate half-precision products in float32 as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .joining import pad

if TYPE_CHECKING:
    from .tensor import Tensor

_EINSUM_OPTIMIZE_SIZE = 10_000  # NumPy's contraction-order search costs ~20 us: big operands only

__all__ = ["LinalgOps", "einsum", "matmul_arrays"]


def matmul_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)``, except that float16 operands are multiplied in float32 (by BLAS)
    and the result rounded to float16 once."""
    if a.dtype == np.float16 and b.dtype == np.float16:
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    return np.matmul(a, b)


class LinalgOps:
    """Mixed into Tensor: ``@``, matmul, mm, bmm, dot, diag, tril, triu."""

    __slots__ = ()

    # BEGIN SOLUTION 1.6 matmul: check shapes and multiply (batched, 1-D cases included)
    @_ext.op
    def matmul(self: Tensor, other: Tensor) -> Tensor:
        """Matrix product with broadcasting over batch dims (see the module table).

        What to do: check the shapes, then let ``matmul_arrays`` (``np.matmul``, with float16
        through float32) do the work: it follows the same rules, batch dims included. Record
        ``self._make("matmul", data, (self, other))``.
        ``other`` may be a NumPy array: ``self._lift(other)``.

        Errors the tests expect, each naming the shapes or dtypes involved:

        * TypeError for a Python number (``t @ 2``: use ``*``);
        * RuntimeError for a 0-d operand, and for two different dtypes (no promotion here, as
          in PyTorch);
        * RuntimeError when the inner sizes differ: the last dim of ``self`` must equal the
          second-to-last dim of ``other`` (its only dim when ``other`` is 1-D). Write this check
          yourself: NumPy's message does not say which sizes clash;
        * RuntimeError when the batch dims do not broadcast (``np.matmul`` raises ValueError).
        """
        if isinstance(other, (bool, int, float, np.number)):
            raise TypeError(f"matmul: expected a Tensor, got {type(other).__name__} (use * to "
                            "multiply by a number)")
        other = self._lift(other)
        a, b = self.shape, other.shape
        if not a or not b:
            raise RuntimeError(f"matmul: both arguments need at least 1 dim, got shapes {a} and {b}")
        if self.dtype is not other.dtype:
            raise RuntimeError(f"matmul: expected both operands to have the same dtype, got "
                            f"{self.dtype.name} and {other.dtype.name}")
        inner_a = a[-1]
        inner_b = b[0] if len(b) == 1 else b[-2]
        if inner_a != inner_b:
            raise RuntimeError(
                f"matmul: shapes {a} and {b} cannot be multiplied: the last dim of the first "
                f"({inner_a}) must equal the {'only' if len(b) == 1 else 'second-to-last'} dim "
                f"of the second ({inner_b})")
        try:
            data = matmul_arrays(self.array, other.array)
        except ValueError:
            raise RuntimeError(f"matmul: batch dims of shapes {a} and {b} do not broadcast "
                               "together") from None
        return self._make("matmul", np.asarray(data), (self, other))
    # END SOLUTION

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self: Tensor, other: Any) -> Tensor:
        return self._lift(other).matmul(self)

    def mm(self: Tensor, other: Tensor) -> Tensor:
        """Product of two matrices (2-D only)."""
        if self.ndim != 2 or getattr(other, "ndim", 0) != 2:
            raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {self.shape} and "
                               f"{getattr(other, 'shape', None)}")
        return self.matmul(other)

    def bmm(self: Tensor, other: Tensor) -> Tensor:
        """Batched product of (b, n, m) and (b, m, p) tensors (3-D only, same batch)."""
        if self.ndim != 3 or getattr(other, "ndim", 0) != 3 or self.shape[0] != other.shape[0]:
            raise RuntimeError(f"bmm: expected 3-D tensors with the same batch size, got shapes "
                               f"{self.shape} and {getattr(other, 'shape', None)}")
        return self.matmul(other)

    def dot(self: Tensor, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors."""
        if self.ndim != 1 or getattr(other, "ndim", 0) != 1:
            raise RuntimeError(f"dot: expected two 1-D tensors, got shapes {self.shape} and "
                               f"{getattr(other, 'shape', None)}")
        return self.matmul(other)

    def diag(self: Tensor, diagonal: int = 0) -> Tensor:
        """1-D input: a square matrix with the vector on its ``diagonal``-th diagonal (above the
        main one when positive). 2-D input: that diagonal of the matrix, as a vector."""
        k = int(diagonal)
        if self.ndim == 2:
            rows, cols = self.shape
            start_row, start_col = max(-k, 0), max(k, 0)
            n = max(min(rows - start_row, cols - start_col), 0)
            diagonal_index = np.arange(n)
            return self[diagonal_index + start_row, diagonal_index + start_col]
        if self.ndim != 1:
            raise RuntimeError(f"diag(): expected a 1-D or 2-D tensor, got shape {self.shape}")
        m = self.shape[0] + abs(k)
        column = pad(self, (0, abs(k)))  # (m,): entry i goes to row i (k >= 0) or column i
        values = column.unsqueeze(1) if k >= 0 else column.unsqueeze(0)  # broadcasts to (m, m)
        on_diagonal = np.eye(m, k=k, dtype=bool)
        return values.where(on_diagonal, self._wrap(np.zeros((), self.array.dtype)))

    def tril(self: Tensor, diagonal: int = 0) -> Tensor:
        """Zero above the ``diagonal``-th diagonal of the last two dims."""
        rows, cols = self._matrix_dims("tril")
        return self.where(np.tri(rows, cols, diagonal, dtype=bool),
                          self._wrap(np.zeros((), self.array.dtype)))

    def triu(self: Tensor, diagonal: int = 0) -> Tensor:
        """Zero below the ``diagonal``-th diagonal of the last two dims."""
        rows, cols = self._matrix_dims("triu")
        return self.where(~np.tri(rows, cols, diagonal - 1, dtype=bool),
                          self._wrap(np.zeros((), self.array.dtype)))

    def _matrix_dims(self: Tensor, name: str) -> tuple[int, int]:
        if self.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape "
                               f"{self.shape}")
        return self.shape[-2], self.shape[-1]


def _explicit(equation: str) -> str:
    """``equation`` with its output spelled out: ``"ij,jk"`` -> ``"ij,jk->ik"`` (the implicit
    output is every letter used once, sorted, after any ``...``)."""
    equation = equation.replace(" ", "")
    if "->" in equation:
        return equation
    letters = equation.replace(",", "").replace(".", "")
    once = sorted(c for c in set(letters) if letters.count(c) == 1)
    return equation + "->" + ("..." if "..." in equation else "") + "".join(once)


@_ext.op
def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as ``torch.einsum``: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``.

    Each operand's dims are named by letters; letters missing from the output are summed over.
    The operands may also be given as one list. Recorded as ``"einsum"`` with the explicit
    ``equation`` (``"ij,jk->ik"``) saved for the backward rule.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a string, got {type(equation).__name__}")
    if not operands or not all(hasattr(t, "_make") for t in operands):
        raise TypeError("einsum(): expected one or more Tensor operands after the equation")
    dtypes = {t.dtype for t in operands}
    if len(dtypes) > 1:
        raise RuntimeError(f"einsum(): operands must have one dtype, got "
                           f"{sorted(d.name for d in dtypes)}")
    arrays = [t.array for t in operands]
    equation = _explicit(equation)
    try:
        data = np.einsum(equation, *arrays,
                         optimize=sum(a.size for a in arrays) > _EINSUM_OPTIMIZE_SIZE)
    except ValueError as e:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise RuntimeError(f"einsum(): {e} (equation {equation!r}, shapes {shapes})") from None
    return operands[0]._make("einsum", np.asarray(data), tuple(operands), equation=equation)
