"""Backward rules, one short function per op, in files named like part 1's.

Each file holds the rules of the ops of the part-1 file of the same name (``rules/unary.py``
differentiates ``tinytorch/tensor/unary.py``); ``registry`` says how a rule is called.

================  ==================================================================
``arithmetic``    add, mul, sub, div, pow, maximum, remainder, fmod, atan2, lerp...
``unary``         exp, log, neg, sqrt, trig and hyperbolic, tanh, sigmoid, relu, clamp...
``masking``       where
``reductions``    sum, amax, max(dim), prod, softmax, log_softmax
``cumulative``    cumsum, cumprod
``linalg``        matmul, einsum
``shape``         reshape, permute, expand, flip, repeat, clone
``joining``       cat, pad
``conversion``    to
``indexing``      getitem, setitem, gather, scatter, scatter_reduce
``windows``       unfold
================  ==================================================================
"""

from . import (
    arithmetic,
    conversion,
    cumulative,
    indexing,
    joining,
    linalg,
    masking,
    reductions,
    shape,
    unary,
    windows,
)
from .registry import RULES, Rule, rule

__all__ = ["RULES", "Rule", "rule", "arithmetic", "unary", "masking", "reductions", "cumulative",
           "linalg", "shape", "joining", "conversion", "indexing", "windows"]
