"""download(): cached, SHA-256 verified, atomic; over http (local server) and file://."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from tinytorch.nn.data import ChecksumError, download

pytestmark = pytest.mark.task("3.17")

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


def test_http_download_and_cache(server, tmp_path):
    base, hits = server
    dest = tmp_path / "cache" / "sub" / "blob.bin"
    assert download(f"{base}/blob.bin", SHA, dest) == dest
    assert dest.read_bytes() == PAYLOAD
    assert len(hits) == 1
    download(f"{base}/blob.bin", SHA, dest)  # cached: no second request
    assert len(hits) == 1
    assert leftovers(dest.parent) == ["blob.bin"]


def test_checksum_mismatch_leaves_no_file(server, tmp_path):
    base, _ = server
    dest = tmp_path / "cache" / "blob.bin"
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as info:
        download(f"{base}/blob.bin", wrong, dest)
    message = str(info.value)
    assert wrong in message and SHA in message and "expected" in message
    assert leftovers(dest.parent) == []


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
    assert leftovers(tmp_path) == ["blob.bin", "www"]


def test_file_url(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    dest = tmp_path / "out" / "copy.bin"
    download(src.as_uri(), SHA, dest)
    assert dest.read_bytes() == PAYLOAD
    with pytest.raises(ChecksumError):
        download(src.as_uri(), "a" * 64, tmp_path / "out" / "other.bin")
    assert leftovers(tmp_path / "out") == ["copy.bin"]


def test_http_error_leaves_no_file(server, tmp_path):
    base, _ = server
    with pytest.raises(OSError):
        download(f"{base}/missing.bin", SHA, tmp_path / "dl" / "missing.bin")
    assert leftovers(tmp_path / "dl") == []


def test_bad_sha_argument(tmp_path):
    with pytest.raises(ValueError, match="64 hex digits"):
        download("file:///nonexistent", "abc", tmp_path / "x")
