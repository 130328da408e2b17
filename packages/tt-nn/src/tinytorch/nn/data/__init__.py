"""Data: datasets, the DataLoader, checksummed downloads, MNIST/Fashion-MNIST (``torch.utils.data``
and ``torchvision.datasets`` spellings)."""

from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .download import ChecksumError, download, sha256sum
from .mnist import DATASETS, MNIST, FashionMNIST, IDXError, load_mnist, read_idx
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split", "DataLoader", "default_collate", "default_convert", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler",
           "download", "sha256sum", "ChecksumError", "DATASETS", "MNIST", "FashionMNIST",
           "IDXError", "load_mnist", "read_idx"]
