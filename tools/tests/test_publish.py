"""Publish to a real local index (pypiserver on 127.0.0.1 with htpasswd auth) and install back.

Run alone with ``pytest tools/tests/test_publish.py`` (or ``-k publish``). Needs pypiserver,
passlib, twine and uv. The server only accepts uploads with credentials; ``--disable-fallback``
keeps it from redirecting upstream, so every tt-* distribution comes from it. NumPy is installed
into the fresh environment first, with this machine's normal pip settings; the tt-* install then
uses ``pip --isolated`` and the local index alone. The server is stopped at the end; the test's
own traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import _packages
import publish

NEEDED = ("pypiserver", "passlib", "twine")
pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in NEEDED) or shutil.which("uv") is None,
    reason="needs pypiserver, passlib, twine and uv")

USER, PASSWORD = "instructor", "s3cret-pw"

TRAIN = """
import importlib.metadata as m
import tinytorch.tensor as tt
print("versions", *(m.version(d) for d in ("tt-tensor", "tt-autograd", "tt-nn")))
import tinytorch.nn as nn
tt.manual_seed(0)
model = nn.Linear(3, 1)
x = tt.randn(8, 3)
y = x.sum(dim=1, keepdim=True)
def loss_fn():
    diff = model(x) - y
    return (diff * diff).mean()
before = loss_fn()
before.backward()
for p in model.parameters():  # a manual SGD step
    p.array -= 0.1 * p.grad.array
    p.grad = None
after = loss_fn()
print("loss", float(before.item()), float(after.item()))
assert after.item() < before.item()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def index(tmp_path):
    from passlib.apache import HtpasswdFile

    htpasswd = tmp_path / "htpasswd"
    users = HtpasswdFile(str(htpasswd), new=True)
    users.set_password(USER, PASSWORD)
    users.save()
    packages = tmp_path / "packages"
    packages.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
         "-a", "update", "-P", str(htpasswd), "--disable-fallback", str(packages)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # up to 10 s
            try:
                urllib.request.urlopen(f"{url}/simple/", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"pypiserver exited: {server.stderr.read().decode()}")
                time.sleep(0.1)
        else:
            pytest.fail("pypiserver did not start within 10 s")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_publish_needs_credentials_then_installs_exact_versions(index, tmp_path):
    parts = _packages.present_parts()
    wanted = [p for p in parts if p.number <= 3]
    if [p.number for p in wanted] != [1, 2, 3]:
        pytest.skip("parts 1-3 are not all in the tree yet")
    versions = {p.name: p.version for p in wanted}

    with pytest.raises(publish.PublishError, match="refused"):
        publish.publish(publish.Target(index, None, None), ["tt-tensor"])
    uploaded = publish.publish(publish.Target(index, USER, PASSWORD), list(versions))
    assert len(uploaded) == 6  # a wheel and an sdist each

    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", "--seed", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "numpy"], check=True, timeout=300)
    subprocess.run(
        [python, "-m", "pip", "install", "--isolated", "--quiet", "--no-cache-dir",
         "--index-url", f"{index}/simple/", "tt-nn"],
        check=True, timeout=300)
    done = subprocess.run([python, "-c", TRAIN], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("versions"))
    assert line.split()[1:] == [versions["tt-tensor"], versions["tt-autograd"], versions["tt-nn"]]


def test_publish_target_resolution_and_errors():
    env = {"TINYTORCH_INDEX_URL": "http://127.0.0.1:1/", "TWINE_USERNAME": "t",
           "TINYTORCH_INDEX_PASSWORD": "p"}
    target = publish.resolve_target(None, None, None, env)
    assert target == publish.Target("http://127.0.0.1:1/", "t", "p")
    assert publish.resolve_target("https://x/", "u", None, env).username == "u"
    with pytest.raises(publish.PublishError, match="no index URL"):
        publish.resolve_target(None, None, None, {})
    with pytest.raises(publish.PublishError, match="not a part"):
        publish.select_parts(["tt-nonexistent"])
