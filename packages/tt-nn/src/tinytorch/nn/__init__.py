"""TinyTorch part 3: neural networks, with ``torch.nn``'s names.

``import tinytorch.nn as nn``: ``nn.Module``, ``nn.Parameter``, containers (``Sequential``,
``ModuleList``, ``ModuleDict``), layers (``Linear``, ``Dropout``, ``Flatten``), activations,
losses; ``nn.functional`` (stateless forms) and ``nn.init`` (weight initialisation).
Also in this package: ``tinytorch.nn.optim``, ``tinytorch.nn.data``, ``tinytorch.nn.training``
and ``nn.save``/``nn.load`` (``.npz`` checkpoints).

Files, in the order of the course:

=================  ==========================================================
``parameter.py``    Parameter: a Tensor a Module learns
``module.py``       Module: registration, traversal, state_dict, hooks, repr
``containers.py``   Sequential, ModuleList, ModuleDict
``init.py``         weight initialisation (xavier, kaiming, ...)
``linear.py``       Linear, Identity
``activation.py``   ReLU, GELU, Softmax, ... (math in ``functional.py``)
``dropout.py``      Dropout
``loss.py``         MSELoss, CrossEntropyLoss, BCEWithLogitsLoss, ...
``functional.py``   the math of all of the above; ``_fused.py`` its hand-written backwards
=================  ==========================================================
"""

import tinytorch.autograd  # noqa: F401  - registers the gradient engine (Parameters need it)

from . import data, functional, init, optim, training, utils
from ._version import __version__
from .activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .containers import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, RemovableHandle
from .parameter import Parameter
from .serialization import CheckpointError, load, save

__all__ = [
    "__version__", "Module", "Parameter", "IncompatibleKeys", "RemovableHandle",
    "Sequential", "ModuleList", "ModuleDict", "Identity", "Flatten", "Unflatten", "Linear",
    "Dropout", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "NLLLoss", "CrossEntropyLoss", "BCELoss",
    "BCEWithLogitsLoss", "functional", "init", "optim", "data", "training", "utils", "save",
    "load", "CheckpointError", "clip_grad_norm_", "clip_grad_value_",
]
