"""Benchmarking: compare models on accuracy, latency, size and FLOPs, and report it.

::

    results = [benchmark_model("float32", model, x, accuracy_fn=acc),
               benchmark_model("int8", quantize_model(model), x, accuracy_fn=acc)]
    report = BenchmarkReport(results, baseline="float32")
    print(report.to_markdown())
    report.save("out/")        # benchmark.md, .json, .csv and the Pareto-front benchmark.png

Every number comes with the conditions it was measured in: :func:`machine_info` records the
Python, NumPy and BLAS, the CPU count and the TinyTorch part versions, and each latency is a
median with its IQR over repeats taken after a warm-up (:mod:`.timing`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.autograd import no_grad

from ._io import write_atomic
from .flops import count_parameters, model_size_bytes
from .pareto import pareto_front, plot_pareto
from .profiler import Profiler
from .tables import human_bytes, human_flops, markdown_table
from .timing import Timing, measure, measure_many

__all__ = ["BenchmarkResult", "BenchmarkReport", "benchmark_model", "benchmark_models",
           "machine_info"]

PARTS = ("tt-tensor", "tt-autograd", "tt-nn", "tt-vision", "tt-text", "tt-optim-systems")


def _blas() -> str:
    try:
        config = np.show_config(mode="dicts")  # NumPy >= 1.26
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older or unusual builds: say so rather than fail
        return "unknown"


def machine_info() -> dict[str, Any]:
    """Where a benchmark ran: machine, Python, NumPy and its BLAS, TinyTorch part versions."""
    versions = {}
    for dist in PARTS:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    threads = {k: v for k, v in os.environ.items()
               if k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "python": platform.python_version(),
            "platform": platform.platform(), "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count(),
            "numpy": np.__version__, "blas": _blas(), "thread_env": threads,
            "tinytorch": versions}


@dataclass
class BenchmarkResult:
    """One model measured: latency (a Timing, seconds per call), bytes, parameters, FLOPs per
    call, and accuracy (a fraction in [0, 1], or None when not evaluated)."""

    name: str
    latency: Timing
    size_bytes: int
    parameters: int
    flops: int
    accuracy: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "accuracy": self.accuracy, "latency": self.latency.as_dict(),
                "size_bytes": self.size_bytes, "parameters": self.parameters,
                "flops": self.flops}


def benchmark_model(name: str, model: nn.Module, *inputs: Any,
                    accuracy_fn: Callable[[nn.Module], float] | None = None,
                    warmup: int = 3, repeats: int = 15, number: int = 1) -> BenchmarkResult:
    """Measure ``model(*inputs)`` in eval mode under ``no_grad``: FLOPs (one profiled call),
    latency (median and IQR), bytes, parameters, and ``accuracy_fn(model)`` when given."""
    model.eval()
    with no_grad():
        with Profiler(model, record_memory=False) as prof:
            model(*inputs)

        def infer() -> None:
            model(*inputs)

        latency = measure(infer, warmup=warmup, repeats=repeats, number=number)
        accuracy = None if accuracy_fn is None else float(accuracy_fn(model))
    return BenchmarkResult(name, latency, model_size_bytes(model), count_parameters(model),
                           prof.total_flops(), accuracy)


def benchmark_models(models: Mapping[str, nn.Module], *inputs: Any,
                     accuracy_fn: Callable[[nn.Module], float] | None = None,
                     warmup: int = 2, repeats: int = 10, min_sample: float = 0.05
                     ) -> list[BenchmarkResult]:
    """:func:`benchmark_model` for several models on the same inputs, their latencies measured
    interleaved (:func:`~tinytorch.systems.timing.measure_many`) so that ratios between them
    survive a changing machine load."""
    flops, accuracies, calls = {}, {}, {}
    with no_grad():
        for name, model in models.items():
            model.eval()
            with Profiler(model, record_memory=False) as prof:
                model(*inputs)
            flops[name] = prof.total_flops()
            accuracies[name] = None if accuracy_fn is None else float(accuracy_fn(model))
            calls[name] = (lambda model=model: model(*inputs))
        timings = measure_many(calls, warmup=warmup, repeats=repeats, min_sample=min_sample)
    return [BenchmarkResult(name, timings[name], model_size_bytes(model), count_parameters(model),
                            flops[name], accuracies[name]) for name, model in models.items()]


class BenchmarkReport:
    """Results side by side, relative to a baseline, as Markdown, JSON, CSV and a Pareto PNG."""

    def __init__(self, results: Sequence[BenchmarkResult], baseline: str | None = None,
                 machine: dict[str, Any] | None = None) -> None:
        if not results:
            raise ValueError("a BenchmarkReport needs at least one result")
        names = [r.name for r in results]
        if len(set(names)) != len(names):
            raise ValueError(f"result names must be unique, got {names}")
        if baseline is not None and baseline not in names:
            raise ValueError(f"baseline {baseline!r} is not one of the results {names}")
        self.results = list(results)
        self.baseline = baseline if baseline is not None else names[0]
        self.machine = machine if machine is not None else machine_info()

    def _base(self) -> BenchmarkResult:
        return next(r for r in self.results if r.name == self.baseline)

    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per model: the measures and the ratios to the baseline."""
        base = self._base()
        out = []
        for r in self.results:
            row = {"name": r.name, "accuracy": r.accuracy,
                   "latency_ms": r.latency.median * 1e3, "latency_iqr_ms": r.latency.iqr * 1e3,
                   "speedup": base.latency.median / r.latency.median,
                   "size_bytes": r.size_bytes, "size_ratio": base.size_bytes / r.size_bytes,
                   "parameters": r.parameters, "flops": r.flops,
                   "accuracy_change": (None if r.accuracy is None or base.accuracy is None
                                       else r.accuracy - base.accuracy)}
            out.append(row)
        return out

    def pareto(self) -> list[str]:
        """Names of the models on the latency/accuracy Pareto front (needs every accuracy)."""
        if any(r.accuracy is None for r in self.results):
            return []
        front = pareto_front([r.latency.median for r in self.results],
                             [r.accuracy for r in self.results])  # type: ignore[misc]
        return [self.results[i].name for i in front]

    def to_markdown(self) -> str:
        front = set(self.pareto())
        table = []
        for row in self.rows():
            accuracy = "-" if row["accuracy"] is None else f"{100 * row['accuracy']:.2f}%"
            change = ("" if row["accuracy_change"] is None
                      else f" ({100 * row['accuracy_change']:+.2f})")
            table.append((row["name"] + (" *" if row["name"] in front else ""),
                          accuracy + change,
                          f"{row['latency_ms']:.3f} ± {row['latency_iqr_ms']:.3f}",
                          f"{row['speedup']:.2f}x", human_bytes(row["size_bytes"]),
                          f"{row['size_ratio']:.2f}x", f"{row['parameters']:,}",
                          human_flops(row["flops"])))
        m = self.machine
        notes = (f"Baseline: {self.baseline}. Latency: median ± IQR in ms per call. "
                 + ("`*` marks the latency/accuracy Pareto front. " if front else "")
                 + f"Machine: {m.get('processor') or m.get('machine')}, {m.get('cpus')} CPUs, "
                 f"Python {m.get('python')}, NumPy {m.get('numpy')} ({m.get('blas')}).")
        return markdown_table(("model", "accuracy", "latency (ms)", "speedup", "size",
                               "smaller", "parameters", "FLOPs"), table) + "\n\n" + notes + "\n"

    def to_json(self) -> str:
        return json.dumps({"baseline": self.baseline, "machine": self.machine,
                           "pareto_front": self.pareto(),
                           "results": [r.as_dict() for r in self.results],
                           "rows": self.rows()}, indent=2) + "\n"

    def to_csv(self) -> str:
        rows = self.rows()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()

    def save(self, directory: str | os.PathLike[str], stem: str = "benchmark") -> dict[str, Path]:
        """Write ``<stem>.md``, ``.json``, ``.csv`` and, when every model has an accuracy, the
        Pareto plot ``<stem>.png`` into ``directory``; returns the paths by suffix."""
        directory = Path(directory)
        paths = {"md": write_atomic(directory / f"{stem}.md", self.to_markdown()),
                 "json": write_atomic(directory / f"{stem}.json", self.to_json()),
                 "csv": write_atomic(directory / f"{stem}.csv", self.to_csv())}
        if all(r.accuracy is not None for r in self.results):
            paths["png"] = plot_pareto(
                [r.name for r in self.results], [r.latency.median * 1e3 for r in self.results],
                [100 * r.accuracy for r in self.results],  # type: ignore[operator]
                directory / f"{stem}.png", title="accuracy vs latency")
        return paths
