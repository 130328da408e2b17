"""Benchmarks of part 4 (vision: convolution, pooling, batch norm) against the PyTorch anchor.

``cases()`` returns the dicts ``benchmarks/run.py`` times (see its docstring);
``python benchmarks/bench_vision.py`` measures them alone.

* ``vision.cnn_train_step``: one SGD training step of conv(3->32, 3x3, pad 1) - ReLU -
  maxpool 2 - conv(32->64, 3x3, pad 1) - ReLU - maxpool 2 - linear(4096->10) with
  cross-entropy, on a batch of 64x3x32x32 float32. Target <= 2.5x PyTorch. The note gives the
  achieved GEMM FLOP/s of the step as a fraction of NumPy's float32 matmul FLOP/s (1024^3).
* ``vision.conv2d_fwd_bwd``: conv2d(32->64, 3x3, pad 1) forward + backward (input and weight)
  on 64x32x16x16: our autograd Function against PyTorch.
* ``vision.conv2d_composed_fwd_bwd``: the same convolution composed of part-1 ops (pad, two
  unfolds, permute, reshape, matmul; part 2 differentiates them): the alternative the Function
  was measured against.
* ``vision.conv2d_vs_naive``: conv2d forward + backward on 4x8x12x12 -> 16 channels, against
  the naive loop oracle of the tests (``packages/tt-vision/tests/naive.py``, in the ``numpy``
  column). Target: at least 100x faster (ratio <= 0.01).
* ``vision.maxpool_fwd_bwd`` and ``vision.batchnorm2d_fwd_bwd``: on 64x64x16x16, training mode.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import tinytorch.nn as nn
import tinytorch.tensor as tt
import tinytorch.vision as vision
import tinytorch.vision.functional as VF
from tinytorch.nn.optim import SGD

try:
    import torch
except ImportError:  # the anchor is optional
    torch = None

HERE = Path(__file__).resolve().parent
NAIVE = HERE.parent / "packages" / "tt-vision" / "tests" / "naive.py"
BATCH = 64


def _time(fn: Callable[[], Any], repeat: int = 5, min_seconds: float = 0.2) -> float:
    """Median seconds per call over ``repeat`` runs of at least ``min_seconds / 5`` each."""
    fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= min_seconds / 5:
            break
        number *= 2
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times))


# -- the CNN training step ----------------------------------------------------------------------

def _step_flops() -> float:
    """GEMM FLOPs of one training step (2 per multiply-add): conv1 forward and weight gradient
    (its input needs no gradient), conv2 forward and both gradients, linear forward and both."""
    conv1 = 2 * BATCH * 32 * 32 * 32 * 3 * 9
    conv2 = 2 * BATCH * 16 * 16 * 64 * 32 * 9
    linear = 2 * BATCH * 4096 * 10
    return 2 * conv1 + 3 * conv2 + 3 * linear


def _matmul_flops_per_second() -> float:
    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    return 2 * 1024 ** 3 / _time(lambda: a @ a, repeat=5, min_seconds=0.5)


def _cnn_case() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    ys = rng.integers(0, 10, BATCH)
    model = nn.Sequential(vision.Conv2d(3, 32, 3, padding=1), nn.ReLU(), vision.MaxPool2d(2),
                          vision.Conv2d(32, 64, 3, padding=1), nn.ReLU(), vision.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * 8 * 8, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = tt.tensor(xs), tt.tensor(ys)

    def ours() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    seconds = _time(ours, repeat=5)
    fraction = _step_flops() / seconds / _matmul_flops_per_second()
    note = (f"{_step_flops() / 1e9:.2f} GFLOP of GEMMs per step: {_step_flops() / seconds / 1e9:.1f}"
            f" GFLOP/s = {fraction:.0%} of NumPy's float32 matmul FLOP/s (1024^3) here")
    case: dict[str, Any] = {"name": "vision.cnn_train_step", "ours": ours, "torch": None,
                            "numpy": None, "target": 2.5, "note": note}
    if torch is not None:
        tmodel = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(64 * 8 * 8, 10))
        topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
        tloss = torch.nn.CrossEntropyLoss()
        tx, ty = torch.from_numpy(xs), torch.from_numpy(ys)

        def theirs() -> None:
            topt.zero_grad()
            tloss(tmodel(tx), ty).backward()
            topt.step()

        case["torch"] = theirs
    return case


# -- one convolution: Function, composed, PyTorch, naive loops ----------------------------------

def conv2d_composed(x: tt.Tensor, weight: tt.Tensor, bias: tt.Tensor, padding: int) -> tt.Tensor:
    """conv2d (stride 1) from part-1 ops only: part 2 differentiates every step."""
    n, c, h, w = x.shape
    o, _, k, _ = weight.shape
    padded = tt.pad(x, (padding,) * 4)
    windows = padded.unfold(2, k, 1).unfold(3, k, 1)          # (N, C, oh, ow, k, k)
    oh, ow = windows.shape[2:4]
    cols = windows.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * k * k)
    y = cols.matmul(weight.reshape(o, -1).t()) + bias          # (N oh ow, O)
    return y.reshape(n, oh, ow, o).permute(0, 3, 1, 2)


def _conv_arrays(n: int, c: int, size: int, o: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(1)
    return (rng.standard_normal((n, c, size, size)).astype(np.float32),
            (rng.standard_normal((o, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32),
            rng.standard_normal(o).astype(np.float32))


def _fwd_bwd(fn: Callable[..., tt.Tensor], arrays: tuple[np.ndarray, ...]) -> Callable[[], None]:
    inputs = [tt.tensor(a, requires_grad=True) for a in arrays]

    def run() -> None:
        for t in inputs:
            t.grad = None
        fn(*inputs).sum().backward()

    return run


def _torch_fwd_bwd(fn: Callable[..., Any], arrays: tuple[np.ndarray, ...]) -> Any:
    if torch is None:
        return None
    inputs = [torch.tensor(a, requires_grad=True) for a in arrays]

    def run() -> None:
        for t in inputs:
            t.grad = None
        fn(*inputs).sum().backward()

    return run


def _conv_cases() -> list[dict[str, Any]]:
    arrays = _conv_arrays(BATCH, 32, 16, 64)
    conv = _torch_fwd_bwd(lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1), arrays)
    shape = "conv2d 32->64, 3x3, pad 1, on 64x32x16x16, forward + backward"
    cases = [
        {"name": "vision.conv2d_fwd_bwd", "torch": conv, "numpy": None, "target": 2.5,
         "ours": _fwd_bwd(lambda x, w, b: VF.conv2d(x, w, b, padding=1), arrays),
         "note": shape + " (autograd Function: im2col + one GEMM per pass)"},
        {"name": "vision.conv2d_composed_fwd_bwd", "torch": conv, "numpy": None,
         "target": None, "ours": _fwd_bwd(lambda x, w, b: conv2d_composed(x, w, b, 1), arrays),
         "note": shape + " (composed of part-1 ops: pad, unfold, permute, matmul)"},
    ]
    small = _conv_arrays(4, 8, 12, 16)
    naive = _load_naive()

    def naive_fwd_bwd() -> None:
        x, w, b = small
        y = naive.conv2d(x, w, b, padding=(1, 1))
        naive.conv2d_backward(x, w, np.ones_like(y), padding=(1, 1))

    cases.append({"name": "vision.conv2d_vs_naive", "numpy": naive_fwd_bwd, "target": {"numpy": 0.01},
                  "ours": _fwd_bwd(lambda x, w, b: VF.conv2d(x, w, b, padding=1), small),
                  "torch": _torch_fwd_bwd(lambda x, w, b: torch.nn.functional.conv2d(
                      x, w, b, padding=1), small),
                  "note": "conv2d 8->16, 3x3, pad 1, on 4x8x12x12, forward + backward; the "
                          "numpy column is the naive loop oracle of the tests"})
    return cases


def _load_naive() -> Any:
    spec = importlib.util.spec_from_file_location("tt_vision_naive", NAIVE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _layer_cases() -> list[dict[str, Any]]:
    x = np.random.default_rng(2).standard_normal((BATCH, 64, 16, 16)).astype(np.float32)
    bn = vision.BatchNorm2d(64)
    cases = [
        {"name": "vision.maxpool_fwd_bwd", "numpy": None, "target": 2.5,
         "ours": _fwd_bwd(lambda a: VF.max_pool2d(a, 2), (x,)),
         "torch": _torch_fwd_bwd(lambda a: torch.nn.functional.max_pool2d(a, 2), (x,)),
         "note": "max_pool2d 2x2 on 64x64x16x16, forward + backward"},
        {"name": "vision.batchnorm2d_fwd_bwd", "numpy": None, "target": 2.5,
         "ours": _fwd_bwd(bn, (x,)), "torch": None,
         "note": "BatchNorm2d(64) training mode on 64x64x16x16, forward + backward"},
    ]
    if torch is not None:
        cases[1]["torch"] = _torch_fwd_bwd(torch.nn.BatchNorm2d(64), (x,))
    return cases


def cases() -> list[dict[str, Any]]:
    """The vision benchmark cases (see the module docstring)."""
    return [_cnn_case(), *_conv_cases(), *_layer_cases()]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    import run

    raise SystemExit(run.main(["--filter", "vision.", *sys.argv[1:]]))
