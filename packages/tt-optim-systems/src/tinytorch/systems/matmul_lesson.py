"""One matrix product, three ways: why TinyTorch never loops over elements in Python.

``C = A @ B`` with A (M, K) and B (K, N) is ``C[i, j] = sum_k A[i, k] B[k, j]``: 2 M K N FLOPs.

1. :func:`matmul_loops` -- three nested Python loops. Each multiply-add goes through the
   interpreter (boxing floats, dispatching ``*`` and ``+``): about 10^7 FLOP/s.
2. :func:`matmul_vectorized` -- one broadcast multiply ``A[:, :, None] * B[None, :, :]`` of shape
   (M, K, N), then a sum over K. The loops now run in NumPy's C code, but the (M, K, N) temporary
   is K times larger than C and travels through memory twice: memory-bound, about 10^9 FLOP/s.
3. :func:`matmul_blas` -- ``np.matmul``, which calls BLAS (OpenBLAS here). BLAS tiles the
   matrices to fit the CPU caches, uses SIMD fused multiply-adds and every core: close to the
   machine's peak, about 10^11 FLOP/s on two cores.

:func:`compare_matmul` measures all three (the loops only on small sizes) and
``benchmarks/bench_systems.py`` reports them; the numbers are in the part's README.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .timing import measure

__all__ = ["matmul_loops", "matmul_vectorized", "matmul_blas", "compare_matmul"]


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"expected matrices (M, K) and (K, N), got shapes {a.shape} and {b.shape}")


def matmul_loops(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` with three Python loops (the slow reference: never do this in a hot path)."""
    _check(a, b)
    m, k = a.shape
    n = b.shape[1]
    out = np.zeros((m, n), dtype=np.result_type(a, b))
    for i in range(m):
        for j in range(n):
            total = 0.0
            for p in range(k):
                total += a[i, p] * b[p, j]
            out[i, j] = total
    return out


def matmul_vectorized(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` as one broadcast product and one sum, without ``matmul``/``dot``/``einsum``.

    Shapes: ``a[:, :, None]`` is (M, K, 1) and ``b[None, :, :]`` is (1, K, N); their product is
    (M, K, N) with ``P[i, k, j] = a[i, k] b[k, j]``; summing over axis 1 gives (M, N).
    """
    _check(a, b)
    # BEGIN SOLUTION 6.7 matmul as a broadcast multiply and a sum over K
    return (a[:, :, None] * b[None, :, :]).sum(axis=1)
    # END SOLUTION


def matmul_blas(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` by BLAS (``np.matmul``)."""
    _check(a, b)
    return np.matmul(a, b)


def compare_matmul(sizes: tuple[int, ...] = (32, 128, 512), loops_up_to: int = 64,
                   repeats: int = 5) -> list[dict[str, Any]]:
    """Time the three versions on float32 square matrices of each size (the Python loops only
    up to ``loops_up_to``). Returns rows ``{"n", "method", "seconds", "gflops"}``."""
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        methods = [("blas", matmul_blas), ("vectorized", matmul_vectorized)]
        if n <= loops_up_to:
            methods.append(("loops", matmul_loops))
        for name, fn in methods:
            timing = measure(lambda fn=fn, a=a, b=b: fn(a, b), warmup=1, repeats=repeats)
            rows.append({"n": n, "method": name, "seconds": timing.median,
                         "gflops": 2 * n ** 3 / timing.median / 1e9})
    return rows
