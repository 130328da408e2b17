"""The profiler: where the time, the FLOPs and the memory of a model go.

::

    with Profiler(model) as prof:
        with prof.record_function("forward"):
            loss = model(x).sum()
        with prof.record_function("backward"):
            loss.backward()
    print(prof.table())                      # per op: calls, time, FLOPs, bytes
    print(prof.module_table())               # per layer
    prof.export_chrome_trace("trace.json")   # open in https://ui.perfetto.dev

It listens through the two extension points of earlier parts, and changes none of them:

* part 1's **op observers** report every Tensor op (name, inputs, output, seconds), priced by
  :func:`~tinytorch.systems.flops.op_flops`. Backward rules are Tensor ops too, so the backward
  pass is profiled the same way.
* part 3's **forward hooks** (a pre-hook and a hook on every submodule) time each layer and price
  the layers whose arithmetic observers cannot see (:func:`~tinytorch.systems.flops.module_flops`).

Memory comes from :mod:`tracemalloc`, which NumPy reports its array allocations to: the *peak*
is the most memory held above the level at the start of a region. *Activation bytes* are the
bytes of every tensor the region created (each op's output), what autograd may keep alive.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.tensor import Tensor, add_op_observer

from ._io import write_atomic
from .flops import has_module_rule, module_flops, op_flops
from .tables import format_table, human_bytes, human_flops, human_seconds

__all__ = ["Profiler", "OpRecord", "ModuleRecord", "RegionRecord", "peak_memory"]


def peak_memory(fn: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``fn()`` and return ``(its result, peak bytes allocated above the start)``.

    Uses :mod:`tracemalloc` (started here if it is not running, and stopped again after).
    """
    # BEGIN SOLUTION 6.5 peak memory of a call with tracemalloc
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if started:
            tracemalloc.stop()
    return result, max(0, peak - baseline)
    # END SOLUTION


def _tensor_bytes(value: Any, inputs: tuple[Any, ...] = ()) -> int:
    """Bytes newly created in an output (a Tensor, or a tuple/list of them): a view of one of
    the ``inputs`` (reshape, slicing, permute...) creates none."""
    if isinstance(value, Tensor):
        for x in inputs:
            if isinstance(x, Tensor) and np.may_share_memory(value.array, x.array):
                return 0
        return int(value.array.nbytes)
    if isinstance(value, (tuple, list)):
        return sum(_tensor_bytes(v, inputs) for v in value)
    return 0


def _shape(value: Any) -> str:
    return "x".join(map(str, value.shape)) if isinstance(value, (Tensor, np.ndarray)) else ""


@dataclass
class OpRecord:
    """One observed Tensor op. ``start`` is seconds since the profile began; ``covered`` ops ran
    inside a layer priced as a whole, so their FLOPs are not counted twice."""

    name: str
    region: str
    module: str
    start: float
    seconds: float
    flops: int
    out_bytes: int
    shapes: str
    covered: bool = False


@dataclass
class ModuleRecord:
    """One call of one layer."""

    name: str
    kind: str
    region: str
    start: float
    seconds: float
    flops: int
    out_bytes: int
    out_shape: str


@dataclass
class RegionRecord:
    """A labelled range (``record_function``), with its peak memory above its start."""

    name: str
    start: float
    seconds: float = 0.0
    peak_bytes: int = 0


@dataclass
class _Frame:
    name: str
    module: nn.Module
    start: float
    has_rule: bool
    flops: int = 0
    out_bytes: int = 0


@dataclass
class Totals:
    """FLOPs and created bytes of one region."""

    flops: int = 0
    activation_bytes: int = 0


