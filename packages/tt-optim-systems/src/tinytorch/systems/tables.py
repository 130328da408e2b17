"""Plain-text and Markdown tables, and human units for bytes, FLOPs and seconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["format_table", "markdown_table", "human_bytes", "human_flops", "human_seconds"]


def human_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'`` (powers of 1024)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def human_flops(n: float) -> str:
    """``2.5e9`` -> ``'2.50 G'`` (powers of 1000)."""
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:.0f}"


def human_seconds(s: float) -> str:
    """``0.00123`` -> ``'1.230 ms'``."""
    if abs(s) >= 1:
        return f"{s:.3f} s"
    if abs(s) >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    return f"{s * 1e6:.1f} us"


def _cells(rows: Sequence[Sequence[Any]]) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in rows]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A fixed-width text table: the first column left-aligned, the others right-aligned."""
    body = _cells(rows)
    widths = [max(len(str(h)), *(len(r[i]) for r in body)) if body else len(str(h))
              for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line([str(h) for h in headers]), line(["-" * w for w in widths]),
                      *(line(r) for r in body)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (numbers right-aligned)."""
    body = _cells(rows)
    align = ["---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(str(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in body]
    return "\n".join(lines)
