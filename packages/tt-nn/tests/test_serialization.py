"""save/load: round trips of nested state dicts, atomic writes (SIGKILL mid-save), clear errors
for damaged files, and no pickle anywhere."""

from __future__ import annotations

import json
import math
import os
import re
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

pytestmark = pytest.mark.task("3.25")


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
    left = [p.name for p in tmp_path.iterdir() if p.name != "ckpt.npz"]
    assert all(re.fullmatch(rf"\.ckpt\.npz\.tmp-{proc.pid}-[0-9a-f]+", n) for n in left), left
    save({"i": -1}, path)  # the next save of the same file removes what the killed one left
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]
    assert load(path) == {"i": -1}


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: no process has this pid now (until it is reused, which takes a while)
    return proc.pid


def test_stale_temps_only_of_dead_writers_of_the_same_file_are_removed(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / f".model.npz.tmp-{dead}-00ff"
    running = tmp_path / f".model.npz.tmp-{alive}-abcd"  # another process saving right now
    other_file = tmp_path / f".other.npz.tmp-{dead}-1234"  # the temp of another target
    lookalike = tmp_path / ".model.npz.tmp-notes.txt"  # not a name save makes
    ours_done = tmp_path / f".model.npz.tmp-{os.getpid()}-beef"  # this pid, no save running
    for f in (stale, running, other_file, lookalike, ours_done):
        f.write_bytes(b"partial")
    save({"x": 1}, tmp_path / "model.npz")
    assert not stale.exists() and not ours_done.exists()
    assert running.exists() and other_file.exists() and lookalike.exists()
    assert load(tmp_path / "model.npz") == {"x": 1}


def _npz_with_member(path, header_shape, data: bytes, compress=False, meta_tree=None):
    """A checkpoint whose member a0 has an .npy header claiming ``header_shape`` (float32)
    followed by ``data``: lets a test lie about sizes the way a hostile file would."""
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                  "shape": header_shape})
    tree = meta_tree if meta_tree is not None else {"$": "tensor", "key": "a0"}
    tree = tree if isinstance(tree, str) else json.dumps(tree)  # a str: JSON written by hand
    meta = f'{{"format": "tinytorch-npz", "version": 1, "tree": {tree}}}'.encode()
    meta_npy = io.BytesIO()
    np.lib.format.write_array(meta_npy, np.frombuffer(meta, np.uint8))
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as z:
        with z.open("a0.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            for start in range(0, len(data), 1 << 24):
                member.write(data[start:start + (1 << 24)])
        z.writestr("__tinytorch__.npy", meta_npy.getvalue())


def test_members_must_be_the_size_their_header_declares(tmp_path):
    honest = tmp_path / "honest.npz"
    _npz_with_member(honest, (4,), np.arange(4, dtype=np.float32).tobytes())
    np.testing.assert_array_equal(load(honest).array, [0, 1, 2, 3])
    padded = tmp_path / "padded.npz"  # 16 bytes of array, then 64 MiB nobody asked for
    _npz_with_member(padded, (4,), bytes(16 + (64 << 20)), compress=True)
    assert padded.stat().st_size < 1 << 20
    with pytest.raises(CheckpointError, match=r"padded.npz: member 'a0.npy' declares 67109008 "
                                              r"bytes but its header \(shape \(4,\), dtype "
                                              r"float32\) needs 144"):
        load(padded)
    huge = tmp_path / "huge.npz"  # a header claiming 10**12 elements (4 TB) over 16 bytes
    _npz_with_member(huge, (10**12,), bytes(16))
    with pytest.raises(CheckpointError, match=r"huge.npz: member 'a0.npy' declares 144 bytes "
                                              r"but its header \(shape \(1000000000000,\), "
                                              r"dtype float32\) needs 4000000000128"):
        load(huge)


def test_a_small_file_that_expands_to_gigabytes_is_refused(tmp_path):
    bomb = tmp_path / "bomb.npz"  # an honest header, but 64 MiB of zeros deflated to ~64 KB
    n = 16 << 20
    _npz_with_member(bomb, (n,), bytes(4 * n), compress=True)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(CheckpointError, match=r"bomb.npz: member 'a0.npy' would expand from "
                                              r"\d+ to 67108992 bytes \(more than 100x\): "
                                              "refused as a zip bomb"):
        load(bomb)
    ordinary = tmp_path / "ordinary.npz"  # compression as such is fine: random data, 1.1x
    values = np.random.default_rng(0).standard_normal(50_000).astype(np.float32)
    _npz_with_member(ordinary, (50_000,), values.tobytes(), compress=True)
    np.testing.assert_array_equal(load(ordinary).array, values)


def test_metadata_nested_too_deep_is_refused_both_ways(tmp_path):
    deep = tmp_path / "deep.npz"
    tree = {"$": "tensor", "key": "a0"}
    for _ in range(450):  # 900 JSON levels (a dict and a list per level)
        tree = {"$": "list", "items": [tree]}
    _npz_with_member(deep, (1,), bytes(4), meta_tree=tree)
    with pytest.raises(CheckpointError, match="deep.npz: metadata nested more than 64 levels"):
        load(deep)
    deeper = tmp_path / "deeper.npz"  # too deep for Python's JSON parser itself
    _npz_with_member(deeper, (1,), bytes(4),
                     meta_tree='{"$": "list", "items": [' * 50_000 + "1" + "]}" * 50_000)
    with pytest.raises(CheckpointError, match="deeper.npz: metadata nested too deep to parse"):
        load(deeper)
    nested = [1]
    for _ in range(100):
        nested = [nested]
    with pytest.raises(ValueError, match="nested more than 64 levels"):
        save(nested, tmp_path / "nested.npz")
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save(loop, tmp_path / "loop.npz")
    ok = [1]
    for _ in range(63):
        ok = [ok]
    save(ok, tmp_path / "ok.npz")
    assert load(tmp_path / "ok.npz") == ok


def _same(a, b):
    if isinstance(a, tt.Tensor):
        return isinstance(b, tt.Tensor) and a.dtype == b.dtype and np.array_equal(a.array, b.array)
    if isinstance(a, dict):
        return (type(a) is type(b) and list(a) == list(b)
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def test_fuzz_every_flipped_byte_and_every_truncation(tmp_path):
    """Damage anywhere gives a CheckpointError naming the file, or (a byte the format does not
    use, such as a timestamp) the very same checkpoint: never a raw error, never wrong data."""
    state = OrderedDict([("w", tt.tensor([[1.5, -2.0], [0.25, 8.0]])), ("b", tt.tensor([1, 2])),
                         ("meta", {"epoch": 3, "name": "run", "lrs": (0.1, None)})])
    good = tmp_path / "good.npz"
    save(state, good)
    data = good.read_bytes()
    assert 1_000 < len(data) < 2_000
    damaged = tmp_path / "damaged.npz"
    outcomes = {"error": 0, "same": 0}
    for i in range(len(data)):
        flipped = bytearray(data)
        flipped[i] ^= 1 << (i % 8)
        damaged.write_bytes(bytes(flipped))
        try:
            loaded = load(damaged)
        except CheckpointError as error:
            assert str(error).startswith(f"{damaged}: "), error
            outcomes["error"] += 1
        else:
            assert _same(state, loaded), f"byte {i}: a damaged file loaded different data"
            outcomes["same"] += 1
    assert outcomes["error"] > len(data) // 2, outcomes
    for n in range(len(data)):
        damaged.write_bytes(data[:n])
        with pytest.raises(CheckpointError, match="damaged.npz"):
            load(damaged)
