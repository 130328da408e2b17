"""Data: datasets, the DataLoader, checksummed downloads, MNIST/Fashion-MNIST (``torch.utils.data``
and ``torchvision.datasets`` spellings)."""

from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .download import ChecksumError, download, sha256sum
from .mnist import DATASETS, MNIST, FashionMNIST, IDXError, load_mnist, read_idx

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate",
           "download", "sha256sum", "ChecksumError", "DATASETS", "MNIST", "FashionMNIST",
           "IDXError", "load_mnist", "read_idx"]
