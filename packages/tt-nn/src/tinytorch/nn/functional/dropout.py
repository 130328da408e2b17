"""``dropout``: zero activations at random while training (Srivastava et al., 2014)."""

from __future__ import annotations

from tinytorch.tensor import Generator, Tensor, rand

__all__ = ["dropout"]


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Generator | None = None) -> Tensor:
    """Inverted dropout: while ``training``, zero each element with probability ``p`` and scale
    the survivors by ``1 / (1 - p)``, so the expected value is unchanged and evaluation needs no
    rescaling. Not training, or ``p == 0``: return ``input`` itself.

    Draw the mask with ``rand(input.shape, generator=generator, dtype=input.dtype) >= p`` (True:
    keep), scale it, and multiply: ``input * mask`` is differentiable (its gradient is the mask).
    ``p == 1`` zeroes everything. With ``inplace=True`` the result is copied into ``input``.

    Raises:
        ValueError: ``p`` outside [0, 1].
        RuntimeError: a non-float input while training.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if training and not input.is_floating_point():
        raise RuntimeError(f"dropout: expected a floating point input, got {input.dtype.name}")
    # BEGIN SOLUTION 3.13 inverted dropout
    if not training or p == 0.0:
        return input
    keep = rand(input.shape, generator=generator, dtype=input.dtype) >= p
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    result = input * Tensor(keep.array.astype(input.array.dtype) * input.array.dtype.type(scale))
    # END SOLUTION
    return input.copy_(result) if inplace else result
