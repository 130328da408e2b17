"""Milestone 1998: convolutional networks.

Two console scripts:

* ``tt-milestone-1998-lenet`` (:mod:`.lenet`): LeNet-5 on MNIST, >= 99.0% on the full test set;
* ``tt-milestone-1998-cifar`` (:mod:`.cifar`): a small conv-BN-ReLU network on CIFAR-10 next to
  an MLP on the same images, >= 80% for the CNN within 45 minutes on 2 cores.

Shared pieces: :mod:`.training` (the loop, the progress bar, the allocator setting) and
:mod:`.figures` (first-layer filters, confusion matrix, accuracy curves).
"""
