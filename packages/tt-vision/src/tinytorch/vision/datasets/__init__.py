"""Image datasets with torchvision's names: ``CIFAR10``, ``MNIST``, ``FashionMNIST``.

Each reads its official files with NumPy alone (nothing is unpickled), from ``root`` (the
milestones' ``--data-dir``) or ``$TINYTORCH_DATA``, and falls back to a small sample shipped
inside the packages so that everything runs offline.
"""

from .archive import UnsafeArchiveError, safe_extract
from .cifar import CIFAR10, CIFARError, read_cifar_records
from .mnist import MNIST, FashionMNIST

__all__ = ["CIFAR10", "CIFARError", "read_cifar_records", "MNIST", "FashionMNIST",
           "safe_extract", "UnsafeArchiveError"]
