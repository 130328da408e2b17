"""Models: ``LeNet5`` (1998) and ``CifarNet``, a small CIFAR-10 network of conv-BN-ReLU blocks."""

from .cifar_cnn import CifarNet, ConvBlock, Residual
from .lenet import LeNet5

__all__ = ["LeNet5", "CifarNet", "ConvBlock", "Residual"]
