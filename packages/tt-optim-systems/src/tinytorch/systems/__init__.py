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
``matmul_lesson.py``    one matmul three ways: Python loops, vectorized NumPy, BLAS
``fused.py``            fused tanh GELU and softmax-cross-entropy (Functions)
``mixed_precision.py``  GradScaler (dynamic loss scaling) and float32 MasterWeights
``pruning.py``          magnitude pruning with masks (torch.nn.utils.prune's scheme)
``structured.py``       structured pruning: remove neurons, get a smaller dense model
``distillation.py``     the knowledge-distillation loss
``lowrank.py``          low-rank (SVD) factorisation of Linear layers
``quantization.py``     int8 scale/zero point, quantize/dequantize, calibration observers
``quantized.py``        exact int8 matmul, QuantizedLinear, QuantizedConv2d, quantize_model
``layer_flops.py``      closed-form FLOPs of conv, pooling, norms and attention (parts 4-5)
``kv_cache.py``         KVCache: preallocated keys and values (part 5's cache protocol)
``generation.py``       generate_with_cache: one token per forward pass; kv_speedup
======================  ==========================================================
"""

from . import layer_flops, pruning  # layer_flops registers the FLOP rules of parts 4 and 5
from ._version import __version__
from .benchmark import (
    BenchmarkReport,
    BenchmarkResult,
    benchmark_model,
    benchmark_models,
    machine_info,
)
from .distillation import distillation_loss
from .flops import (
    count_parameters,
    has_module_rule,
    model_size_bytes,
    module_flops,
    op_flops,
    register_module_flops,
)
from .fused import (
    FusedCrossEntropyLoss,
    FusedGELU,
    fused_cross_entropy,
    fused_gelu,
)
from .generation import generate_with_cache, kv_speedup
from .kv_cache import KVCache, make_caches
from .lowrank import factorize_linear, low_rank, rank_for_energy
from .mixed_precision import GradScaler, MasterWeights
from .model_profile import ModelProfile, profile_model
from .pareto import pareto_front, plot_pareto
from .profiler import Profiler, peak_memory
from .pruning import measure_sparsity
from .quantization import Observer, calibrate, dequantize, qparams, quantize
from .quantized import QuantizedConv2d, QuantizedLinear, int8_matmul, quantize_model
from .structured import prune_channels, units_to_keep
from .timing import Timing, measure, measure_many, summarize

__all__ = [
    "__version__",
    "count_parameters", "model_size_bytes", "op_flops", "module_flops", "register_module_flops",
    "has_module_rule",
    "Timing", "measure", "measure_many", "summarize",
    "Profiler", "peak_memory",
    "ModelProfile", "profile_model",
    "pareto_front", "plot_pareto", "BenchmarkResult", "BenchmarkReport", "benchmark_model",
    "benchmark_models",
    "machine_info",
    "fused_gelu", "fused_cross_entropy", "FusedGELU", "FusedCrossEntropyLoss", "GradScaler", "MasterWeights",
    "pruning", "measure_sparsity", "prune_channels", "units_to_keep", "distillation_loss",
    "factorize_linear", "low_rank", "rank_for_energy",
    "qparams", "quantize", "dequantize", "Observer", "calibrate", "int8_matmul",
    "QuantizedLinear", "QuantizedConv2d", "quantize_model",
    "KVCache", "make_caches", "generate_with_cache", "kv_speedup", "layer_flops",
]
