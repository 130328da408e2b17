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
from pathlib import Path

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
        publish.publish(publish.Target(index, None, None), ["tt-tensor"], reference=True)
    with pytest.raises(publish.PublishError, match="would publish the solutions"):
        publish.publish(publish.Target(index, USER, PASSWORD), ["tt-tensor"])
    uploaded = publish.publish(publish.Target(index, USER, PASSWORD), list(versions),
                               reference=True)
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


def test_a_rerun_names_what_exists_and_uploads_nothing(index, tmp_path, capsys, monkeypatch):
    """tt-tensor is already there: --parts tt-nn tt-tensor uploads neither, names both files,
    and the password (from the environment) is never printed."""
    if len(_packages.present_parts()) < 3:
        pytest.skip("parts 1-3 are not all in the tree yet")
    monkeypatch.setenv("TINYTORCH_INDEX_PASSWORD", PASSWORD)
    argv = ["--repository-url", index, "-u", USER, "--reference"]
    assert publish.main([*argv, "--parts", "tt-tensor"]) == 0
    assert publish.main([*argv, "--parts", "tt-nn", "tt-tensor"]) == 1
    err = capsys.readouterr().err
    tensor = _packages.part(1)
    assert f"tt_tensor-{tensor.version}-py3-none-any.whl" in err
    assert f"tt_tensor-{tensor.version}.tar.gz" in err and "Nothing was uploaded" in err
    target = publish.Target(index, USER, PASSWORD)
    files = [Path(f"tt_nn-{_packages.part(3).version}.tar.gz")]
    assert publish.existing(files, target) == []  # tt-nn was not half uploaded
    assert PASSWORD not in err


def test_publish_target_resolution_and_errors(tmp_path, capsys):
    env = {"TINYTORCH_INDEX_URL": "http://127.0.0.1:1/", "TWINE_USERNAME": "t",
           "TINYTORCH_INDEX_PASSWORD": "s3cr3t-value"}
    target = publish.resolve_target(None, None, env=env)
    assert target == publish.Target("http://127.0.0.1:1/", "t", "s3cr3t-value")
    assert "s3cr3t-value" not in repr(target)
    assert target.simple == "http://127.0.0.1:1/simple/" and target.warnings() == []
    secret = tmp_path / "password"
    secret.write_text("from-a-file\n")
    assert publish.resolve_target("https://x/", "u", secret, env).password == "from-a-file"
    assert publish.resolve_target("https://upload.pypi.org/legacy/", "u", env={}).simple == (
        "https://pypi.org/simple/")
    assert "plain http" in publish.Target("http://index.example.org/", "u").warnings()[0]
    with pytest.raises(publish.PublishError, match="no index URL"):
        publish.resolve_target(None, None, env={})
    with pytest.raises(publish.PublishError, match="not a part"):
        publish.select_parts(["tt-nonexistent"])
    assert publish.main(["--repository-url", "http://127.0.0.1:1/", "-p", "hunter2"]) == 2
    assert "never put a password on the command line" in capsys.readouterr().err
