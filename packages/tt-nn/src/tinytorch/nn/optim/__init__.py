"""Optimizers and learning-rate schedules, shaped like ``torch.optim``.

``from tinytorch.nn import optim``; ``optim.SGD(model.parameters(), lr=0.1, momentum=0.9)``;
``optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)``.
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
