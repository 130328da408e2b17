"""Run every ``benchmarks/bench_*.py`` and compare TinyTorch with NumPy and the PyTorch anchor.

Each bench module exposes ``cases()`` returning a list of dicts::

    {"name": str,                      # e.g. "tensor.add_1M"
     "ours": callable,                 # one iteration, no arguments (data made outside)
     "torch": callable | None,         # the same work in PyTorch (None when absent)
     "numpy": callable | None,         # the same work in raw NumPy
     "target": {"numpy": 1.2} | {"torch": 3.0} | None,   # max ours/ref ratio we aim for
     "note": str}                      # optional: what the case measures

(A bare number as ``target`` means a ratio against torch.) Each callable is warmed up, then
timed in loops long enough to read the clock well (``timeit``'s autorange), several times, the
contenders interleaved; the median loop gives the time per call. One process runs everything; a module whose imports fail
(e.g. part 2 not installed) is skipped with a message.

    python benchmarks/run.py [--filter SUBSTR] [--quick] [--json PATH]

Timings never live in tests: nothing here asserts. OK/MISS says whether a target was met.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import platform
import statistics
import sys
import time
import timeit
import traceback
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCES = ("numpy", "torch")


# -- environment ------------------------------------------------------------------------------

def blas_info() -> dict[str, Any]:
    """NumPy's BLAS: threadpoolctl's view when installed, else ``np.show_config``."""
    info: dict[str, Any] = {"env": {k: os.environ[k] for k in sorted(os.environ)
                                    if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}}
    try:
        from threadpoolctl import threadpool_info
        info["threadpoolctl"] = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    except ImportError:
        try:
            info["show_config"] = np.show_config(mode="dicts")  # NumPy >= 1.26
        except TypeError:
            buffer = io.StringIO()
            with redirect_stdout(buffer):
                np.show_config()
            info["show_config"] = buffer.getvalue()
    return info


def blas_threads(info: dict[str, Any]) -> int:
    """How many threads NumPy's BLAS runs (OpenBLAS uses every core unless told otherwise)."""
    for pool in info.get("threadpoolctl", []):
        return int(pool["num_threads"])
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def setup_torch(threads: int) -> dict[str, Any] | None:
    """Give torch the same thread count as NumPy's BLAS, so the anchor is fair."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return {"version": torch.__version__, "threads": torch.get_num_threads()}


# -- discovery --------------------------------------------------------------------------------

def load_cases(pattern: str | None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Every case of every bench module (filtered by name), and the modules skipped."""
    cases: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        try:
            spec = importlib.util.spec_from_file_location(f"_tt_bench_{path.stem}", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module_cases = module.cases()
        except Exception as e:  # noqa: BLE001 - a missing part or a broken bench skips the module
            reason = f"{type(e).__name__}: {e}"
            print(f"skip {path.name}: {reason}", file=sys.stderr)
            skipped.append({"module": path.name, "reason": reason})
            continue
        for case in module_cases:
            case = dict(case)
            case.setdefault("module", path.name)
            if pattern is None or pattern in case["name"]:
                cases.append(case)
    return cases, skipped


# -- timing -----------------------------------------------------------------------------------

def _loop_count(timer: timeit.Timer, min_loop: float) -> int:
    """timeit's autorange: grow the loop until one run takes at least ``min_loop`` seconds."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_loop:
            return number
        number = max(number * 2, int(number * min_loop / max(elapsed, 1e-9) * 1.1))


def measure(fns: dict[str, Callable[[], Any]], quick: bool) -> dict[str, float]:
    """Seconds per call of each callable: warm up, autorange a loop count, then the median of
    several repeats. The repeats are interleaved (ours, numpy, torch, ours, ...) so that a change
    in machine load hits every contender alike instead of whichever ran last."""
    min_loop, repeats, warmup = (0.02, 3, 0.01) if quick else (0.2, 9, 0.1)
    timers, numbers = {}, {}
    for who, fn in fns.items():
        start = time.perf_counter()
        while True:  # warm-up: caches, allocator, lazy imports, BLAS threads
            fn()
            if time.perf_counter() - start >= warmup:
                break
        timers[who] = timeit.Timer(fn)
        numbers[who] = _loop_count(timers[who], min_loop)
    samples: dict[str, list[float]] = {who: [] for who in fns}
    order = list(fns)
    for r in range(repeats):
        # rotate who goes first: threads a contender leaves spinning (OpenMP, OpenBLAS) slow
        # down whoever runs right after it, and that must not always be the same one
        for who in order[r % len(order):] + order[:r % len(order)]:
            samples[who].append(timers[who].timeit(numbers[who]) / numbers[who])
    return {who: statistics.median(times) for who, times in samples.items()}


def normal_target(target: Any) -> dict[str, float]:
    if target is None:
        return {}
    if isinstance(target, (int, float)):
        return {"torch": float(target)}
    return {k: float(v) for k, v in dict(target).items()}


def run_case(case: dict[str, Any], quick: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"name": case["name"], "module": case.get("module"),
                              "note": case.get("note", ""), "target": normal_target(case.get("target"))}
    fns = {}
    for who in ("ours", *REFERENCES):
        result[f"{who}_us"] = None
        fn = case.get(who)
        if fn is None:
            continue
        try:
            fn()  # a contender that fails is reported and left out; the others still run
        except Exception as e:  # noqa: BLE001
            result.setdefault("errors", {})[who] = f"{type(e).__name__}: {e}"
            traceback.print_exc()
            continue
        fns[who] = fn
    for who, seconds in measure(fns, quick).items():
        result[f"{who}_us"] = seconds * 1e6
    ours = result["ours_us"]
    for ref in REFERENCES:
        theirs = result[f"{ref}_us"]
        result[f"ratio_{ref}"] = ours / theirs if ours and theirs else None
    checks = []
    for ref, limit in result["target"].items():
        ratio = result.get(f"ratio_{ref}")
        if ratio is not None:
            checks.append(ratio <= limit)
    result["status"] = ("OK" if all(checks) else "MISS") if checks else (
        "-" if not result["target"] else "n/a")
    return result


# -- report -----------------------------------------------------------------------------------

def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(results: list[dict[str, Any]]) -> str:
    head = ("case", "ours (us)", "numpy (us)", "torch (us)", "ours/numpy", "ours/torch",
            "target", "")
    rows = []
    for r in results:
        target = ", ".join(f"{k} {v:g}x" for k, v in r["target"].items()) or "-"
        rows.append((r["name"], _num(r["ours_us"], ",.1f"), _num(r["numpy_us"], ",.1f"),
                     _num(r["torch_us"], ",.1f"), _num(r["ratio_numpy"], ".2f"),
                     _num(r["ratio_torch"], ".2f"), target, r["status"]))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    lines = []
    for i, row in enumerate([head, *rows]):
        cells = [str(c).ljust(w) if j == 0 else str(c).rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filter", metavar="SUBSTR", help="only cases whose name contains it")
    parser.add_argument("--quick", action="store_true", help="short loops, fewer repeats")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", metavar="PATH",
                        help="where to write the results (default benchmarks/results.json)")
    args = parser.parse_args(argv)

    blas = blas_info()
    threads = blas_threads(blas)
    torch_info = setup_torch(threads)
    cases, skipped = load_cases(args.filter)
    print(f"numpy {np.__version__} (BLAS threads {threads}), torch "
          f"{torch_info['version'] + ' threads ' + str(torch_info['threads']) if torch_info else 'absent'}"
          f", python {platform.python_version()}, {os.cpu_count()} cpus"
          + (f", OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}"
             if "OPENBLAS_CORETYPE" in os.environ else ""))

    results = []
    for case in cases:
        print(f"  {case['name']} ...", end="", flush=True, file=sys.stderr)
        results.append(run_case(case, args.quick))
        print(" done", file=sys.stderr)
    print(table(results))
    for r in results:
        if r["note"]:
            print(f"  {r['name']}: {r['note']}")

    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "filter": args.filter,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor(), "cpus": os.cpu_count()},
        "numpy": {"version": np.__version__, "blas_threads": threads, "blas": blas},
        "torch": torch_info,
        "skipped_modules": skipped,
        "results": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
