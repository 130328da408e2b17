"""TinyTorch part 1: the Tensor.

``import tinytorch.tensor as tt`` gives PyTorch's spelling: ``tt.tensor``, ``tt.zeros``,
``tt.randn``, ``tt.cat``, ``tt.float32``, ``tt.manual_seed``, ``tt.device("cpu")``,
``tt.cuda.is_available()``... Gradients switch on when part 2 (tt-autograd) is installed; see
:mod:`tinytorch.tensor.extensions`.
"""

from . import cuda
from ._version import __version__
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import device, get_default_device, set_default_device
from .dtypes import (
    DType,
    as_dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from .dtypes import bool_ as bool  # noqa: A004 - PyTorch's spelling, tinytorch.tensor.bool
from .extensions import OpEvent, add_op_observer, gradient_recorder, register_gradient_recorder
from .functions import *  # noqa: F403
from .functions import __all__ as _function_names
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .reductions import ValuesIndices
from .tensor import Tensor

half, double, long, short = float16, float64, int64, int16
float = float32  # noqa: A001 - as torch.float
int = int32  # noqa: A001 - as torch.int

__all__ = [
    "__version__",
    "Tensor",
    "DType",
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "randperm",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand_like",
    "randn_like",
    "float16",
    "float32",
    "float64",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "half",
    "float",
    "double",
    "long",
    "int",
    "short",
    "device",
    "get_default_device",
    "set_default_device",
    "cuda",
    "as_dtype",
    "promote_types",
    "result_type",
    "get_default_dtype",
    "set_default_dtype",
    "Generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "add_op_observer",
    "OpEvent",
    "register_gradient_recorder",
    "gradient_recorder",
    "ValuesIndices",
    *_function_names,
]
