"""The Pareto front: the models no other model beats on both cost and quality.

A model A *dominates* B when A costs no more (latency, size...) and scores no less (accuracy),
and is strictly better on at least one of the two. The Pareto front is every model nobody
dominates: the only sensible choices, whatever weight you give speed against accuracy.
:func:`plot_pareto` draws every model and the front as a PNG (with :mod:`.png`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .png import PALETTE, Canvas

__all__ = ["pareto_front", "plot_pareto"]


def pareto_front(costs: Sequence[float], scores: Sequence[float]) -> list[int]:
    """Indices of the non-dominated points, ordered by increasing cost.

    Args:
        costs: lower is better (e.g. latency in seconds), one per model.
        scores: higher is better (e.g. accuracy), one per model.

    Returns:
        The indices ``i`` such that no ``j`` has ``costs[j] <= costs[i]`` and
        ``scores[j] >= scores[i]`` with one of the two strict. Exact ties are all kept.
    """
    c, s = np.asarray(costs, np.float64), np.asarray(scores, np.float64)
    if c.shape != s.shape or c.ndim != 1:
        raise ValueError(f"costs and scores must be 1-D and of one length, got shapes "
                         f"{c.shape} and {s.shape}")
    # BEGIN SOLUTION 6.6 the non-dominated points, by increasing cost
    no_worse = (c[:, None] <= c[None, :]) & (s[:, None] >= s[None, :])  # [j, i]: j no worse
    better = (c[:, None] < c[None, :]) | (s[:, None] > s[None, :])
    dominated = np.any(no_worse & better, axis=0)
    front = np.flatnonzero(~dominated)
    return [int(i) for i in front[np.argsort(c[front], kind="stable")]]
    # END SOLUTION


def _ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """About ``count`` round tick values covering [low, high] (steps of 1, 2 or 5 x 10^k)."""
    span = high - low if high > low else abs(high) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return np.arange(math.floor(low / step), math.ceil(high / step) + 1) * step


def _label(value: float) -> str:
    return f"{value:.4g}"


def plot_pareto(names: Sequence[str], costs: Sequence[float], scores: Sequence[float],
                path: str | os.PathLike[str], *, cost_label: str = "latency (ms)",
                score_label: str = "accuracy (%)", title: str = "Pareto front",
                width: int = 720, height: int = 480) -> Path:
    """Scatter the models (cost right, score up), join the Pareto front, and save a PNG.

    Each model gets a colour and a legend entry; front members are drawn larger, and the front
    is the dark line through them.
    """
    c, s = np.asarray(costs, np.float64), np.asarray(scores, np.float64)
    if not (len(names) == c.size == s.size) or c.size == 0:
        raise ValueError(f"plot_pareto needs one name, cost and score per model, got "
                         f"{len(names)} names, {c.size} costs, {s.size} scores")
    front = pareto_front(c, s)
    canvas = Canvas(width, height)
    left, right, top, bottom = 70, width - 200, 40, height - 50
    xt, yt = _ticks(c.min(), c.max()), _ticks(s.min(), s.max())
    x_lo, x_hi, y_lo, y_hi = xt[0], xt[-1], yt[0], yt[-1]
    x_hi, y_hi = (x_hi if x_hi > x_lo else x_lo + 1), (y_hi if y_hi > y_lo else y_lo + 1)

    def px(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * (right - left)

    def py(v: float) -> float:
        return bottom - (v - y_lo) / (y_hi - y_lo) * (bottom - top)

    grey, black = (225, 225, 225), (0, 0, 0)
    for v in xt:
        canvas.line(px(v), top, px(v), bottom, grey)
        canvas.text(px(v), bottom + 8, _label(v), anchor="center")
    for v in yt:
        canvas.line(left, py(v), right, py(v), grey)
        canvas.text(left - 6, py(v) - 3, _label(v), anchor="right")
    canvas.line(left, bottom, right, bottom, black)
    canvas.line(left, top, left, bottom, black)
    canvas.text((left + right) / 2, height - 22, cost_label, anchor="center")
    canvas.text(left, top - 16, score_label)
    canvas.text(width / 2, 8, title, scale=2, anchor="center")
    for a, b in zip(front[:-1], front[1:]):
        canvas.line(px(c[a]), py(s[a]), px(c[b]), py(s[b]), (60, 60, 60), width=2)
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        canvas.disk(px(c[i]), py(s[i]), 7 if i in front else 4, color)
        y = top + 14 * i
        canvas.rect(right + 16, y, right + 24, y + 7, color)
        canvas.text(right + 30, y, name[:26] + (" *" if i in front else ""))
    canvas.text(right + 16, top + 14 * len(names) + 6, "* on the front")
    return canvas.save(path)
