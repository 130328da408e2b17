"""Seeding and random-number generators, shaped like ``torch.Generator`` and ``torch.manual_seed``.

All random creation functions draw from the global generator unless given ``generator=``.
Streams are NumPy's PCG64, so they are reproducible across TinyTorch runs (not bit-equal to
PyTorch's Mersenne Twister).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator"]


class Generator:
    """A seedable source of random numbers (wraps ``numpy.random.Generator``)."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63)) if seed is None else int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns self (as in PyTorch)."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Reseed from OS entropy; returns the new seed (as ``torch.Generator.seed``)."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The generator's full state, a JSON-serialisable dict."""
        return {"seed": self._seed, "bit_generator": self.rng.bit_generator.state}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`get_state`."""
        self._seed = int(state["seed"])
        self.rng.bit_generator.state = state["bit_generator"]


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Seed the global generator so that runs are reproducible."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator from OS entropy; returns the seed used."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    """State of the global generator (for checkpoints)."""
    return default_generator.get_state()


def set_rng_state(state: dict[str, Any]) -> None:
    default_generator.set_state(state)


def rng(generator: Generator | None) -> np.random.Generator:
    """The NumPy generator to draw from: the given one, or the global one."""
    return (generator or default_generator).rng
