"""TinyTorch part 6: ML systems -- measure first, then make models smaller and faster.

``import tinytorch.systems as ts``. Files, in the order of the course:

======================  ==========================================================
``flops.py``            parameters, bytes, FLOPs per op and per layer
``timing.py``           latency: warm-up, repeats, median and IQR
``profiler.py``         Profiler: ops, layers, memory, tables, Chrome trace
``model_profile.py``    profile_model: the one-call summary
``pareto.py``           the Pareto front, and its plot
``benchmark.py``        benchmark_model, BenchmarkReport (Markdown, JSON, CSV, PNG)
``png.py``              a NumPy canvas and PNG writer (no matplotlib)
======================  ==========================================================
"""

from ._version import __version__
from .benchmark import BenchmarkReport, BenchmarkResult, benchmark_model, machine_info
from .flops import (
    count_parameters,
    has_module_rule,
    model_size_bytes,
    module_flops,
    op_flops,
    register_module_flops,
)
from .model_profile import ModelProfile, profile_model
from .pareto import pareto_front, plot_pareto
from .profiler import Profiler, peak_memory
from .timing import Timing, measure, summarize

__all__ = [
    "__version__",
    "count_parameters", "model_size_bytes", "op_flops", "module_flops", "register_module_flops",
    "has_module_rule",
    "Timing", "measure", "summarize",
    "Profiler", "peak_memory",
    "ModelProfile", "profile_model",
    "pareto_front", "plot_pareto", "BenchmarkResult", "BenchmarkReport", "benchmark_model",
    "machine_info",
]
