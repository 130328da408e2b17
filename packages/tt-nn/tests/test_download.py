"""download(): cached, SHA-256 verified, atomic; over http (local server) and file://."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tinytorch.nn.data import ChecksumError, download

PAYLOAD = bytes(range(256)) * 1000
SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture()
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/www; yields (base_url, hit counter)."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "blob.bin").write_bytes(PAYLOAD)
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.mark.task("3.24")
def test_http_download_and_cache(server, tmp_path):
    base, hits = server
    dest = tmp_path / "cache" / "sub" / "blob.bin"
    assert download(f"{base}/blob.bin", SHA, dest) == dest
    assert dest.read_bytes() == PAYLOAD
    assert len(hits) == 1
    download(f"{base}/blob.bin", SHA, dest)  # cached: no second request
    assert len(hits) == 1
    assert leftovers(dest.parent) == [".blob.bin.sha256", "blob.bin"]  # the file and its record


@pytest.mark.task("3.24")
def test_checksum_mismatch_leaves_no_file(server, tmp_path):
    base, _ = server
    dest = tmp_path / "cache" / "blob.bin"
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as info:
        download(f"{base}/blob.bin", wrong, dest)
    message = str(info.value)
    assert wrong in message and SHA in message and "expected" in message
    assert leftovers(dest.parent) == []


@pytest.mark.task("3.24")
def test_wrong_cached_file_is_replaced_and_mismatch_keeps_it(server, tmp_path):
    base, hits = server
    dest = tmp_path / "blob.bin"
    dest.write_bytes(b"stale")
    download(f"{base}/blob.bin", SHA, dest)
    assert dest.read_bytes() == PAYLOAD and len(hits) == 1
    # a failing download never touches an existing file
    with pytest.raises(ChecksumError):
        download(f"{base}/blob.bin", "f" * 64, dest)
    assert dest.read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == [".blob.bin.sha256", "blob.bin", "www"]


@pytest.mark.task("3.24")
def test_file_url(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    dest = tmp_path / "out" / "copy.bin"
    download(src.as_uri(), SHA, dest)
    assert dest.read_bytes() == PAYLOAD
    with pytest.raises(ChecksumError):
        download(src.as_uri(), "a" * 64, tmp_path / "out" / "other.bin")
    assert leftovers(tmp_path / "out") == [".copy.bin.sha256", "copy.bin"]


@pytest.mark.task("3.24")
def test_http_error_leaves_no_file(server, tmp_path):
    base, _ = server
    with pytest.raises(OSError):
        download(f"{base}/missing.bin", SHA, tmp_path / "dl" / "missing.bin")
    assert leftovers(tmp_path / "dl") == []


def test_bad_sha_argument(tmp_path):
    with pytest.raises(ValueError, match="64 hex digits"):
        download("file:///nonexistent", "abc", tmp_path / "x")


@pytest.mark.task("3.24")
def test_a_killed_download_leaves_a_named_part_file_the_next_download_removes(tmp_path):
    """kill -9 mid-download cannot clean up: the partial file says what it is
    (``.<name>.part-<pid>-<random>``) and the next download of the same file deletes it."""
    release = threading.Event()
    payload = bytes(range(256)) * 12_000  # 3 MB: the first MB-chunk arrives, the rest hangs
    sha = hashlib.sha256(payload).hexdigest()

    class Stalling(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if not release.is_set():  # half the bytes, then hang until released
                self.wfile.write(payload[: 2 << 20])
                self.wfile.flush()
                release.wait(30)
                return
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/blob.bin"
    dest = tmp_path / "blob.bin"
    script = ("import sys; from tinytorch.nn.data import download; "
              "download(sys.argv[1], sys.argv[2], sys.argv[3])")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.Popen([sys.executable, "-c", script, url, sha, str(dest)], env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            parts = [p for p in tmp_path.iterdir() if ".part-" in p.name]
            if parts and parts[0].stat().st_size > 0:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the download never started")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert re.fullmatch(rf"\.blob\.bin\.part-{proc.pid}-[0-9a-f]+", parts[0].name)
        assert not dest.exists()
        release.set()
        download(url, sha, dest)
        assert dest.read_bytes() == payload
        assert leftovers(tmp_path) == [".blob.bin.sha256", "blob.bin"]
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        httpd.shutdown()
        httpd.server_close()
