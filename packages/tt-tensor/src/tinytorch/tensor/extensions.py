"""The two extension points of part 1: the gradient recorder and op observers.

Part 1 knows nothing about autograd. Every differentiable op computes its result with NumPy and
then hands ``(op name, inputs, output, saved values)`` to the *gradient recorder*, if one is
registered and an input requires grad. Part 2 (tt-autograd) is that recorder. It registers itself
when ``tinytorch.autograd`` is imported, and it is also found lazily through the entry-point group
``tinytorch.extensions`` the first time something asks for gradients, so that installing
tt-autograd is enough.

*Op observers* are told of every top-level op with its inputs, output and wall time; part 6's
profiler counts FLOPs and memory with them.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = [
    "GradientRecorder", "register_gradient_recorder", "gradient_recorder",
    "require_gradient_recorder", "OpEvent", "add_op_observer", "RemovableHandle", "op",
    "ENTRY_POINT_GROUP",
]

ENTRY_POINT_GROUP = "tinytorch.extensions"
INSTALL_HINT = "pip install tt-autograd"


class GradientRecorder(Protocol):
    """What a gradient engine provides to part 1 (tt-autograd implements it)."""

    def record(self, op: str, inputs: tuple[Tensor, ...], output: Tensor,
               saved: dict[str, Any]) -> object | None:
        """Remember how ``output`` was made; return its graph node (``grad_fn``), or None when
        gradients are off (e.g. under ``no_grad``)."""

    def is_grad_enabled(self) -> bool:
        """Whether ops are being recorded right now."""

    def backward(self, tensor: Tensor, gradient: Tensor | None, retain_graph: bool | None,
                 create_graph: bool, inputs: Any = None) -> None:
        """Run backpropagation from ``tensor`` (what ``Tensor.backward`` calls); ``inputs``, when
        given, limits accumulation to those tensors."""

    def retain_grad(self, tensor: Tensor) -> None:
        """Keep ``.grad`` on a non-leaf tensor after backward."""

    def register_hook(self, tensor: Tensor, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when the gradient of ``tensor`` is computed; return a handle."""


_recorder: GradientRecorder | None = None
_entry_points_scanned = False
_scan_lock = threading.Lock()


def register_gradient_recorder(recorder: GradientRecorder | None) -> None:
    """Install (or with None, remove) the gradient recorder every op reports to."""
    global _recorder
    _recorder = recorder


def gradient_recorder() -> GradientRecorder | None:
    """The registered recorder; on first use, load the ``tinytorch.extensions`` entry points."""
    global _entry_points_scanned
    if _recorder is None and not _entry_points_scanned:
        with _scan_lock:
            if not _entry_points_scanned:
                _load_entry_points()
                _entry_points_scanned = True
    return _recorder


def _load_entry_points() -> None:
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()  # importing tinytorch.autograd registers its engine
        if callable(loaded):
            loaded()


def require_gradient_recorder(what: str) -> GradientRecorder:
    """The recorder, or a RuntimeError telling the user which package to install."""
    recorder = gradient_recorder()
    if recorder is None:
        raise RuntimeError(
            f"{what} needs the autograd engine, which is not installed. "
            f"Gradients come with part 2 of TinyTorch: {INSTALL_HINT}"
        )
    return recorder


# ---------------------------------------------------------------------------------------------
# Op observers
# ---------------------------------------------------------------------------------------------

class OpEvent(NamedTuple):
    """One op as an observer sees it."""

    name: str
    inputs: tuple[Any, ...]
    output: Any
    seconds: float


_observers: dict[int, Callable[[OpEvent], None]] = {}
_depth = threading.local()


class RemovableHandle:
    """Returned by registration functions; ``handle.remove()`` undoes the registration."""

    def __init__(self, registry: dict[int, Any], key: int) -> None:
        self._registry, self._key = registry, key

    def remove(self) -> None:
        self._registry.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_op_observer(observer: Callable[[OpEvent], None]) -> RemovableHandle:
    """Call ``observer(OpEvent)`` after every top-level Tensor op; returns a removable handle.

    Ops built from other ops (``logsumexp`` calls ``max``, ``exp``, ``sum``...) are reported once,
    under their own name, with the time of the whole.
    """
    key = id(observer)
    while key in _observers:
        key += 1
    _observers[key] = observer
    return RemovableHandle(_observers, key)


F = TypeVar("F", bound=Callable[..., Any])


def op(fn: F) -> F:
    """Mark ``fn`` as a Tensor op so that observers hear about it, under ``fn``'s own name
    (underscores stripped: ``__getitem__`` is reported as ``"getitem"``)."""
    name = fn.__name__.strip("_")

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not _observers:
            return fn(*args, **kwargs)
        return _observed_call(name, fn, args, kwargs)

    return run  # type: ignore[return-value]


def _observed_call(name: str, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    depth = getattr(_depth, "value", 0)
    _depth.value = depth + 1
    try:
        start = time.perf_counter()
        output = fn(*args, **kwargs)
        seconds = time.perf_counter() - start
    finally:
        _depth.value = depth
    if depth == 0:
        event = OpEvent(name, tuple(args), output, seconds)
        for observer in list(_observers.values()):
            observer(event)
    return output
