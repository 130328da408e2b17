"""Publish parts to a package index: build sdists and wheels with ``uv build``, upload with twine.

    python tools/publish.py --repository-url URL [--parts tt-tensor tt-nn] [-u USER -p PASSWORD]

Credentials: the options, else ``TINYTORCH_INDEX_USER`` / ``TINYTORCH_INDEX_PASSWORD``, else
twine's own ``TWINE_USERNAME`` / ``TWINE_PASSWORD``. The URL: ``--repository-url``, else
``TINYTORCH_INDEX_URL``, else ``TWINE_REPOSITORY_URL``. An index refuses to overwrite a
version: bump first (``nox -s bump``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402


class PublishError(RuntimeError):
    """Publishing cannot proceed (no URL, unknown part, build or upload failed)."""


@dataclass(frozen=True)
class Target:
    """Where to upload and as whom."""

    url: str
    username: str | None
    password: str | None


def resolve_target(url: str | None, username: str | None, password: str | None,
                   env: Mapping[str, str] = os.environ) -> Target:
    """Options first, then TINYTORCH_INDEX_*, then TWINE_*."""
    url = url or env.get("TINYTORCH_INDEX_URL") or env.get("TWINE_REPOSITORY_URL")
    if not url:
        raise PublishError("no index URL: give --repository-url or set TINYTORCH_INDEX_URL")
    if not url.startswith(("http://", "https://")):
        raise PublishError(f"index URL must be http(s)://..., got {url!r}")
    username = username or env.get("TINYTORCH_INDEX_USER") or env.get("TWINE_USERNAME")
    password = password or env.get("TINYTORCH_INDEX_PASSWORD") or env.get("TWINE_PASSWORD")
    return Target(url, username, password)


def select_parts(names: Sequence[str] | None, root: Path = _packages.REPO) -> list[_packages.Part]:
    """The named parts (all present parts when none are named), in course order."""
    present = _packages.present_parts(root)
    if not names:
        return present
    by_name = {p.name: p for p in present}
    chosen = []
    for name in names:
        if name.isdigit():
            part = next((p for p in present if p.number == int(name)), None)
        else:
            part = by_name.get(_packages.normalize(name if name.startswith("tt-") else f"tt-{name}"))
        if part is None:
            raise PublishError(f"{name!r} is not a part in this tree "
                               f"(present: {', '.join(by_name) or 'none'})")
        chosen.append(part)
    return sorted(set(chosen), key=lambda p: p.number)


def build(parts: Sequence[_packages.Part], dest: Path) -> list[Path]:
    """``uv build`` (sdist + wheel) of each part into ``dest``; the files made."""
    uv = shutil.which("uv")
    if uv is None:
        raise PublishError("`uv` is not on PATH")
    for part in parts:
        done = subprocess.run([uv, "build", "--quiet", "--out-dir", str(dest), str(part.path)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise PublishError(f"building {part.name} failed:\n{done.stderr}")
    files = sorted(dest.glob("*.whl")) + sorted(dest.glob("*.tar.gz"))
    if len(files) != 2 * len(parts):
        raise PublishError(f"expected one wheel and one sdist per part in {dest}, got {files}")
    return files


def upload(files: Sequence[Path], target: Target, python: str = sys.executable) -> None:
    """``twine upload`` the files; PublishError with twine's message when refused."""
    command = [python, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
               "--repository-url", target.url, *map(str, files)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    if target.username is not None:
        env["TWINE_USERNAME"] = target.username
    if target.password is not None:
        env["TWINE_PASSWORD"] = target.password
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise PublishError(f"upload to {target.url} refused:\n{done.stdout}{done.stderr}".strip())


def publish(target: Target, names: Sequence[str] | None = None, root: Path = _packages.REPO,
            python: str = sys.executable) -> list[Path]:
    """Build the chosen parts and upload them; returns the uploaded file names' paths."""
    parts = select_parts(names, root)
    if not parts:
        raise PublishError("no part to publish")
    with tempfile.TemporaryDirectory(prefix="tt-publish-") as tmp:
        files = build(parts, Path(tmp))
        upload(files, target, python)
        return [Path(f.name) for f in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and upload TinyTorch parts to an index.")
    parser.add_argument("--repository-url", help="upload URL (or $TINYTORCH_INDEX_URL)")
    parser.add_argument("--parts", nargs="+", help="distributions or part numbers (default: all)")
    parser.add_argument("-u", "--username", help="or $TINYTORCH_INDEX_USER / $TWINE_USERNAME")
    parser.add_argument("-p", "--password", help="or $TINYTORCH_INDEX_PASSWORD / $TWINE_PASSWORD")
    args = parser.parse_args(argv)
    try:
        target = resolve_target(args.repository_url, args.username, args.password)
        files = publish(target, args.parts)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    print(f"publish: uploaded to {target.url}: {', '.join(f.name for f in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
