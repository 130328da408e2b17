"""save/load: round trips of nested state dicts, atomic writes (SIGKILL mid-save), clear errors
for damaged files, and no pickle anywhere."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.nn.optim import Adam
from tinytorch.nn.optim.lr_scheduler import warmup_cosine
from tinytorch.nn.serialization import CheckpointError, load, save

pytestmark = pytest.mark.task("3.18")


def test_round_trip_nested(tmp_path):
    state = {
        "model": OrderedDict([("fc.weight", tt.randn(3, 4)), ("fc.bias", tt.zeros(3))]),
        "array": np.arange(6, dtype=np.int64).reshape(2, 3),
        "numbers": {"epoch": 3, "lr": 0.5, "inf": math.inf, "flag": True, "none": None},
        "text": "héllo",
        "list": [1, 2.5, "x", tt.tensor([1.0, 2.0], dtype=tt.float64)],
        "tuple": (1, 2),
        "int_keys": {0: {"step": 1}, 7: {"step": 2}},
        "rng": tt.get_rng_state(),
    }
    path = tmp_path / "ckpt.npz"
    save(state, path)
    out = load(path)
    assert isinstance(out["model"], OrderedDict) and list(out["model"]) == ["fc.weight", "fc.bias"]
    assert isinstance(out["model"]["fc.weight"], tt.Tensor)
    np.testing.assert_array_equal(out["model"]["fc.weight"].array, state["model"]["fc.weight"].array)
    assert out["model"]["fc.weight"].dtype == tt.float32
    np.testing.assert_array_equal(out["array"], state["array"])
    assert isinstance(out["array"], np.ndarray) and out["array"].dtype == np.int64
    assert out["numbers"] == state["numbers"]
    assert out["text"] == "héllo" and out["tuple"] == (1, 2)
    assert out["list"][:3] == [1, 2.5, "x"] and out["list"][3].dtype == tt.float64
    assert out["int_keys"] == {0: {"step": 1}, 7: {"step": 2}}
    assert out["rng"] == state["rng"]  # 128-bit ints survive
    # the file is a plain npz readable without pickle
    with np.load(path, allow_pickle=False) as npz:
        assert "__tinytorch__" in npz.files


def test_optimizer_and_scheduler_state_round_trip(tmp_path):
    params = [tt.randn(4, 3), tt.randn(3)]
    opt = Adam(params, lr=0.1, amsgrad=True)
    sched = warmup_cosine(opt, 2, 10)
    for _ in range(3):
        for p in params:
            p.grad = tt.ones_like(p)
        opt.step()
        sched.step()
    save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "s.npz")
    loaded = load(tmp_path / "s.npz")
    copies = [tt.tensor(p.array.copy()) for p in params]
    opt2 = Adam(copies, lr=0.1, amsgrad=True)
    sched2 = warmup_cosine(opt2, 2, 10)
    opt2.load_state_dict(loaded["opt"])
    sched2.load_state_dict(loaded["sched"])
    for o, s, ps in ((opt, sched, params), (opt2, sched2, copies)):
        for _ in range(3):
            for p in ps:
                p.grad = tt.ones_like(p)
            o.step()
            s.step()
    for a, b in zip(params, copies):
        np.testing.assert_array_equal(a.array, b.array)
    assert sched.get_last_lr() == sched2.get_last_lr()


def test_unsupported_objects_are_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot save"):
        save({"f": lambda: 0}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="object array"):
        save({"a": np.array([None, 1], dtype=object)}, tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_corrupted_and_truncated_files_give_clear_errors(tmp_path):
    path = tmp_path / "good.npz"
    save({"w": tt.randn(200, 50), "step": 3}, path)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated.npz: corrupted or truncated"):
        load(truncated)
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF  # inside the array bytes: the zip CRC catches it
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(bytes(flipped))
    with pytest.raises(CheckpointError, match="corrupt.npz"):
        load(corrupt)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip at all")
    with pytest.raises(CheckpointError, match="garbage.npz"):
        load(garbage)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.zeros(3))
    with pytest.raises(CheckpointError, match="not a TinyTorch checkpoint"):
        load(foreign)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load(tmp_path / "missing.npz")


def test_pickled_npz_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, __tinytorch__=np.frombuffer(b'{"format": "tinytorch-npz", "tree": '
                                                b'{"$": "array", "key": "a0"}}', np.uint8),
             a0=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="evil.npz"):
        load(path)


WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from tinytorch.nn.serialization import save
    path = sys.argv[1]
    big = np.full((4_000_000,), 2.0, dtype=np.float32)   # 16 MB: each save takes a while
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        save({"value": big + i, "i": i}, path)
""")


def test_sigkill_mid_save_leaves_previous_checkpoint(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"value": np.full((10,), 1.0, dtype=np.float32), "i": 0}, path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p])
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            env=env)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        # kill it while it is writing: wait until a temporary file exists
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            temps = [p for p in tmp_path.iterdir() if p.name.startswith(".ckpt.npz.")]
            if temps and temps[0].stat().st_size > 0:
                break
            time.sleep(0.001)
        else:
            pytest.fail("the writer never started a save")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    state = load(path)  # the previous complete checkpoint, never a half-written one
    i = state["i"]
    expected = 1.0 if i == 0 else 2.0 + i
    assert state["value"].shape == ((10,) if i == 0 else (4_000_000,))
    assert np.all(state["value"] == expected)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
