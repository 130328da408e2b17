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
``functional/``     the math of all of the above, one file per concept
=================  ==========================================================
"""

import tinytorch.autograd  # noqa: F401  - registers the gradient engine (Parameters need it)

from . import data, functional, init, optim, training, utils
from ._version import __version__
from .activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module
from .module_hooks import RemovableHandle
from .parameter import Parameter
from .serialization import CheckpointError, load, save

__all__ = [
    "__version__", "Module", "Parameter", "IncompatibleKeys", "RemovableHandle",
    "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Identity", "Flatten", "Unflatten", "Linear",
    "Dropout", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "CELU", "SELU", "GELU", "SiLU",
    "Mish", "Softplus", "Sigmoid", "LogSigmoid", "Tanh", "Tanhshrink", "Softsign", "Hardtanh",
    "Hardsigmoid", "Hardswish", "Threshold", "GLU", "Softmax", "Softmin", "LogSoftmax",
    "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "NLLLoss", "CrossEntropyLoss",
    "BCELoss", "BCEWithLogitsLoss", "functional", "init", "optim", "data", "training", "utils", "save",
    "load", "CheckpointError", "clip_grad_norm_", "clip_grad_value_",
]
