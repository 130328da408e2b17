"""The 2018 capstone runs end to end on tiny settings, writes its reports and figures, and its
variants are what they claim (smaller, fewer FLOPs, int8 where quantized)."""

from __future__ import annotations

import json

import pytest

from tinytorch_milestones.m2018_systems import main, run


def test_capstone_on_tiny_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    result = run(["--epochs", "1", "--finetune-epochs", "1", "--gpt-iters", "3",
                  "--gpt-window", "16", "--kv-lengths", "4,8", "--bench-images", "50",
                  "--repeats", "2", "--out", str(tmp_path)])
    for stem in ("lenet", "mlp", "gpt"):
        for suffix in ("md", "json", "csv", "png"):
            assert (tmp_path / f"{stem}.{suffix}").is_file()
        rows = {r["name"]: r for r in result[stem]}
        assert rows["float32"]["speedup"] == 1.0
        assert rows["int8"]["size_ratio"] > 3.0            # one byte per weight
    for stem in ("lenet", "mlp"):
        rows = {r["name"]: r for r in result[stem]}
        assert rows["pruned 70% + KD"]["flops"] < 0.5 * rows["float32"]["flops"]
        assert rows["pruned 70% + KD + int8"]["size_ratio"] > rows["pruned 70% + KD"]["size_ratio"]
        assert 0.0 <= rows["pruned 50% + KD"]["accuracy"] <= 1.0
    lenet = {r["name"]: r for r in result["lenet"]}
    assert lenet["80% sparse (unstructured)"]["size_ratio"] == pytest.approx(1.0)
    assert [r["tokens"] for r in result["kv"]] == [4, 8]
    assert (tmp_path / "kv_cache.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    trace = json.loads((tmp_path / "lenet_trace.json").read_text())
    assert any(e.get("cat") == "layer" for e in trace["traceEvents"])
    assert main(["--epochs", "1", "--finetune-epochs", "1", "--gpt-iters", "1", "--gpt-window",
                 "8", "--kv-lengths", "2", "--bench-images", "20", "--repeats", "1",
                 "--out", str(tmp_path / "again")]) == 0
