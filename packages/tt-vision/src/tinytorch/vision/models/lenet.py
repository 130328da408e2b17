"""LeNet-5 (LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document
recognition", Proc. IEEE, 1998), the network that read bank cheques.

The paper's layers, on a 32x32 image (MNIST's 28x28 digits padded by 2)::

    C1  conv 5x5, 1 -> 6 maps         (6, 28, 28)
    S2  subsample 2x2                  (6, 14, 14)
    C3  conv 5x5, 6 -> 16 maps         (16, 10, 10)
    S4  subsample 2x2                  (16, 5, 5)
    C5  conv 5x5, 16 -> 120 maps       (120, 1, 1)   a convolution that covers the whole map
    F6  full, 120 -> 84
    out 10 classes

Modern substitutions, each a choice the field made after 1998:

* ReLU instead of the scaled tanh ``1.7159 tanh(2x/3)`` after every layer;
* max pooling instead of S2/S4's trainable subsampling (average times a learned coefficient plus
  a bias, then the squashing function);
* C3 sees all six S2 maps (the paper wired each C3 map to a hand-picked subset, to break
  symmetry and save computation);
* a linear output layer trained with softmax cross-entropy instead of the paper's Euclidean
  RBF units with fixed 7x12 bitmap codes;
* ``padding=2`` in C1 instead of padding the images themselves to 32x32.

The layer sizes, and so the 61,706 parameters, are the paper's (with its connection table C3
has 1,516 weights; fully connected it has 2,416).
"""

from __future__ import annotations

import tinytorch.nn as nn
from tinytorch.tensor import Tensor

from ..conv import Conv2d
from ..pooling import MaxPool2d

__all__ = ["LeNet5"]


class LeNet5(nn.Module):
    """LeNet-5 for ``(N, in_channels, 28, 28)`` images (or 32x32 with ``padding=0``):
    ``(N, num_classes)`` logits."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, padding: int = 2) -> None:
        """Hints: ``self.features``, a ``Sequential`` of the three convolutions (C1 with
        ``padding``), each followed by ReLU, the first two also by ``MaxPool2d(2)``;
        ``self.classifier``: ``Flatten``, F6 ``Linear(120, 84)``, ReLU, ``Linear(84,
        num_classes)``. The tests count 61,706 parameters."""
        super().__init__()
        # BEGIN SOLUTION 4.21 LeNet-5: C1-S2-C3-S4-C5 convolutions, then F6 and the output
        self.features = nn.Sequential(
            Conv2d(in_channels, 6, 5, padding=padding), nn.ReLU(), MaxPool2d(2),  # (6, 14, 14)
            Conv2d(6, 16, 5), nn.ReLU(), MaxPool2d(2),                          # (16, 5, 5)
            Conv2d(16, 120, 5), nn.ReLU(),                                      # (120, 1, 1)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes),
        )
        # END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
