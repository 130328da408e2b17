"""Grad modes: whether ops are recorded right now (per thread).

``no_grad()`` switches recording off, ``enable_grad()`` back on, ``set_grad_enabled(flag)`` sets
it; each works as a context manager and as a decorator. The flag is thread-local, as in PyTorch:
a ``no_grad`` block in one thread does not stop another thread from recording.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "is_inference_mode_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """Per-thread autograd state: a new thread starts with recording on."""

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False  # inside an active inference_mode() block


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops are being recorded in this thread."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` block is active in this thread."""
    return state.inference


def _wrap_in_mode(make: Callable[[], Any], fn: F) -> F:
    """``fn`` run inside ``with make():``; a generator function gets the mode only while it
    runs (each resume), as PyTorch does, not while the caller holds it suspended."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            gen = fn(*args, **kwargs)
            try:
                with make():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with make():
                            gen.close()
                        raise
                    except BaseException as e:  # thrown into us: pass it on
                        with make():
                            response = gen.throw(e)
                    else:
                        with make():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with make():
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]


class _GradMode:
    """Base of the grad-mode context managers; an instance also decorates a function."""

    enabled: bool = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # ``@no_grad`` without parentheses decorates the function directly (as PyTorch 2.x)
        if cls in (no_grad, enable_grad) and len(args) == 1 and not kwargs and callable(args[0]):
            return cls()(args[0])
        return super().__new__(cls)

    def __init__(self) -> None:
        self._previous: list[bool] = []  # a stack, so one instance can be entered twice

    def __enter__(self) -> None:
        """Switch recording to ``self.enabled`` for the block.

        ``state.enabled`` is this thread's flag (``Engine.record`` makes no node while it is
        False). Push its current value on the stack ``self._previous``, then set it.
        """
        # BEGIN SOLUTION 2.1 grad mode: switch recording for the block, remember the old mode
        self._previous.append(state.enabled)
        state.enabled = self.enabled
        # END SOLUTION

    def __exit__(self, *exc: object) -> None:
        """Restore the mode the block started with: pop it from ``self._previous``. (Python calls
        this also when the block raised, so the mode is restored after an exception too.)"""
        # BEGIN SOLUTION 2.1 grad mode: restore the mode the block started with
        state.enabled = self._previous.pop()
        # END SOLUTION

    def __call__(self, fn: F) -> F:
        return _wrap_in_mode(self.clone, fn)

    def clone(self) -> _GradMode:
        """A fresh context manager with the same mode (what a decorator enters on each call)."""
        return type(self)()


class no_grad(_GradMode):  # noqa: N801 - PyTorch's spelling
    """Do not record ops in this block (or function): results have no ``grad_fn``.

    Use it for evaluation and for parameter updates::

        with no_grad():
            p -= lr * p.grad
    """

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """Record ops again inside a ``no_grad`` block (or function)."""

    enabled = True


class set_grad_enabled(_GradMode):  # noqa: N801
    """Switch recording on or off: ``with set_grad_enabled(training): ...``.

    Like PyTorch, calling it sets the mode right away (so it also works as a plain function);
    used with ``with`` it restores the previous mode at the end.
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError("set_grad_enabled(): argument 'mode' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self.enabled = mode
        self._previous = [state.enabled]
        state.enabled = self.enabled

    def __call__(self, fn: F) -> F:
        state.enabled = self._previous[0]  # used as a decorator: do not change the mode now
        return super().__call__(fn)

    def clone(self) -> set_grad_enabled:
        clone = object.__new__(set_grad_enabled)
        clone.enabled = self.enabled
        clone._previous = []
        return clone

    def __enter__(self) -> None:
        # the mode was set by __init__ (the old one remembered there); a clone sets it here
        if not self._previous:
            self._previous.append(state.enabled)
        state.enabled = self.enabled


class inference_mode(no_grad):  # noqa: N801
    """PyTorch's faster ``no_grad``; here the same as :class:`no_grad` (``mode=False``: no change).

    Works as ``with inference_mode():``, ``@inference_mode()`` and ``@inference_mode``.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # ``@inference_mode`` without parentheses
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = bool(mode)
        self.enabled = not mode
        self._inference: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(state.enabled)
        if self.mode:  # inference_mode(False) leaves the grad mode as it is, as in PyTorch
            state.enabled = False
        self._inference.append(state.inference)
        state.inference = self.mode

    def __exit__(self, *exc: object) -> None:
        state.inference = self._inference.pop()
        super().__exit__(*exc)

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
