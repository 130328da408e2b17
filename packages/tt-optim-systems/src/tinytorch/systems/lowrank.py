"""Low-rank factorisation: replace a Linear layer's (out, in) weight by two thin matrices.

The singular value decomposition ``W = U S V^T`` sorts W's "directions" by importance (the
singular values in S). Keeping the r largest gives the best rank-r approximation in the
Frobenius norm (Eckart-Young): the squared error is exactly the sum of the dropped
``sigma_i^2``. As layers::

    Linear(in, out)  ->  Linear(in, r, bias=False)  then  Linear(r, out)
    weights  A = sqrt(S_r) V_r^T  (r, in)  and  B = U_r sqrt(S_r)  (out, r),   B A = W_r

Parameters and FLOPs fall from ``in * out`` to ``r * (in + out)``: a saving when
``r < in * out / (in + out)``.
"""

from __future__ import annotations

import copy

import numpy as np

import tinytorch.nn as nn
from tinytorch.tensor import Tensor

__all__ = ["factorize_linear", "low_rank", "rank_for_energy"]


def factorize_linear(linear: nn.Linear, rank: int) -> nn.Sequential:
    """Two Linear layers whose product is the best rank-``rank`` approximation of ``linear``
    (same bias). ``rank`` must be between 1 and ``min(in, out)``."""
    out_features, in_features = linear.weight.shape
    if not 1 <= rank <= min(in_features, out_features):
        raise ValueError(f"rank must be between 1 and min(in, out) = "
                         f"{min(in_features, out_features)} for a Linear({in_features}, "
                         f"{out_features}), got {rank}")
    w = linear.weight.array.astype(np.float64)
    # BEGIN SOLUTION 6.18 low-rank factorisation by truncated SVD
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    root = np.sqrt(s[:rank])
    first = root[:, None] * vt[:rank]          # (r, in)
    second = u[:, :rank] * root[None, :]       # (out, r)
    # END SOLUTION
    dtype = linear.weight.array.dtype
    down = nn.Linear(in_features, rank, bias=False)
    up = nn.Linear(rank, out_features, bias=linear.bias is not None)
    down.weight = nn.Parameter(Tensor(first.astype(dtype)))
    up.weight = nn.Parameter(Tensor(second.astype(dtype)))
    if linear.bias is not None:
        up.bias = nn.Parameter(Tensor(linear.bias.array.copy()))
    return nn.Sequential(down, up)


def rank_for_energy(weight: np.ndarray, energy: float) -> int:
    """The smallest rank whose singular values keep ``energy`` (a fraction) of sum(sigma^2)."""
    if not 0.0 < energy <= 1.0:
        raise ValueError(f"energy must be in (0, 1], got {energy}")
    s = np.linalg.svd(np.asarray(weight, np.float64), compute_uv=False)
    kept = np.cumsum(s ** 2) / np.sum(s ** 2)
    return int(min(np.searchsorted(kept, energy - 1e-12) + 1, s.size))


def low_rank(model: nn.Module, rank: int | None = None, energy: float | None = None,
             min_saving: float = 0.0) -> nn.Module:
    """A copy of ``model`` with every Linear factorised (by a fixed ``rank`` or the rank keeping
    ``energy``), where that saves more than ``min_saving`` of the layer's parameters."""
    if (rank is None) == (energy is None):
        raise TypeError("give exactly one of rank= or energy=")
    new = copy.deepcopy(model)
    for parent in list(new.modules()):
        for name, child in list(parent.named_children()):
            if not isinstance(child, nn.Linear):
                continue
            out_f, in_f = child.weight.shape
            r = rank if rank is not None else rank_for_energy(child.weight.array, energy)
            r = min(r, in_f, out_f)
            if r * (in_f + out_f) < (1.0 - min_saving) * in_f * out_f:
                setattr(parent, name, factorize_linear(child, r))
    return new