class Profiler:
    """Records ops, layers, labelled regions and peak memory while it is active (``with``).

    Args:
        model: a Module whose submodules are timed and priced (optional: without it only ops
            are recorded).
        record_memory: track peak memory with :mod:`tracemalloc` (it slows allocations down,
            so measure latency separately, with :func:`~tinytorch.systems.timing.measure`).
    """

    def __init__(self, model: nn.Module | None = None, *, record_memory: bool = True) -> None:
        self.model = model
        self.record_memory = record_memory
        self.ops: list[OpRecord] = []
        self.modules: list[ModuleRecord] = []
        self.regions: list[RegionRecord] = []
        self.totals: dict[str, Totals] = {}
        self._stack: list[_Frame] = []
        self._labels: list[str] = []
        self._handles: list[Any] = []
        self._t0 = 0.0
        self._started_tracing = False

    # -- activation ------------------------------------------------------------------------

    def __enter__(self) -> Profiler:
        self._t0 = time.perf_counter()
        if self.record_memory and not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_tracing = True
        if self.model is not None:
            for name, module in self.model.named_modules():
                self._handles.append(module.register_forward_pre_hook(self._enter_module(name)))
                self._handles.append(module.register_forward_hook(
                    self._exit_module, with_kwargs=True, always_call=True))
        self._handles.append(add_op_observer(self._on_op))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        if self._started_tracing:
            tracemalloc.stop()
            self._started_tracing = False

    def _now(self) -> float:
        return time.perf_counter() - self._t0

    @property
    def region(self) -> str:
        """The innermost active ``record_function`` label (``""`` outside any)."""
        return self._labels[-1] if self._labels else ""

    @contextmanager
    def record_function(self, name: str) -> Iterator[RegionRecord]:
        """Label the ops and layers run inside (``"forward"``, ``"backward"``, ...); the region's
        peak memory above its start is measured when memory is recorded."""
        record = RegionRecord(name, self._now())
        tracing = self.record_memory and tracemalloc.is_tracing()
        if tracing:
            baseline, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
        self._labels.append(name)
        try:
            yield record
        finally:
            self._labels.pop()
            record.seconds = self._now() - record.start
            if tracing:
                _, peak = tracemalloc.get_traced_memory()
                record.peak_bytes = max(0, peak - baseline)
            self.regions.append(record)

    # -- listeners ------------------------------------------------------------------------

    def _covered(self) -> bool:
        return any(frame.has_rule for frame in self._stack)

    def _add(self, flops: int, out_bytes: int) -> None:
        """Count work in the current region and in every enclosing layer."""
        totals = self.totals.setdefault(self.region, Totals())
        totals.flops += flops
        totals.activation_bytes += out_bytes
        for frame in self._stack:
            frame.flops += flops
            frame.out_bytes += out_bytes

    def _on_op(self, event: Any) -> None:
        end = self._now()
        covered = self._covered()
        flops = op_flops(event.name, event.inputs, event.output)
        out_bytes = _tensor_bytes(event.output, event.inputs)
        shapes = ",".join(s for s in (_shape(x) for x in event.inputs) if s)
        module = self._stack[-1].name if self._stack else ""
        self.ops.append(OpRecord(event.name, self.region, module, end - event.seconds,
                                 event.seconds, flops, out_bytes, shapes, covered))
        if not covered:
            self._add(flops, out_bytes)

    def _enter_module(self, name: str) -> Callable[..., None]:
        def hook(module: nn.Module, args: Any) -> None:
            self._stack.append(_Frame(name, module, self._now(), has_module_rule(module)))
        return hook

    def _exit_module(self, module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any],
                     output: Any) -> None:
        if not self._stack or self._stack[-1].module is not module:
            return  # entered before the profiler started
        frame = self._stack.pop()
        flops, out_bytes = frame.flops, frame.out_bytes
        if frame.has_rule and output is not None:
            flops = module_flops(module, args, output, kwargs) or 0
            out_bytes = _tensor_bytes(output, args)
            if not self._covered():  # the outermost priced layer counts for its ancestors
                self._add(flops, out_bytes)
        self.modules.append(ModuleRecord(frame.name or type(module).__name__,
                                         type(module).__name__, self.region, frame.start,
                                         self._now() - frame.start, flops, out_bytes,
                                         _shape(output)))

    # -- results ----------------------------------------------------------------------------

    def total_flops(self, region: str | None = None) -> int:
        """FLOPs counted in ``region`` (all regions when None)."""
        if region is not None:
            return self.totals.get(region, Totals()).flops
        return sum(t.flops for t in self.totals.values())

    def activation_bytes(self, region: str | None = None) -> int:
        """Bytes of the tensors created in ``region`` (all regions when None)."""
        if region is not None:
            return self.totals.get(region, Totals()).activation_bytes
        return sum(t.activation_bytes for t in self.totals.values())

    def key_averages(self) -> list[dict[str, Any]]:
        """Ops grouped by (region, name): calls, seconds, FLOPs, bytes; slowest first."""
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for op in self.ops:
            g = groups.setdefault((op.region, op.name), {"region": op.region, "name": op.name,
                                  "calls": 0, "seconds": 0.0, "flops": 0, "out_bytes": 0})
            g["calls"] += 1
            g["seconds"] += op.seconds
            g["flops"] += 0 if op.covered else op.flops
            g["out_bytes"] += op.out_bytes
        return sorted(groups.values(), key=lambda g: -g["seconds"])

    def table(self, row_limit: int = 25) -> str:
        """The ops table: one row per (region, op), slowest first."""
        stats = self.key_averages()
        total = sum(g["seconds"] for g in stats) or 1.0
        rows = [(g["name"], g["region"] or "-", g["calls"], human_seconds(g["seconds"]),
                 f"{100 * g['seconds'] / total:.1f}%", human_flops(g["flops"]),
                 f"{g['flops'] / g['seconds'] / 1e9:.2f}" if g["seconds"] > 0 else "-",
                 human_bytes(g["out_bytes"])) for g in stats[:row_limit]]
        return format_table(("op", "region", "calls", "time", "time %", "FLOPs", "GFLOP/s",
                             "created"), rows)

    def module_table(self) -> str:
        """The layers table: one row per (region, layer) in call order, summed over calls."""
        groups: dict[tuple[str, str], list[Any]] = {}
        for m in self.modules:
            g = groups.setdefault((m.region, m.name), [m.name, m.kind, m.region or "-", 0, 0.0,
                                                       0, 0, m.out_shape])
            g[3] += 1
            g[4] += m.seconds
            g[5] += m.flops
            g[6] += m.out_bytes
        rows = [(name, kind, region, calls, human_seconds(sec), human_flops(fl),
                 human_bytes(by), shape)
                for name, kind, region, calls, sec, fl, by, shape in groups.values()]
        return format_table(("layer", "type", "region", "calls", "time", "FLOPs", "output",
                             "shape"), rows)

    def chrome_trace(self) -> dict[str, Any]:
        """The profile in the Chrome trace-event format (what Perfetto and chrome://tracing open).

        Complete events (``"ph": "X"``) with microsecond ``ts``/``dur``: labelled regions on
        thread 1, layers on thread 2, ops on thread 3.
        """
        pid = os.getpid()
        events: list[dict[str, Any]] = [
            {"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
             "args": {"name": "TinyTorch"}}]
        for tid, label in ((1, "regions"), (2, "layers"), (3, "ops")):
            events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                           "args": {"name": label}})
        for r in self.regions:
            events.append(_complete(r.name, "region", pid, 1, r.start, r.seconds,
                                    {"peak_bytes": r.peak_bytes}))
        for m in self.modules:
            events.append(_complete(m.name, "layer", pid, 2, m.start, m.seconds,
                                    {"type": m.kind, "flops": m.flops, "out_bytes": m.out_bytes,
                                     "shape": m.out_shape, "region": m.region}))
        for op in self.ops:
            events.append(_complete(op.name, "op", pid, 3, op.start, op.seconds,
                                    {"flops": 0 if op.covered else op.flops,
                                     "out_bytes": op.out_bytes, "inputs": op.shapes,
                                     "module": op.module, "region": op.region}))
        return {"traceEvents": events, "displayTimeUnit": "ms"}

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`chrome_trace` as JSON (atomically); returns the path."""
        return write_atomic(path, json.dumps(self.chrome_trace()))


def _complete(name: str, cat: str, pid: int, tid: int, start: float, seconds: float,
              args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "cat": cat, "ph": "X", "pid": pid, "tid": tid,
            "ts": round(start * 1e6, 3), "dur": round(seconds * 1e6, 3), "args": args}
