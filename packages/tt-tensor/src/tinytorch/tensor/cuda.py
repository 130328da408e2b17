"""``tinytorch.tensor.cuda``: what PyTorch code asks about CUDA, answered for a CPU-only library.

``device = "cuda" if tt.cuda.is_available() else "cpu"`` picks the CPU.
"""

from __future__ import annotations

__all__ = ["is_available", "device_count"]


def is_available() -> bool:
    """False: TinyTorch runs on the CPU only."""
    return False


def device_count() -> int:
    """0: there are no CUDA devices to use."""
    return 0
