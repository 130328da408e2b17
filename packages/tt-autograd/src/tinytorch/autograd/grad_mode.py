"""Grad modes: whether ops are recorded right now (per thread).

``no_grad()`` switches recording off, ``enable_grad()`` back on, ``set_grad_enabled(flag)`` sets
it; each works as a context manager and as a decorator. The flag is thread-local, as in PyTorch:
a ``no_grad`` block in one thread does not stop another thread from recording.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode"]

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """Per-thread autograd state: a new thread starts with recording on."""

    def __init__(self) -> None:
        self.enabled = True


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops are being recorded in this thread."""
    return state.enabled


class _GradMode:
    """Base of the grad-mode context managers; an instance also decorates a function."""

    enabled: bool = True

    def __init__(self) -> None:
        self._previous: list[bool] = []  # a stack, so one instance can be entered twice

    def __enter__(self) -> None:
        # BEGIN SOLUTION 2.7 grad mode: switch recording for the block, remember the old mode
        self._previous.append(state.enabled)
        state.enabled = self.enabled
        # END SOLUTION

    def __exit__(self, *exc: object) -> None:
        # BEGIN SOLUTION 2.7 grad mode: restore the mode the block started with
        state.enabled = self._previous.pop()
        # END SOLUTION

    def __call__(self, fn: F) -> F:
        mode = self.enabled

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]


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
        self.enabled = bool(mode)
        self._previous = [state.enabled]
        state.enabled = self.enabled

    def __enter__(self) -> None:
        pass  # the mode was set by __init__, the old one remembered there

    def __call__(self, fn: F) -> F:
        state.enabled = self._previous[0]  # used as a decorator: do not change the mode now
        return super().__call__(fn)


class inference_mode(no_grad):  # noqa: N801
    """PyTorch's faster ``no_grad``; here the same as :class:`no_grad` (``mode=False`` records)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.enabled = not mode
