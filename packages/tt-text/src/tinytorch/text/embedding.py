"""``Embedding``: a lookup table of learned vectors, one row per token id (``torch.nn.Embedding``).

Forward gathers rows: ``out[..., :] = weight[ids[...], :]``. Backward is the adjoint, a
scatter-add: each output gradient row is added to the row of ``weight`` it came from (a token
that occurs twice gets both gradients). With ``padding_idx``, that row gets no gradient, so it
stays what it was (zeros at initialisation).

Gather and scatter-add are each other's adjoints, so the two Functions below differentiate each
other: higher-order gradients come out right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.autograd import Function
from tinytorch.nn import Module, Parameter, init
from tinytorch.tensor import Tensor, empty

__all__ = ["Embedding", "embedding"]


def _scatter_add_rows(grad: np.ndarray, ids: np.ndarray, num_rows: int,
                      padding_idx: int | None) -> np.ndarray:
    """``out[ids[i]] += grad[i]`` into zeros of shape ``(num_rows, dim)``; row padding_idx = 0.

    ``ids`` has any shape (*), ``grad`` shape (*, dim): flatten both to (N,) and (N, dim).
    A token that occurs twice gets both gradient rows: plain ``out[ids] += rows`` keeps only
    one of them. ``np.add.at(out, ids, rows)`` adds correctly; faster: sort the ids, then sum
    each run of equal ids with ``np.add.reduceat``. Finally zero row ``padding_idx`` (if any).
    """
    # BEGIN SOLUTION 5.6 scatter-add the rows of grad into the rows named by ids
    dim = grad.shape[-1]
    flat_ids, rows = ids.reshape(-1), grad.reshape(-1, dim)  # (N,), (N, dim)
    out = np.zeros((num_rows, dim), dtype=grad.dtype)
    if flat_ids.size:  # sort the ids, then sum each run of equal ids (np.add.at is slower)
        order = np.argsort(flat_ids, kind="stable")
        sorted_ids = flat_ids[order]
        starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])  # run starts
        out[sorted_ids[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    if padding_idx is not None:
        out[padding_idx] = 0
    return out
    # END SOLUTION


class EmbeddingFunction(Function):
    """``weight[ids]`` for weight (num_embeddings, dim) and integer ids of any shape."""

    @staticmethod
    def forward(ctx: Any, weight: Tensor, ids: np.ndarray, padding_idx: int | None) -> Tensor:
        """Gather: ``out[...] = weight[ids[...]]``, shape (*ids.shape, dim); keep ids for
        the backward (``ctx.ids``, ``ctx.num_rows``, ``ctx.padding_idx``)."""
        # BEGIN SOLUTION 5.6 gather the rows named by ids
        ctx.ids, ctx.num_rows, ctx.padding_idx = ids, weight.shape[0], padding_idx
        return Tensor(weight.array[ids])  # (*ids.shape, dim)
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        return ScatterAddRows.apply(grad, ctx.ids, ctx.num_rows, ctx.padding_idx), None, None


class ScatterAddRows(Function):
    """The adjoint of :class:`EmbeddingFunction`: grad (*ids.shape, dim) -> (num_rows, dim)."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, ids: np.ndarray, num_rows: int,
                padding_idx: int | None) -> Tensor:
        ctx.ids, ctx.padding_idx = ids, padding_idx
        return Tensor(_scatter_add_rows(grad.array, ids, num_rows, padding_idx))

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Tensor | None, ...]:
        rows = EmbeddingFunction.apply(gg, ctx.ids, ctx.padding_idx)  # (*ids.shape, dim)
        if ctx.padding_idx is not None:  # positions holding the padding id added nothing
            rows = rows * Tensor((ctx.ids != ctx.padding_idx)[..., None].astype(gg.array.dtype))
        return rows, None, None, None


def _check_ids(input: Any, num_embeddings: int) -> np.ndarray:
    ids = np.asarray(getattr(input, "array", input))
    if ids.dtype.kind not in "iu":
        raise TypeError(f"Embedding: expected integer token ids (int64 or int32), got dtype "
                        f"{ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= num_embeddings):
        bad = ids[(ids < 0) | (ids >= num_embeddings)].reshape(-1)[0]
        raise IndexError(f"Embedding: index {bad} is out of range for {num_embeddings} "
                         "embeddings (ids must be in [0, num_embeddings))")
    return ids


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """The rows of ``weight`` (V, dim) named by ``input`` (integer ids, any shape):
    output ``(*input.shape, dim)``. Row ``padding_idx`` gets no gradient."""
    ids = _check_ids(input, weight.shape[0])
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return EmbeddingFunction.apply(weight, ids, padding_idx)


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``.

    Args:
        num_embeddings: vocabulary size V.
        embedding_dim: size of each vector.
        padding_idx: a row that receives no gradient and starts at zero (negative counts from
            the end), e.g. for a padding token.

    Shape:
        input (*) integer ids in [0, V) -> output (*, embedding_dim).

    Initialised from N(0, 1), as PyTorch; ``weight`` has shape (V, embedding_dim).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"padding_idx must be within num_embeddings ({num_embeddings}), "
                                 f"got {padding_idx}")
            if padding_idx < 0:
                padding_idx += num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"_weight must have shape ({num_embeddings}, {embedding_dim}), "
                                 f"got {tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) entries; the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """An Embedding holding ``embeddings`` (V, dim), frozen (no gradient) by default."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got shape "
                             f"{tuple(embeddings.shape)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze)

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
