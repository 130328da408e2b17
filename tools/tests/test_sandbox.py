"""The sandbox (tools/sandbox.py) holds what it promises, checked from inside with plain Python."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import sandbox

PYTHON = str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
needs_bwrap = pytest.mark.skipif(sandbox.bubblewrap()[0] is None,
                                 reason=f"needs bubblewrap: {sandbox.bubblewrap()[1]}")


def run(code: str, tmp_path: Path, timeout: float = 20, **limits: int
        ) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with the base Python in a sandbox that sees ``tmp_path/shared`` read-only."""
    shared = tmp_path / "shared"
    shared.mkdir(exist_ok=True)
    (shared / "hello.txt").write_text("hello")
    box = sandbox.Sandbox(PYTHON, {"/sandbox/shared": shared}, limits=sandbox.Limits(**limits))
    proc = box.start([PYTHON, "-c", code], env={"PATH": "/usr/bin:/bin", "ONLY": "this"},
                     stdout=subprocess.PIPE)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        box.kill(proc)
        out = b"<killed>"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), "")


@needs_bwrap
def test_it_sees_only_the_system_and_its_binds(tmp_path):
    secret = tmp_path / "grader-only.txt"
    secret.write_text("secret")
    done = run(f"""
import os
print(open("/sandbox/shared/hello.txt").read())
print(os.path.exists({str(secret)!r}), os.path.exists({str(Path(__file__))!r}))
print(sorted(os.environ))
print(os.getuid() != 0, os.listdir("/tmp"))
""", tmp_path)
    lines = done.stdout.splitlines()
    assert lines[0] == "hello"
    assert lines[1] == "False False"
    names = set(eval(lines[2]))  # noqa: S307 - our own repr of a list of names
    assert {"ONLY", "PATH"} <= names <= {"ONLY", "PATH", "PWD", "LC_CTYPE"}  # locale, bwrap
    assert lines[3].startswith("True" if os.getuid() == 0 else "False")


@needs_bwrap
def test_it_cannot_write_outside_its_tmp_nor_reach_the_network(tmp_path):
    done = run("""
import socket
for path in ("/sandbox/shared/x", "/usr/x", "/tmp/work/ok"):
    try:
        open(path, "w").write("x"); print("wrote", path)
    except OSError as e:
        print("refused", path)
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2); print("network")
except OSError:
    print("no network")
""", tmp_path)
    assert done.stdout.split("\n")[:4] == ["refused /sandbox/shared/x", "refused /usr/x",
                                           "wrote /tmp/work/ok", "no network"]


@needs_bwrap
def test_limits_hold_and_everything_dies_with_the_sandbox(tmp_path):
    start = time.monotonic()
    done = run("""
import os, subprocess, sys
try:
    bytearray(8 << 30)
except MemoryError:
    print("memory limited", flush=True)
subprocess.Popen(["sleep", "301.25"], start_new_session=True)   # a detached daemon
forks = 0
try:
    while True:
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "301.25"])
        forks += 1
except OSError:
    print("forks limited", forks < 64, flush=True)
""", tmp_path, memory=1 << 30, processes=32)
    assert "memory limited" in done.stdout
    if os.getuid() == 0:  # the process count holds per uid: root's own sandbox uid
        assert "forks limited True" in done.stdout
    time.sleep(0.5)
    assert time.monotonic() - start < 15
    leftovers = [p for p in Path("/proc").glob("[0-9]*/cmdline")
                 if _read(p) == b"sleep\x00301.25\x00"]
    assert leftovers == []


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


@needs_bwrap
def test_kill_from_outside_stops_a_process_that_ignores_signals(tmp_path):
    start = time.monotonic()
    done = run("""
import signal, time
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
    signal.signal(sig, signal.SIG_IGN)
while True:
    time.sleep(0.1)
""", tmp_path, timeout=2)
    assert done.stdout == "<killed>" and time.monotonic() - start < 10


def test_without_bubblewrap_it_still_runs_and_says_so(tmp_path):
    box = sandbox.Sandbox(PYTHON, {"/sandbox/shared": tmp_path}, isolate=False)
    assert not box.isolated and box.why_not
    (tmp_path / "f.txt").write_text("seen")
    proc = box.start([PYTHON, "-c", "print(open('/sandbox/shared/f.txt').read())"],
                     env={"PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE)
    out, _ = proc.communicate(timeout=30)
    box.close()
    assert out.decode().strip() == "seen"


def test_the_line_reader_cuts_floods(tmp_path):
    read_end, write_end = os.pipe()

    def flood() -> None:  # more than a pipe holds: written while the reader reads
        os.write(write_end, b"a" * (sandbox.LineReader.MAX_LINE + 10) + b"\nshort\n")
        os.close(write_end)

    writer = threading.Thread(target=flood)
    writer.start()
    reader = sandbox.LineReader(read_end)
    lines: list[str] = []
    while (chunk := reader.read(1.0)) is not None:
        lines += chunk
    writer.join()
    os.close(read_end)
    assert [len(line) for line in lines] == [sandbox.LineReader.MAX_LINE, 5]


def test_two_graders_never_share_a_sandbox_uid():
    """Another grading process holding slot 0 makes this one take a different uid, so killing
    by uid here can never reach the other grader's sandboxes."""
    tools = str(Path(sandbox.__file__).parent)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, sandbox; print(sandbox.slot_uid(0), flush=True); "
         "sys.stdin.read()"], cwd=tools, env={**os.environ, "PYTHONPATH": tools},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        theirs = int(holder.stdout.readline())
        ours = {sandbox.slot_uid(slot) for slot in range(3)}
        assert theirs not in ours and len(ours) == 3
        assert all(sandbox.SLOT_UID <= uid < sandbox.SLOT_UID + sandbox.SLOT_UIDS
                   for uid in ours | {theirs})
    finally:
        holder.communicate("")
