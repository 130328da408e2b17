"""Scaled dot-product attention (Vaswani et al., 2017), with PyTorch's semantics.

For queries q (..., L, E), keys k (..., S, E) and values v (..., S, Ev)::

    scores  = q @ k^T * scale + mask      (..., L, S)   scale = 1/sqrt(E) by default
    weights = softmax(scores, dim=-1)     each query's distribution over the keys
    out     = weights @ v                 (..., L, Ev)

Masks, as ``torch.nn.functional.scaled_dot_product_attention``: a bool ``attn_mask`` says which
keys each query may attend to (True = takes part); a float ``attn_mask`` is added to the scores;
``is_causal=True`` lets query i see keys j <= i (aligned top-left, ``tril``; give a mask or
``is_causal``, not both). A query that may see no key gets output 0 (and gradient 0).
``dropout_p`` drops attention weights (inverted dropout) whenever it is > 0.

Two implementations of the same math:

* :func:`attention_math` composes Tensor ops, so autograd differentiates it (to any order) and
  it returns the weights;
* :func:`scaled_dot_product_attention` runs :class:`ScaledDotProductAttention`, one Function
  whose backward is written by hand: one graph node instead of about ten, the weights the
  only (..., L, S) array kept (``benchmarks/bench_text.py`` times both).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinytorch.autograd import Function, is_grad_enabled
from tinytorch.nn import functional as F
from tinytorch.tensor import Tensor, rand

__all__ = ["scaled_dot_product_attention", "attention_math", "ScaledDotProductAttention"]


def _check_qkv(q: Tensor, k: Tensor, v: Tensor) -> None:
    for name, t in (("query", q), ("key", k), ("value", v)):
        if not isinstance(t, Tensor) or t.ndim < 2 or not t.is_floating_point():
            got = t.shape if isinstance(t, Tensor) else type(t).__name__
            raise ValueError(f"scaled_dot_product_attention: {name} must be a float Tensor of "
                             f"at least 2 dims (..., length, features), got {got}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: query and key need the same feature "
                         f"size E, got query {tuple(q.shape)} and key {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: key and value need the same length S, "
                         f"got key {tuple(k.shape)} and value {tuple(v.shape)}")
    if not q.dtype == k.dtype == v.dtype:
        raise ValueError(f"scaled_dot_product_attention: query, key and value must share a "
                         f"dtype, got {q.dtype.name}, {k.dtype.name}, {v.dtype.name}")


def attention_bias(L: int, S: int, attn_mask: Any, is_causal: bool, dtype: np.dtype
                   ) -> np.ndarray | None:
    """The mask as an additive bias: 0 where a query may attend to a key, -inf where not.

    * ``is_causal``: the (L, S) matrix with -inf strictly above the diagonal (query i sees
      keys j <= i; ``np.triu(..., k=1)``);
    * a bool ``attn_mask`` (array or Tensor, shape broadcastable to (..., L, S)): 0 where
      True, -inf where False;
    * a float ``attn_mask`` is already a bias: return it as it is;
    * nothing to mask: None.

    Return arrays of ``dtype``. Giving both a mask and ``is_causal`` is a RuntimeError (as
    PyTorch), a mask that does not broadcast to (L, S) a ValueError: both checked for you.
    """
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True (fold the causal mask into attn_mask)")
    if attn_mask is not None:
        shape = np.shape(getattr(attn_mask, "array", attn_mask))
        try:
            np.broadcast_shapes(shape, (L, S))
        except ValueError:
            raise ValueError(f"attn_mask of shape {tuple(shape)} does not broadcast to the "
                             f"scores (..., {L}, {S})") from None
    # BEGIN SOLUTION 5.8 bool/causal masks -> an additive bias of 0 and -inf
    if is_causal:
        return np.triu(np.full((L, S), -np.inf, dtype=dtype), k=1)  # key j > query i: -inf
    if attn_mask is None:
        return None
    mask = np.asarray(getattr(attn_mask, "array", attn_mask))
    if mask.dtype == np.bool_:
        return np.where(mask, 0.0, -np.inf).astype(dtype)
    return mask.astype(dtype, copy=False)
    # END SOLUTION


def attention_math(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any = None,
                   dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None
                   ) -> tuple[Tensor, Tensor]:
    """Attention composed of Tensor ops: returns ``(out (..., L, Ev), weights (..., L, S))``.

    ``weights = softmax(q @ k^T * scale + bias)`` over the keys (dim -1), ``out =
    dropout(weights) @ v``; scale defaults to ``1 / sqrt(E)``. Everything in Tensor ops
    (``@``, ``transpose(-2, -1)``, ``softmax``, ``F.dropout(weights, p)`` when p > 0), so
    autograd gives the gradients. The bias comes from :func:`attention_bias`; a float
    ``attn_mask`` *Tensor* is added as it is instead, so that it gets a gradient too.

    A query whose every key is masked has scores all -inf and a softmax of 0/0 = nan: give
    such rows (``np.isneginf(scores).all(-1, keepdims=True)``) finite scores before the
    softmax (``masked_fill``) and zero weights after it, so that their output and gradient
    are 0, as in PyTorch. Returns the weights before dropout.
    """
    _check_qkv(query, key, value)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    learned = isinstance(attn_mask, Tensor) and attn_mask.is_floating_point()
    bias = attention_bias(L, S, attn_mask, is_causal, query.array.dtype)
    # BEGIN SOLUTION 5.8 scores, mask, softmax, dropout, weighted sum of the values
    scores = (query * scale) @ key.transpose(-2, -1)  # (..., L, S)
    if learned:
        scores = scores + attn_mask  # a Tensor: it gets a gradient too
    elif bias is not None:
        scores = scores + Tensor(bias)
    dead = np.isneginf(scores.array).all(axis=-1, keepdims=True)  # (..., L, 1): sees no key
    if dead.any():  # finite scores for the softmax, then weights 0 (output 0, gradient 0)
        scores = scores.masked_fill(Tensor(dead), 0.0)
    weights = scores.softmax(-1)
    if dead.any():
        weights = weights.masked_fill(Tensor(dead), 0.0)
    dropped = F.dropout(weights, dropout_p) if dropout_p > 0 else weights
    return dropped @ value, weights  # (..., L, Ev), (..., L, S)
    # END SOLUTION


class ScaledDotProductAttention(Function):
    """Attention as one graph node; ``bias`` as from :func:`attention_bias`."""

    @staticmethod
    def forward(ctx: Any, q: Tensor, k: Tensor, v: Tensor, bias: np.ndarray | None,
                dropout_p: float, scale: float) -> Tensor:
        """``P = softmax(q k^T scale + bias)``, ``out = (P * keep) @ v``, in NumPy.

        Softmax stably: subtract each row's max before ``exp``; a row whose max is -inf (a
        query that sees no key) must come out all 0, not nan. With ``dropout_p > 0`` draw
        ``keep = (rand(P.shape, dtype=q.dtype).array >= dropout_p) / (1 - dropout_p)``: the
        same draws as ``F.dropout``, so the tests can compare with :func:`attention_math`.
        Keep for the backward: q, k, v (``ctx.save_for_backward``), ``P``, ``keep`` and
        ``scale`` (as ctx attributes). Shapes: q (..., L, E), k (..., S, E), v (..., S, Ev).
        """
        # BEGIN SOLUTION 5.9 fused attention forward: keep the weights (and dropout mask)
        dtype = q.array.dtype
        s = np.matmul(q.array * dtype.type(scale), k.array.swapaxes(-1, -2))  # (..., L, S)
        if bias is not None:
            s = s + bias
        # Row reductions over the short last axis are slow in NumPy: fmax.reduce is 2.5x
        # faster than max, and a matmul with ones is 10x faster than sum.
        top = np.fmax.reduce(s, axis=-1, keepdims=True)  # (..., L, 1)
        dead = np.isneginf(top)  # queries that may see no key: exp(-inf - 0) = 0 weights
        top[dead] = 0
        s -= top
        p = np.exp(s, out=s)  # softmax, in place
        total = np.matmul(p, np.ones((p.shape[-1], 1), dtype))  # (..., L, 1) row sums
        total[dead] = 1
        p /= total
        keep = None
        if dropout_p > 0:  # the same draws as F.dropout: rand(shape) >= p, scaled by 1/(1-p)
            drawn = rand(p.shape, dtype=q.dtype).array >= dropout_p
            keep = drawn.astype(dtype) * dtype.type(1.0 / (1.0 - dropout_p))
        ctx.save_for_backward(q, k, v)
        ctx.p, ctx.keep, ctx.scale = p, keep, scale
        return Tensor(np.matmul(p if keep is None else p * keep, v.array))  # (..., L, Ev)
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Gradients of q, k, v for ``grad`` = dL/d(out), (..., L, Ev), and None for the rest.

        With ``Pd = P * keep`` (just P without dropout)::

            dv = Pd^T @ grad                      (..., S, Ev)
            dP = (grad @ v^T) * keep              (..., L, S)
            dS = P * (dP - rowsum(dP * P))        softmax backward, rows of (..., L, S)
            dq = dS @ k * scale,  dk = dS^T @ q * scale

        ``swapaxes(-1, -2)`` transposes the last two dims; ``np.matmul`` batches the rest.
        """
        if is_grad_enabled():
            raise RuntimeError("scaled_dot_product_attention: the fused backward cannot be "
                               "differentiated again (create_graph=True); use attention_math "
                               "for higher-order gradients")
        # BEGIN SOLUTION 5.9 fused attention backward (dv, then through softmax to dq, dk)
        q, k, v = (t.array for t in ctx.saved_tensors)
        g, p, keep = grad.array, ctx.p, ctx.keep
        scale = p.dtype.type(ctx.scale)
        dropped = p if keep is None else p * keep
        dv = np.matmul(dropped.swapaxes(-1, -2), g)  # (..., S, Ev)
        dp = np.matmul(g, v.swapaxes(-1, -2))  # (..., L, S)
        if keep is not None:
            dp *= keep
        # softmax backward: ds = p * (dp - sum_j dp_j p_j)
        dp -= np.einsum("...ij,...ij->...i", dp, p)[..., None]
        ds = np.multiply(dp, p, out=dp)
        ds *= scale
        dq = np.matmul(ds, k)  # (..., L, E)
        dk = np.matmul(ds.swapaxes(-1, -2), q)  # (..., S, E)
        return Tensor(dq), Tensor(dk), Tensor(dv), None, None, None
        # END SOLUTION


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Tensor:
    """Attention of ``query`` (..., L, E) over ``key`` (..., S, E) and ``value`` (..., S, Ev):
    output (..., L, Ev). Masks and dropout as ``torch.nn.functional`` (see the module).

    Runs the fused :class:`ScaledDotProductAttention`; a float ``attn_mask`` that requires grad
    goes through :func:`attention_math` instead, which differentiates it.
    """
    _check_qkv(query, key, value)
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p must be in [0, 1), got {dropout_p}")
    if isinstance(attn_mask, Tensor) and attn_mask.requires_grad:
        return attention_math(query, key, value, attn_mask, dropout_p, is_causal, scale)[0]
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    bias = attention_bias(L, S, attn_mask, is_causal, query.array.dtype)
    return ScaledDotProductAttention.apply(query, key, value, bias, dropout_p, scale)
