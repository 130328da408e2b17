"""Learning-rate schedules (``torch.optim.lr_scheduler``), chainable as in PyTorch.

``from tinytorch.nn.optim.lr_scheduler import StepLR`` (or any name below). One file per kind:

==================  ===========================================================================
``scheduler.py``    ``LRScheduler`` (the base: ``step``, ``get_last_lr``, state dicts), LambdaLR,
                    MultiplicativeLR
``schedules.py``    StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
                    CosineAnnealingLR
``composite.py``    SequentialLR, ChainedScheduler, ``warmup_cosine``
``plateau.py``      ReduceLROnPlateau
``cyclic.py``       CosineAnnealingWarmRestarts, OneCycleLR
==================  ===========================================================================
"""

from .composite import ChainedScheduler, SequentialLR, warmup_cosine
from .cyclic import CosineAnnealingWarmRestarts, OneCycleLR
from .plateau import ReduceLROnPlateau
from .scheduler import LambdaLR, LRScheduler, MultiplicativeLR
from .schedules import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR",
           "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "SequentialLR",
           "ChainedScheduler", "ReduceLROnPlateau", "CosineAnnealingWarmRestarts", "OneCycleLR",
           "warmup_cosine"]
