"""The epoch-driven schedules: Step, MultiStep, Constant, Linear, Exponential, Polynomial and
Cosine annealing, each in PyTorch's chainable form.

Each ``get_lr`` turns the groups' current rates into the rates for ``self.last_epoch`` (epoch 0 is
the step the constructor makes). Written as a ratio of consecutive values of the schedule's closed
form ``f(base_lr, epoch)``, e.g. for ExponentialLR ``f = base_lr * gamma ** epoch`` so each step
multiplies by ``gamma``; chained schedulers then multiply their ratios.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from ..optimizer import Optimizer
from .scheduler import LRScheduler, current_lrs

__all__ = ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
           "CosineAnnealingLR"]


def _times(scheduler: LRScheduler, factor: float) -> list[float]:
    """Every group's current rate times ``factor``."""
    return [lr * factor for lr in current_lrs(scheduler.optimizer)]


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates (``current_lrs(self.optimizer)``), times ``gamma`` when
        ``last_epoch`` is a positive multiple of ``step_size`` (``_times(self, gamma)``)."""
        # BEGIN SOLUTION 3.20 StepLR, chainable: multiply by gamma at each multiple of step_size
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current_lrs(self.optimizer)
        return _times(self, self.gamma)
        # END SOLUTION


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones`` (a milestone listed
    twice multiplies twice)."""

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return _times(self, self.gamma ** self.milestones.get(self.last_epoch, 0))


class ConstantLR(LRScheduler):
    """Multiply the rate by ``factor`` until epoch ``total_iters``, then restore it."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return _times(self, self.factor)
        return _times(self, 1.0 / self.factor if self.last_epoch == self.total_iters else 1.0)


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters``."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Closed form: ``f(e) = base * (s + (end - s) * min(e, T) / T)`` (s the start factor, T
        ``total_iters``). Epoch 0: current rates times ``s``; after T: unchanged; in between: times
        ``f(e) / f(e - 1) = 1 + (end - s) / (T * s + (e - 1) * (end - s))``."""
        # BEGIN SOLUTION 3.20 LinearLR, chainable: the ratio of consecutive factors
        if self.last_epoch == 0:
            return _times(self, self.start_factor)
        if self.last_epoch > self.total_iters:
            return current_lrs(self.optimizer)
        delta = self.end_factor - self.start_factor
        return _times(self, 1.0 + delta / (self.total_iters * self.start_factor
                                           + (self.last_epoch - 1) * delta))
        # END SOLUTION


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates at epoch 0, times ``gamma`` at every later epoch."""
        # BEGIN SOLUTION 3.20 ExponentialLR, chainable
        return _times(self, 1.0 if self.last_epoch == 0 else self.gamma)
        # END SOLUTION


class PolynomialLR(LRScheduler):
    """``base_lr * (1 - min(epoch, total_iters) / total_iters) ** power``."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch > self.total_iters:
            return current_lrs(self.optimizer)
        return _times(self, ((1.0 - self.last_epoch / self.total_iters)
                             / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power)


class CosineAnnealingLR(LRScheduler):
    """``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`` (and on past
    ``T_max``: back up again, a period of ``2 * T_max``)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """PyTorch's recursive form, with ``c(e) = 1 + cos(pi e / T_max)``:

        - epoch 0: the current rates;
        - the first step of a scheduler resumed at ``last_epoch > 0`` (``self._step_count ==
          1``): the closed form ``eta_min + (base - eta_min) * c(e) / 2`` from ``base_lrs``;
        - where the cosine restarts from its minimum (``(e - 1 - T_max) % (2 T_max) == 0``, so
          ``c(e - 1) = 0`` and a ratio cannot be used): ``lr + (base - eta_min) * (1 - cos(pi /
          T_max)) / 2``;
        - otherwise ``eta_min + (lr - eta_min) * c(e) / c(e - 1)``.
        """
        # BEGIN SOLUTION 3.20 CosineAnnealingLR, chainable (PyTorch's recursive form)
        e, groups = self.last_epoch, self.optimizer.param_groups
        if e == 0:
            return current_lrs(self.optimizer)
        if self._step_count == 1:
            return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * e / self.T_max))
                    / 2 for base in self.base_lrs]
        if (e - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [group["lr"] + (base - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * e / self.T_max)) / (1 + math.cos(math.pi * (e - 1)
                                                                         / self.T_max))
        return [self.eta_min + (group["lr"] - self.eta_min) * ratio for group in groups]
        # END SOLUTION
