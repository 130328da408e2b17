"""Benchmarking: the Pareto front (brute-force oracle), reports, and the PNG writer."""

from __future__ import annotations

import csv
import io
import json
import struct
import zlib

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.systems import (
    BenchmarkReport,
    BenchmarkResult,
    benchmark_model,
    benchmark_models,
    machine_info,
    pareto_front,
    plot_pareto,
    summarize,
)
from tinytorch.systems.png import Canvas, read_png, write_png


def brute_force_front(costs, scores):
    n = len(costs)
    keep = []
    for i in range(n):
        dominated = any(costs[j] <= costs[i] and scores[j] >= scores[i]
                        and (costs[j] < costs[i] or scores[j] > scores[i]) for j in range(n))
        if not dominated:
            keep.append(i)
    return sorted(keep, key=lambda i: (costs[i], i))


# -- 6.6 Pareto front ---------------------------------------------------------------------------

@pytest.mark.task("6.6")
def test_pareto_front_small_case():
    #          fast+bad  slow+good  dominated  middle  duplicate of middle
    costs = [1.0, 5.0, 4.0, 2.0, 2.0]
    scores = [0.5, 0.9, 0.6, 0.8, 0.8]
    assert pareto_front(costs, scores) == [0, 3, 4, 1]


@pytest.mark.task("6.6")
@pytest.mark.parametrize("seed", range(5))
def test_pareto_front_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 6, 30).astype(float)  # many ties
    scores = rng.integers(0, 6, 30).astype(float)
    assert pareto_front(costs, scores) == brute_force_front(costs, scores)


def test_pareto_front_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="one length"):
        pareto_front([1.0, 2.0], [1.0])


def _result(name, ms, acc, size=1000):
    return BenchmarkResult(name, summarize([ms / 1e3] * 3), size, size // 4, 10_000, acc)


@pytest.mark.task("6.6")
def test_report_formats_agree(tmp_path):
    results = [_result("base", 10.0, 0.90, 4000), _result("small", 4.0, 0.89, 1000),
               _result("bad", 8.0, 0.50, 2000)]
    report = BenchmarkReport(results, baseline="base", machine=machine_info())
    rows = report.rows()
    assert rows[1]["speedup"] == pytest.approx(2.5) and rows[1]["size_ratio"] == 4.0
    assert rows[1]["accuracy_change"] == pytest.approx(-0.01)
    assert report.pareto() == ["small", "base"]
    md = report.to_markdown()
    assert "| small * |" in md and "2.50x" in md and "4.00x" in md
    data = json.loads(report.to_json())
    assert data["pareto_front"] == ["small", "base"] and data["baseline"] == "base"
    assert "numpy" in data["machine"] and "tt-optim-systems" in data["machine"]["tinytorch"]
    parsed = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [r["name"] for r in parsed] == ["base", "small", "bad"]
    assert float(parsed[2]["latency_ms"]) == pytest.approx(8.0)
    paths = report.save(tmp_path)
    assert set(paths) == {"md", "json", "csv", "png"}
    image = read_png(paths["png"])
    assert image.shape == (480, 720, 3) and (image != 255).any()


def test_report_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one"):
        BenchmarkReport([])
    with pytest.raises(ValueError, match="baseline 'x'"):
        BenchmarkReport([_result("a", 1.0, 0.5)], baseline="x", machine={})
    with pytest.raises(ValueError, match="unique"):
        BenchmarkReport([_result("a", 1.0, 0.5), _result("a", 2.0, 0.5)], machine={})


@pytest.mark.task("6.4")
def test_benchmark_model_measures_a_model():
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    x = tt.randn(10, 8)
    r = benchmark_model("mlp", model, x, accuracy_fn=lambda m: 0.75, warmup=1, repeats=3)
    assert r.parameters == 8 * 16 + 16 + 16 * 4 + 4 and r.size_bytes == 4 * r.parameters
    assert r.flops == 2 * 10 * (8 * 16 + 16 * 4) + 10 * (16 + 4) + 10 * 16
    assert r.accuracy == 0.75 and r.latency.median > 0 and not model.training


# -- the PNG writer (infrastructure) ------------------------------------------------------------

def test_png_round_trip_and_chunk_layout(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (7, 11, 3), dtype=np.uint8)
    path = write_png(tmp_path / "x.png", image)
    blob = path.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", blob[8:16])
    assert (length, kind) == (13, b"IHDR")
    assert struct.unpack(">IIBBBBB", blob[16:29]) == (11, 7, 8, 2, 0, 0, 0)
    assert struct.unpack(">I", blob[29:33])[0] == zlib.crc32(blob[12:29])
    np.testing.assert_array_equal(read_png(path), image)
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        write_png(tmp_path / "bad.png", image.astype(np.float32))


def test_canvas_draws_clipped_shapes_and_text():
    canvas = Canvas(40, 20)
    canvas.line(0, 0, 39, 19, (255, 0, 0))
    canvas.disk(35, 15, 10, (0, 0, 255))  # mostly outside: clipped, no error
    canvas.text(2, 2, "Ab1%", (0, 0, 0))
    img = canvas.image
    assert tuple(img[0, 0]) == (255, 0, 0) and tuple(img[19, 39]) == (0, 0, 255)
    black = np.all(img == 0, axis=2)
    assert black[2:9, 2:26].sum() > 20 and not black[10:].any()
    # "A" is 0b01110 on its top row: columns 3..5 (x = 2 + 1..3) at y = 2
    assert black[2, 2:7].tolist() == [False, True, True, True, False]


def test_plot_pareto_marks_the_front(tmp_path):
    path = plot_pareto(["a", "b", "c"], [1.0, 2.0, 3.0], [50.0, 80.0, 70.0], tmp_path / "p.png")
    image = read_png(path)
    assert image.shape == (480, 720, 3)
    with pytest.raises(ValueError, match="one name, cost and score"):
        plot_pareto(["a"], [1.0, 2.0], [1.0, 2.0], tmp_path / "q.png")


@pytest.mark.task("6.4")
def test_benchmark_models_measures_each_model():
    small = nn.Sequential(nn.Linear(8, 4))
    big = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 4))
    x = tt.randn(5, 8)
    results = benchmark_models({"small": small, "big": big}, x, accuracy_fn=lambda m: 0.5,
                               repeats=2)
    assert [r.name for r in results] == ["small", "big"]
    assert results[0].flops == 2 * 5 * 8 * 4 + 5 * 4 and results[1].parameters == 8 * 64 + 64 + 64 * 4 + 4
    assert all(r.accuracy == 0.5 and len(r.latency.samples) == 2 for r in results)
