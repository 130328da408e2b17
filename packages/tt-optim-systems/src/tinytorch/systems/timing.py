"""Timing code honestly: warm up, repeat, and report the median and the spread.

A single ``time.perf_counter()`` around one call measures noise: the first call pays for lazy
imports, cold caches and BLAS thread start-up, and any call can be hit by the operating system.
So :func:`measure` runs ``fn`` a few times untimed (warm-up), then ``repeats`` timed times, and
summarises the samples with order statistics, which one slow outlier cannot drag:

* the **median** (half the runs were faster), the number to quote;
* the **IQR** (interquartile range, ``q3 - q1``), the spread of the middle half of the runs.

Very short calls are timed in loops of ``number`` calls per sample (like :mod:`timeit`), so that
each sample is long enough for the clock to read well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Timing", "measure", "measure_many", "summarize"]


@dataclass(frozen=True)
class Timing:
    """Seconds per call of a measured function.

    Attributes:
        median: the median of the samples (seconds per call).
        q1: the first quartile (25th percentile) of the samples.
        q3: the third quartile (75th percentile).
        iqr: ``q3 - q1``, the spread of the middle half.
        samples: every sample, in the order taken (seconds per call each).
        number: calls per sample.
    """

    median: float
    q1: float
    q3: float
    iqr: float
    samples: tuple[float, ...] = field(repr=False)
    number: int = 1

    @property
    def ms(self) -> float:
        """The median in milliseconds."""
        return self.median * 1e3

    def __str__(self) -> str:
        return f"{self.median * 1e3:.3f} ms (IQR {self.iqr * 1e3:.3f} ms, n={len(self.samples)})"

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers (for JSON reports)."""
        return {"median_s": self.median, "q1_s": self.q1, "q3_s": self.q3, "iqr_s": self.iqr,
                "repeats": len(self.samples), "number": self.number}


def summarize(samples: Any, number: int = 1) -> Timing:
    """A :class:`Timing` from raw samples (seconds per call): median, quartiles, IQR.

    Quartiles are NumPy's default (linear interpolation between order statistics), so
    ``summarize([1, 2, 3, 4])`` has median 2.5, q1 1.75, q3 3.25.

    Raises:
        ValueError: no samples, or a sample that is negative or not finite.
    """
    values = np.asarray(samples, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("summarize needs at least one sample")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"samples must be finite, non-negative seconds, got {values.tolist()}")
    # BEGIN SOLUTION 6.4 median and interquartile range of the timing samples
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return Timing(median=float(median), q1=float(q1), q3=float(q3), iqr=float(q3 - q1),
                  samples=tuple(values.tolist()), number=number)
    # END SOLUTION


def measure(fn: Callable[[], Any], *, warmup: int = 3, repeats: int = 10, number: int = 1,
            timer: Callable[[], float] = time.perf_counter) -> Timing:
    """Time ``fn()``: ``warmup`` untimed calls, then ``repeats`` samples of ``number`` calls each.

    Args:
        fn: the work to time, with no arguments (make its inputs outside).
        warmup: untimed calls first (lazy imports, caches, thread pools).
        repeats: how many samples to take (at least 1; 5-20 is typical).
        number: calls per sample; raise it for calls shorter than about a millisecond.
        timer: the clock (``time.perf_counter``; tests pass a fake one).

    Returns:
        A :class:`Timing` in seconds per call.
    """
    if warmup < 0 or repeats < 1 or number < 1:
        raise ValueError(f"measure needs warmup >= 0, repeats >= 1 and number >= 1, got "
                         f"warmup={warmup}, repeats={repeats}, number={number}")
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = timer()
        for _ in range(number):
            fn()
        samples.append((timer() - start) / number)
    return summarize(samples, number)


def measure_many(fns: Mapping[str, Callable[[], Any]], *, warmup: int = 2, repeats: int = 10,
                 min_sample: float = 0.02) -> dict[str, Timing]:
    """Time several functions *interleaved*: each round times every function once, starting
    with a different one each round. A change in machine load then hits every contender
    alike, which is what makes their ratio (a speedup) trustworthy on a shared machine.

    Each function runs ``number`` times per sample, chosen after the warm-up so that a sample
    lasts about ``min_sample`` seconds (short calls are otherwise all clock noise).

    Returns a :class:`Timing` per name (seconds per call).
    """
    if warmup < 1 or repeats < 1 or min_sample < 0:
        raise ValueError(f"measure_many needs warmup >= 1, repeats >= 1 and min_sample >= 0, "
                         f"got warmup={warmup}, repeats={repeats}, min_sample={min_sample}")
    names = list(fns)
    numbers = {}
    for name in names:
        for _ in range(warmup):
            start = time.perf_counter()
            fns[name]()
            once = time.perf_counter() - start
        numbers[name] = max(1, int(np.ceil(min_sample / max(once, 1e-9))))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fns[name]()
            samples[name].append((time.perf_counter() - start) / numbers[name])
    return {name: summarize(samples[name], numbers[name]) for name in names}
