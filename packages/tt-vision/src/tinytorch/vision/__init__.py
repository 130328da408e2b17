"""TinyTorch part 4: vision. Convolution, pooling, batch norm, image transforms, CIFAR-10, LeNet-5.

``import tinytorch.vision as vision``: the layers (``vision.Conv2d``, ``vision.MaxPool2d``,
``vision.BatchNorm2d``...) are ``tinytorch.nn.Module`` s with ``torch.nn``'s names and semantics;
``vision.functional`` holds their stateless forms, ``vision.transforms``, ``vision.datasets``
and ``vision.models`` follow torchvision.

Files, in the order of the course:

- ``geometry.py``: output sizes, padding ``"same"``, argument checks
- ``im2col.py``: windows as matrix columns (and back): convolution as a GEMM
- ``conv_gemm.py``: forward, input gradient, weight gradient, one BLAS call each
- ``conv_functions.py``: the three autograd Functions that differentiate each other
- ``conv.py``: Conv2d, Conv1d, ConvTranspose2d
- ``pooling_functions.py``: max pooling (a running max over kernel offsets), pooling geometry
- ``pooling.py``: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
- ``batchnorm_function.py``: batch norm: forward, closed-form backward, running statistics
- ``batchnorm.py``: BatchNorm1d, BatchNorm2d
- ``dropout.py``: Dropout2d, dropping whole channels
- ``functional.py``: the stateless ops (``torch.nn.functional``'s names)
- ``transforms.py``: Compose, ToTensor, Normalize, RandomCrop, RandomHorizontalFlip
- ``datasets/``: CIFAR10 (official binary files), MNIST, FashionMNIST
- ``models/``: LeNet5, CifarNet
"""

import tinytorch.nn  # noqa: F401  - layers are Modules; this also registers the gradient engine

from . import datasets, functional, models, transforms
from ._version import __version__
from .batchnorm import BatchNorm1d, BatchNorm2d
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .dropout import Dropout2d
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = ["__version__", "functional", "transforms", "datasets", "models", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d",
           "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d", "Dropout2d"]
