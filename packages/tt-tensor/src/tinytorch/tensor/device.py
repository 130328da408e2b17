"""Devices: TinyTorch runs on the CPU, and says so.

PyTorch code names a device everywhere (``torch.device("cpu")``, ``zeros(3, device=dev)``,
``x.to(dev)``, ``x.cpu()``). TinyTorch accepts all of that for the CPU, so such code runs
unchanged, and refuses any other device (``"cuda"``, ``"mps"``, ``"cuda:0"``...) with an error
that says why, as early as the device is named.
"""

from __future__ import annotations

from typing import Any

__all__ = ["device", "get_default_device", "set_default_device"]


class device:  # noqa: N801 - PyTorch's spelling: torch.device
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cpu:0")``, ``device("cpu", 0)``.

    Attributes:
        type: always ``"cpu"``.
        index: the device index, or None.
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if isinstance(type, int) and not isinstance(type, bool):  # torch.device(0) is cuda:0
            raise RuntimeError(f"TinyTorch runs on the CPU only; device {type} (an accelerator "
                               "index) is not available. Use 'cpu' (or leave the device out)")
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only; device {type!r} is not "
                               "available. Use 'cpu' (or leave the device out)")
        if number:
            if index is not None:
                raise RuntimeError(f"device(): index given twice, in {type!r} and as {index}")
            if not number.isdigit():
                raise RuntimeError(f"device(): invalid device string {type!r}")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"device(): index must be a non-negative int, got {index!r}")
        self.type, self.index = "cpu", index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(where: Any) -> None:
    """Accept None, ``"cpu"``, ``"cpu:N"`` or a cpu :class:`device`; raise for anything else."""
    if where is not None and not isinstance(where, device):
        device(where)


def get_default_device() -> device:
    """The device new tensors are made on: always the CPU."""
    return CPU


def set_default_device(where: Any) -> None:
    """Accept ``"cpu"`` (or None) as ``torch.set_default_device`` does; other devices raise."""
    check_device(where)
