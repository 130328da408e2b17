"""Randomness: generators and seeding, shaped like ``torch.Generator`` and ``torch.manual_seed``,
and the Tensor method that draws with them, ``multinomial``.

All random functions draw from the global generator unless given ``generator=``. Streams are
NumPy's PCG64, so they are reproducible across TinyTorch runs (not bit-equal to PyTorch's
Mersenne Twister). Seeds are 64-bit unsigned, as in PyTorch: a negative seed wraps around
(``-1`` is ``2**64 - 1``), and seeds outside ``[-2**63, 2**64)`` are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .device import check_device
from .device import device as Device

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator", "RandomOps"]


class Generator:
    """A seedable source of random numbers (wraps ``numpy.random.Generator``).

    ``Generator()`` and ``Generator("cpu")`` (PyTorch's spelling: the device) seed from OS
    entropy; ``Generator(seed)`` is a shortcut for ``Generator().manual_seed(seed)``.
    """

    def __init__(self, seed: Any = None, *, device: Any = None) -> None:
        if isinstance(seed, (str, Device)):  # Generator("cpu"), as in PyTorch
            seed, device = None, seed
        check_device(device)
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)) if seed is None
                         else seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (an int in ``[-2**63, 2**64)``; negative seeds wrap
        to 64-bit unsigned, as in PyTorch); returns self."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        if not -(2**63) <= seed < 2**64:
            raise ValueError(f"manual_seed: seed {seed} is out of range; seeds are 64-bit "
                             "integers in [-2**63, 2**64 - 1]")
        self._seed = int(seed) % 2**64
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


def manual_seed(seed: Any) -> Generator:
    """Seed the global generator so that runs are reproducible (``int(seed)`` is used, as in
    PyTorch); returns it."""
    return default_generator.manual_seed(int(seed))


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


class RandomOps:
    """Mixed into Tensor: ``multinomial``."""

    __slots__ = ()

    def multinomial(self: Tensor, num_samples: int, replacement: bool = False, *,
                    generator: Generator | None = None) -> Tensor:
        """Draw ``num_samples`` category indices from each row of weights (1-D: one
        distribution; 2-D: one per row). Weights need not sum to 1, but must be finite and
        non-negative with a positive sum. Without replacement each category is drawn at most
        once, in the order drawn. Returns int64 of shape ``(num_samples,)`` or
        ``(rows, num_samples)``."""
        if self.ndim not in (1, 2):
            raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {self.shape}")
        if self.array.dtype.kind != "f":
            raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got "
                               f"{self.dtype.name}")
        p = self.array.reshape(-1, self.shape[-1]).astype(np.float64)  # (rows, k)
        rows, k = p.shape
        if num_samples <= 0:
            raise RuntimeError(f"multinomial: cannot sample {num_samples} <= 0 samples")
        if not np.isfinite(p).all() or (p < 0).any():
            raise RuntimeError("multinomial: probability tensor contains either inf, nan or "
                               "element < 0")
        if (p.sum(axis=1) <= 0).any():
            raise RuntimeError("multinomial: invalid distribution (sum of probabilities <= 0)")
        draw = rng(generator)
        if replacement:
            # Inverse CDF for every row at once: offset row r's CDF and samples by r, so one
            # searchsorted over the flattened (increasing) CDFs serves all rows.
            cdf = np.cumsum(p, axis=1)
            cdf /= cdf[:, -1:]
            offsets = np.arange(rows)[:, None]
            u = draw.random((rows, num_samples))
            found = np.searchsorted((cdf + offsets).ravel(), (u + offsets).ravel(), side="right")
            samples = found.reshape(rows, num_samples) - offsets * k
        else:
            if num_samples > k:
                raise RuntimeError(f"multinomial: cannot draw {num_samples} samples without "
                                   f"replacement from {k} categories")
            # Exponential races: category i finishes at time E_i / p_i; the order in which
            # categories finish is the order of sequential draws without replacement. Weight-0
            # categories never finish (inf): they come last, as in PyTorch.
            with np.errstate(divide="ignore"):
                finish = draw.exponential(size=(rows, k)) / p
            samples = np.argsort(finish, axis=1, kind="stable")[:, :num_samples]
        out = samples.astype(np.int64)
        return self._wrap(out.reshape(num_samples) if self.ndim == 1 else out)
