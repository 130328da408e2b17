"""TinyTorch part 3: neural networks, with ``torch.nn``'s names.

``import tinytorch.nn as nn``: ``nn.Module``, ``nn.Parameter``, containers (``Sequential``,
``ModuleList``, ``ModuleDict``), layers (``Linear``, ``Dropout``, ``Flatten``), activations,
losses; ``nn.functional`` (stateless forms) and ``nn.init`` (weight initialisation).
Also in this package: ``tinytorch.nn.optim``, ``tinytorch.nn.data``, ``tinytorch.nn.training``
and ``nn.save``/``nn.load`` (``.npz`` checkpoints).

Files, in the order of the course (task numbers in brackets):

========================  ====================================================================
``parameter.py``          Parameter: a Tensor a Module learns
``module.py``             Module: the tables and registration [3.1], printing
``module_traversal.py``   walking the tree [3.2], train/eval and zero_grad [3.3], dtypes
``module_hooks.py``       calling a Module: hooks around ``forward`` [3.4]
``module_state.py``       ``state_dict`` [3.5] and ``load_state_dict`` [3.6]
``containers.py``         Sequential [3.7], ModuleList, ModuleDict, ParameterList/Dict
``init.py``               fans and gains [3.8], xavier and kaiming [3.9], other fills
``linear.py``             Linear [3.10], Identity
``flatten.py``            Flatten, Unflatten
``activation.py``         ReLU, GELU, Softmax... (modules; the math in ``functional/``)
``dropout.py``            Dropout
``loss.py``               MSELoss, CrossEntropyLoss, BCEWithLogitsLoss... (modules)
``functional/``           the math: linear [3.11], activations [3.12], dropout [3.13],
                          losses [3.14], nll [3.15], cross entropy [3.16], pad
``optim/``                SGD [3.17], Adam/AdamW [3.18], RMSprop [3.19], LR schedules [3.20]
``clip_grad.py``          gradient clipping [3.21] (``nn.utils``)
``data/``                 datasets, samplers, DataLoader [3.22], MNIST IDX files [3.23],
                          checked downloads [3.24]
``atomic.py``             atomic file writes; stale temporaries cleaned
``serialization.py``      ``save``/``load`` checkpoints [3.25]
``training.py``           the training step [3.26] and ``fit``
========================  ====================================================================
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
