"""Stateless forms of the layers, activations and losses, as ``torch.nn.functional``.

``import tinytorch.nn.functional as F``. Modules call these; the math lives here, once, one
file per concept:

=====================  =========================================================================
``linear.py``          ``linear``: a Function, forward and backward side by side
``activation.py``      ``relu``, ``gelu``, ``softplus``, ``softmax``... (compositions of part 1)
``dropout.py``         ``dropout``
``loss.py``            ``mse_loss``, ``l1_loss``, ``huber_loss``, ``kl_div``, binary cross entropy
``cross_entropy.py``   ``nll_loss`` (a Function), ``cross_entropy``, ``one_hot``
``padding.py``         ``pad``: constant, reflect, replicate, circular
=====================  =========================================================================
"""

from .activation import (
    celu,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    relu_,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
    tanhshrink,
    threshold,
)
from .cross_entropy import cross_entropy, nll_loss, one_hot
from .dropout import dropout
from .linear import linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from .padding import pad

__all__ = [
    "linear", "relu", "relu_", "relu6", "leaky_relu", "elu", "celu", "selu", "gelu", "silu",
    "mish", "softplus", "sigmoid", "logsigmoid", "tanh", "tanhshrink", "softsign", "hardtanh",
    "hardsigmoid", "hardswish", "threshold", "prelu", "glu", "softmax", "softmin", "log_softmax",
    "dropout", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "nll_loss",
    "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "one_hot", "pad",
]
