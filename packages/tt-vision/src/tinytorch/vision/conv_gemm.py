"""Convolution as matrix multiplies: the forward pass and the two gradients, in NumPy.

With ``cols = im2col(x)`` of shape ``(C kh kw, M)``, ``M = out_h out_w N``, and the weight as a
matrix ``Wm = weight.reshape(O, C kh kw)``, a convolution is one GEMM::

    Y = Wm @ cols                  (O, M)           forward
    dWm = dY @ cols.T              (O, C kh kw)     weight gradient
    dx = col2im(Wm.T @ dY)         (N, C, H, W)     input gradient

With ``groups = G`` the channels split into G independent blocks: the same three lines with a
leading batch dim G (``np.matmul`` of ``(G, O/G, C/G kh kw)`` and ``(G, C/G kh kw, M)``), still
one call. Every array here is float32 (or float64) throughout; nothing is upcast.

Outputs are "channels first, batch last": ``Y`` is ``(O, out_h, out_w, N)`` memory returned as
the view ``(N, O, out_h, out_w)`` (PyTorch's shape), which is exactly the layout the next
``im2col`` reads fastest and the ``dY`` reshapes below need without a copy (see ``im2col.py``).
"""

from __future__ import annotations

import numpy as np

from .geometry import ConvGeometry
from .im2col import col2im, im2col

__all__ = ["conv2d_forward", "conv2d_input_grad", "conv2d_weight_grad", "check_channels"]


def check_channels(x_shape: tuple[int, ...], weight_shape: tuple[int, ...], groups: int) -> None:
    """Raise a RuntimeError unless ``x`` has ``weight.shape[1] * groups`` channels.

    The message names the expected and the actual count (and both shapes), as PyTorch's does.
    """
    expected = weight_shape[1] * groups
    if x_shape[1] != expected:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight_shape)}, expected input"
            f"{list(x_shape)} to have {expected} channels, but got {x_shape[1]} channels instead")


