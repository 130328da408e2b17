"""Profiling: parameter counts, FLOPs (closed forms), latency statistics, memory, trace."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.systems import (
    Profiler,
    count_parameters,
    measure,
    measure_many,
    model_size_bytes,
    op_flops,
    peak_memory,
    profile_model,
    summarize,
)


def mlp(sizes=(6, 8, 3), bias=True):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b, bias=bias), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


# -- 6.1 parameters and bytes ------------------------------------------------------------------

@pytest.mark.task("6.1")
def test_parameter_count_is_the_closed_form():
    assert count_parameters(mlp((6, 8, 3))) == 6 * 8 + 8 + 8 * 3 + 3
    assert count_parameters(mlp((6, 8, 3), bias=False)) == 6 * 8 + 8 * 3


@pytest.mark.task("6.1")
def test_shared_and_frozen_parameters():
    shared = nn.Linear(4, 4)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert count_parameters(model) == 20  # counted once
    model2 = mlp((6, 8, 3))
    model2[0].requires_grad_(False)
    assert count_parameters(model2, only_trainable=True) == 8 * 3 + 3
    assert count_parameters(model2) == 6 * 8 + 8 + 8 * 3 + 3


@pytest.mark.task("6.1")
def test_size_counts_each_tensor_at_its_dtype_once():
    model = mlp((6, 8, 3))
    assert model_size_bytes(model) == 4 * (6 * 8 + 8 + 8 * 3 + 3)
    model.double()
    assert model_size_bytes(model) == 8 * (6 * 8 + 8 + 8 * 3 + 3)
    shared = nn.Linear(4, 4)
    assert model_size_bytes(nn.Sequential(shared, shared)) == 4 * 20
    model.register_buffer("steps", tt.zeros(5, dtype=tt.int64))
    assert model_size_bytes(model) == 8 * (6 * 8 + 8 + 8 * 3 + 3) + 8 * 5


# -- 6.2 FLOPs of ops ---------------------------------------------------------------------------

@pytest.mark.task("6.2")
@pytest.mark.parametrize("a_shape, b_shape", [((5, 7), (7, 3)), ((2, 5, 7), (7, 3)),
                                              ((4, 2, 5, 7), (4, 2, 7, 9)), ((7,), (7,)),
                                              ((7,), (7, 3))])
def test_matmul_flops_are_two_m_k_n(a_shape, b_shape):
    a, b = tt.randn(*a_shape), tt.randn(*b_shape)
    out = a @ b
    k = a_shape[-1]
    expected = 2 * k * int(np.prod(out.shape, dtype=np.int64))
    assert op_flops("matmul", (a, b), out) == expected
    with Profiler() as prof:
        a @ b
    assert prof.total_flops() == expected


@pytest.mark.task("6.2")
def test_elementwise_reduction_and_free_op_flops():
    x, y = tt.randn(3, 4), tt.randn(4)
    with Profiler() as prof:
        z = x + y            # 12
        s = z.sum(1)         # 12 (input elements)
        z.reshape(4, 3)      # 0
        z[1:]                # 0
        e = s.exp()          # 3
        z.softmax(-1)        # 5 per element: 60
    assert [op.name for op in prof.ops] == ["add", "sum", "reshape", "getitem", "exp", "softmax"]
    assert [op.flops for op in prof.ops] == [12, 12, 0, 0, 3, 60]
    assert prof.total_flops() == 87
    assert e.shape == (3,)


# -- 6.3 FLOPs of layers ------------------------------------------------------------------------

@pytest.mark.task("6.3")
@pytest.mark.parametrize("bias", [True, False])
def test_linear_flops_closed_form(bias):
    batch, a, b, c = 5, 6, 8, 3
    model = mlp((a, b, c), bias=bias)
    x = tt.randn(batch, a)
    with Profiler(model) as prof:
        model(x)
    extra = batch * (b + c) if bias else 0
    relu = batch * b
    assert prof.total_flops() == 2 * batch * (a * b + b * c) + extra + relu
    by_layer = {m.name: m.flops for m in prof.modules}
    assert by_layer["0"] == 2 * batch * a * b + (batch * b if bias else 0)
    assert by_layer["1"] == relu
    assert by_layer["2"] == 2 * batch * b * c + (batch * c if bias else 0)
    assert by_layer["Sequential"] == prof.total_flops()  # the root: the sum of its layers


@pytest.mark.task("6.3")
def test_linear_flops_over_leading_dims_and_backward():
    layer = nn.Linear(6, 4)
    x = tt.randn(2, 3, 6, requires_grad=True)
    with Profiler(layer) as prof:
        with prof.record_function("forward"):
            loss = layer(x).sum()
        with prof.record_function("backward"):
            loss.backward()
    rows = 6
    assert prof.total_flops("forward") == 2 * rows * 6 * 4 + rows * 4 + rows * 4  # + the sum
    # backward: dx = g W (2 rows out in), dW = g^T x (2 rows out in), db = sum of g (rows out)
    backward_matmuls = sum(op.flops for op in prof.ops
                           if op.region == "backward" and op.name == "matmul")
    assert backward_matmuls == 2 * (2 * rows * 6 * 4)


@pytest.mark.task("6.3")
def test_activation_bytes_count_created_tensors_not_views():
    batch = 4
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    with Profiler(model) as prof:
        model(tt.randn(batch, 6))
    assert prof.activation_bytes() == 4 * batch * (8 + 8 + 3)  # flatten is a view


@pytest.mark.task("6.3")
def test_chrome_trace_is_valid_and_nested(tmp_path):
    model = mlp((6, 8, 3))
    with Profiler(model) as prof:
        with prof.record_function("forward"):
            out = model(tt.randn(2, 6, requires_grad=True))
        with prof.record_function("backward"):
            out.sum().backward()
    path = prof.export_chrome_trace(tmp_path / "trace.json")
    trace = json.loads(path.read_text())
    events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert {e["cat"] for e in events} == {"region", "layer", "op"}
    for e in events:
        assert e["dur"] >= 0 and e["ts"] >= 0 and isinstance(e["name"], str)
    forward = next(e for e in events if e["cat"] == "region" and e["name"] == "forward")
    for layer in (e for e in events if e["cat"] == "layer"):  # layers ran inside "forward"
        assert forward["ts"] <= layer["ts"] + 1e-3
        assert layer["ts"] + layer["dur"] <= forward["ts"] + forward["dur"] + 1e-3
    text = prof.table()
    assert "matmul" in text and "backward" in text
    assert "Linear" in prof.module_table()


@pytest.mark.task("6.4")
def test_profile_model_summary():
    model = mlp((6, 8, 3))
    x = tt.randn(5, 6)
    report = profile_model(model, x, warmup=1, repeats=3)
    assert report.parameters == 6 * 8 + 8 + 8 * 3 + 3
    assert report.size_bytes == 4 * report.parameters
    assert report.forward_flops == 2 * 5 * (6 * 8 + 8 * 3) + 5 * (8 + 3) + 5 * 8 + 5 * 3
    assert report.backward_flops > report.forward_flops - 5 * 8  # about twice the forward
    assert report.latency.median > 0 and report.train_latency.median > 0
    assert all(p.grad is None for p in model.parameters())
    assert "parameters" in str(report)


# -- 6.4 latency statistics ---------------------------------------------------------------------

@pytest.mark.task("6.4")
def test_summarize_median_quartiles_iqr():
    t = summarize([4.0, 1.0, 3.0, 2.0])
    assert (t.median, t.q1, t.q3) == (2.5, 1.75, 3.25)
    assert t.iqr == pytest.approx(1.5)
    t = summarize([0.1] * 9 + [100.0])  # one outlier does not move the median
    assert t.median == pytest.approx(0.1) and t.iqr == pytest.approx(0.0)
    with pytest.raises(ValueError, match="at least one"):
        summarize([])
    with pytest.raises(ValueError, match="non-negative"):
        summarize([1.0, -1.0])


@pytest.mark.task("6.4")
def test_measure_warms_up_then_times_each_repeat():
    calls = []
    clock = iter(np.cumsum([0.0] + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] * 2).tolist())

    def fake_timer():
        return next(clock)

    t = measure(lambda: calls.append(1), warmup=2, repeats=3, number=2, timer=fake_timer)
    assert len(calls) == 2 + 3 * 2
    # samples: (t1 - t0) / 2 for start/stop pairs (0,1), (3,6), (10,15)
    assert t.samples == (0.5, 1.5, 2.5)
    assert t.median == 1.5 and t.number == 2


# -- 6.5 peak memory ----------------------------------------------------------------------------

@pytest.mark.task("6.5")
def test_peak_memory_of_an_allocation():
    n = 1_000_000

    def allocate():
        a = np.ones(n)           # 8 MB, freed on return
        return float(a.sum())

    result, peak = peak_memory(allocate)
    assert result == n
    assert 8 * n <= peak < 8 * n + 256 * 1024
    _, small = peak_memory(lambda: None)
    assert small < 64 * 1024


@pytest.mark.task("6.4")
def test_measure_many_interleaves_and_rotates():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    timings = measure_many(fns, warmup=1, repeats=3, min_sample=0.0)
    assert calls[:3] == ["a", "b", "c"]                       # warm-up
    assert calls[3:] == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert set(timings) == {"a", "b", "c"} and all(len(t.samples) == 3 for t in timings.values())
    calls.clear()
    timings = measure_many({"a": fns["a"]}, warmup=1, repeats=2, min_sample=0.001)
    assert timings["a"].number > 1 and len(calls) == 1 + 2 * timings["a"].number
