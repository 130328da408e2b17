"""``profile_model``: one call that answers "how big, how much work, how much memory, how fast".

::

    report = profile_model(model, x, loss_fn=lambda out: F.cross_entropy(out, y))
    print(report)                 # the summary, then the per-layer and per-op tables
    report.profiler.export_chrome_trace("trace.json")

It runs one forward and one backward pass under a :class:`~tinytorch.systems.profiler.Profiler`
(FLOPs, activation bytes and peak memory per pass), then times inference (forward under
``no_grad``) and a training step (forward and backward) with
:func:`~tinytorch.systems.timing.measure`, without ``tracemalloc`` slowing them down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tinytorch.nn as nn
from tinytorch.autograd import no_grad
from tinytorch.tensor import Tensor

from .flops import count_parameters, model_size_bytes
from .profiler import Profiler
from .tables import format_table, human_bytes, human_flops
from .timing import Timing, measure

__all__ = ["ModelProfile", "profile_model"]


@dataclass
class ModelProfile:
    """What :func:`profile_model` measured. FLOPs and bytes are per call of the model on the
    given inputs; latencies are :class:`~tinytorch.systems.timing.Timing` s (seconds)."""

    parameters: int
    size_bytes: int
    forward_flops: int
    backward_flops: int
    activation_bytes: int
    peak_forward_bytes: int
    peak_backward_bytes: int
    latency: Timing
    train_latency: Timing | None
    profiler: Profiler

    def summary(self) -> str:
        rows = [("parameters", f"{self.parameters:,}"),
                ("size (state_dict)", human_bytes(self.size_bytes)),
                ("forward FLOPs", human_flops(self.forward_flops)),
                ("backward FLOPs", human_flops(self.backward_flops)),
                ("activations (forward)", human_bytes(self.activation_bytes)),
                ("peak memory, forward", human_bytes(self.peak_forward_bytes)),
                ("peak memory, backward", human_bytes(self.peak_backward_bytes)),
                ("inference latency", str(self.latency))]
        if self.train_latency is not None:
            rows.append(("training step latency", str(self.train_latency)))
        return format_table(("measure", "value"), rows)

    def __str__(self) -> str:
        return "\n\n".join([self.summary(), self.profiler.module_table(), self.profiler.table()])


def profile_model(model: nn.Module, *inputs: Any,
                  loss_fn: Callable[[Any], Tensor] | None = None, backward: bool = True,
                  warmup: int = 2, repeats: int = 10) -> ModelProfile:
    """Profile ``model(*inputs)``: size, FLOPs, memory, and latency with median and IQR.

    Args:
        model: the model (its train/eval mode is left as it is).
        *inputs: what ``model`` is called with.
        loss_fn: ``output -> scalar loss`` for the backward pass (default: ``output.sum()``).
        backward: also profile and time the backward pass.
        warmup: untimed calls before timing (:func:`~tinytorch.systems.timing.measure`).
        repeats: timed calls.
    """
    if not inputs:
        raise TypeError("profile_model needs the inputs to call the model with")
    loss_of = loss_fn if loss_fn is not None else (lambda out: out.sum())
    with Profiler(model) as prof:
        with prof.record_function("forward") as fwd:
            output = model(*inputs)
            loss = loss_of(output) if backward else None
        bwd = None
        if loss is not None:
            with prof.record_function("backward") as bwd:
                loss.backward()
    model.zero_grad()

    def infer() -> None:
        with no_grad():
            model(*inputs)

    def train_step() -> None:
        loss_of(model(*inputs)).backward()

    latency = measure(infer, warmup=warmup, repeats=repeats)
    train_latency = measure(train_step, warmup=warmup, repeats=repeats) if backward else None
    model.zero_grad()
    return ModelProfile(
        parameters=count_parameters(model), size_bytes=model_size_bytes(model),
        forward_flops=prof.total_flops("forward"), backward_flops=prof.total_flops("backward"),
        activation_bytes=prof.activation_bytes("forward"),
        peak_forward_bytes=fwd.peak_bytes, peak_backward_bytes=bwd.peak_bytes if bwd else 0,
        latency=latency, train_latency=train_latency, profiler=prof)