def _grad_matrix(grad_out: np.ndarray, groups: int) -> np.ndarray:
    """``dY`` (N, O, oh, ow) as ``(G, O/G, oh ow N)``: free for ``(O, oh, ow, N)`` memory."""
    o = grad_out.shape[1]
    return grad_out.transpose(1, 2, 3, 0).reshape(groups, o // groups, -1)


def conv2d_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                   geometry: ConvGeometry) -> tuple[np.ndarray, np.ndarray]:
    """``y = conv2d(x, weight) + bias`` by one (grouped) GEMM over the im2col columns.

    ``y[n, o, i, j] = bias[o] + sum_{c, ki, kj} weight[o, c, ki, kj]
    * x_pad[n, g C/G + c, i sh + ki dh, j sw + kj dw]`` where ``g = o // (O / G)``.

    Args:
        x: ``(N, C, H, W)``; weight: ``(O, C / G, kh, kw)``; bias: ``(O,)`` or None.

    Returns:
        ``(y, cols)``: ``y`` of shape ``(N, O, out_h, out_w)`` (``(O, out_h, out_w, N)``
        memory) and the columns ``(C kh kw, out_h out_w N)``, kept for the weight gradient.

    Raises:
        RuntimeError: ``x`` does not have ``weight.shape[1] * groups`` channels (naming both
            counts: ``check_channels``), or the kernel is larger than the padded input (naming
            both sizes: ``geometry.output_size`` and ``im2col`` raise it).

    Hints: ``cols = im2col(x, geometry)``; the weight as ``(G, O/G, C/G kh kw)`` and the columns
    as ``(G, C/G kh kw, M)`` make ``np.matmul`` one call for every group. Add the bias to the
    ``(O, M)`` result as a column; ``(O, M)`` is ``(O, out_h, out_w, N)`` memory, and
    ``transpose(3, 0, 1, 2)`` is the ``(N, O, out_h, out_w)`` view to return.
    """
    # BEGIN SOLUTION 4.3 conv2d forward: im2col, one grouped GEMM, bias
    groups = geometry.groups
    check_channels(x.shape, weight.shape, groups)
    n, _, h, w = x.shape
    o = weight.shape[0]
    out_h, out_w = geometry.output_size(h, w)
    cols = im2col(x, geometry)                                    # (C kh kw, M)
    w_mat = weight.reshape(groups, o // groups, -1)               # (G, O/G, C/G kh kw)
    y = np.matmul(w_mat, cols.reshape(groups, -1, cols.shape[1]))  # (G, O/G, M): one call
    y = y.reshape(o, -1)
    if bias is not None:
        y += bias[:, None]
    return y.reshape(o, out_h, out_w, n).transpose(3, 0, 1, 2), cols
    # END SOLUTION


def conv2d_input_grad(grad_out: np.ndarray, weight: np.ndarray, geometry: ConvGeometry,
                      input_size: tuple[int, int]) -> np.ndarray:
    """``dL/dx`` of a convolution: ``col2im(Wm.T @ dY)``, per group.

    This is also the forward pass of a *transposed* convolution (``conv_transpose2d``).

    Args:
        grad_out: ``dY``, ``(N, O, out_h, out_w)``; weight: ``(O, C / G, kh, kw)``.
        input_size: ``(H, W)`` of the convolution's input (several sizes give the same
            ``out_h`` when the stride is > 1, so it must be given).

    Returns:
        ``(N, C, H, W)`` (``(C, H, W, N)`` memory).

    Hints: ``_grad_matrix(grad_out, groups)`` is ``dY`` as ``(G, O/G, M)`` (free for the layout
    the forward pass returns). Multiply the transposed per-group weight matrices
    ``(G, C/G kh kw, O/G)`` by it in one ``np.matmul``: those are the gradients of the columns,
    which ``col2im`` adds back onto the pixels they were read from.
    """
    # BEGIN SOLUTION 4.5 conv2d input gradient: Wm.T @ dY per group, then col2im
    groups = geometry.groups
    n, o = grad_out.shape[:2]
    c = weight.shape[1] * groups
    w_mat = weight.reshape(groups, o // groups, -1)                   # (G, O/G, C/G kh kw)
    cols = np.matmul(w_mat.transpose(0, 2, 1), _grad_matrix(grad_out, groups))
    return col2im(cols.reshape(-1, cols.shape[2]), (n, c, *input_size), geometry)
    # END SOLUTION


def conv2d_weight_grad(x: np.ndarray, grad_out: np.ndarray, geometry: ConvGeometry,
                       kernel_shape: tuple[int, int, int, int],
                       cols: np.ndarray | None = None) -> np.ndarray:
    """``dL/dweight`` of a convolution: ``dY @ cols.T``, per group.

    Args:
        x: the convolution's input ``(N, C, H, W)``; grad_out: ``dY``, ``(N, O, out_h, out_w)``.
        kernel_shape: the weight's shape ``(O, C / G, kh, kw)``.
        cols: ``im2col(x)`` if the forward pass kept it (else it is recomputed).

    Returns:
        ``(O, C / G, kh, kw)``.

    Hints: the forward pass was ``Y = Wm @ cols`` per group, so ``dWm = dY @ cols.T``: one
    ``np.matmul`` of ``(G, O/G, M)`` by ``(G, M, C/G kh kw)`` (a transposed view, no copy).
    """
    # BEGIN SOLUTION 4.6 conv2d weight gradient: dY @ cols.T per group
    groups = geometry.groups
    if cols is None:
        cols = im2col(x, geometry)
    g_cols = cols.reshape(groups, -1, cols.shape[1])                   # (G, C/G kh kw, M)
    grad = np.matmul(_grad_matrix(grad_out, groups), g_cols.transpose(0, 2, 1))
    return grad.reshape(kernel_shape)
    # END SOLUTION
