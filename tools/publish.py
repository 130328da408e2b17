"""Publish parts to a package index: build sdists and wheels, check, then upload with twine.

    nox -s publish -- --repository-url URL --parts tt-tensor tt-nn        # parts without solutions
    nox -s publish -- --repository-url URL --reference --parts tt-tensor  # a part's SOLUTIONS

Every part in the instructor's tree holds the solutions of its tasks, so publishing one
publishes its solutions (the reference wheels students of later parts install after that part's
deadline). That happens only with ``--reference``: without it, a part with solution blocks is
refused. Nothing else publishes.

Before uploading anything, the index is asked for each file's name (its simple API): if any is
already there, nothing is uploaded and the message names them (an index never overwrites a
version: bump first with ``nox -s bump``). Credentials: ``--username`` or ``TINYTORCH_INDEX_USER``
/ ``TWINE_USERNAME``; the password ONLY from ``TINYTORCH_INDEX_PASSWORD`` / ``TWINE_PASSWORD``
or ``--password-file`` (never the command line: nox logs it); it is never printed. The URL:
``--repository-url``, else ``TINYTORCH_INDEX_URL`` / ``TWINE_REPOSITORY_URL``; the simple API
defaults to ``<url>/simple/`` (``--simple-url`` to change). Plain http to a host other than
localhost gets a warning.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import solutions  # noqa: E402

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class PublishError(RuntimeError):
    """Publishing cannot proceed (no URL, unknown part, solutions, files exist, upload failed)."""


@dataclass(frozen=True)
class Target:
    """Where to upload and as whom (``repr`` never shows the password)."""

    url: str
    username: str | None
    password: str | None = field(default=None, repr=False)
    simple_url: str | None = None

    @property
    def simple(self) -> str:
        """The index's simple API, where existing files are listed."""
        if self.simple_url:
            return self.simple_url.rstrip("/") + "/"
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.netloc in ("upload.pypi.org", "test.pypi.org"):
            host = "pypi.org" if parsed.netloc == "upload.pypi.org" else "test.pypi.org"
            return f"https://{host}/simple/"
        return self.url.rstrip("/") + "/simple/"

    def warnings(self) -> list[str]:
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme == "http" and parsed.hostname not in LOCAL_HOSTS:
            return [f"{self.url} is plain http: the password crosses the network in clear "
                    "text; use https"]
        return []


def resolve_target(url: str | None, username: str | None, password_file: Path | None = None,
                   env: Mapping[str, str] = os.environ, simple_url: str | None = None
                   ) -> Target:
    """Options first, then TINYTORCH_INDEX_*, then TWINE_*; the password never from argv."""
    url = url or env.get("TINYTORCH_INDEX_URL") or env.get("TWINE_REPOSITORY_URL")
    if not url:
        raise PublishError("no index URL: give --repository-url or set TINYTORCH_INDEX_URL")
    if not url.startswith(("http://", "https://")):
        raise PublishError(f"index URL must be http(s)://..., got {url!r}")
    username = username or env.get("TINYTORCH_INDEX_USER") or env.get("TWINE_USERNAME")
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise PublishError(f"cannot read --password-file: {error.strerror}") from None
    else:
        password = env.get("TINYTORCH_INDEX_PASSWORD") or env.get("TWINE_PASSWORD")
    return Target(url, username, password or None, simple_url)


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


def check_no_solutions(parts: Sequence[_packages.Part]) -> None:
    """Refuse parts whose sources hold solution blocks (publishing them needs --reference)."""
    holding = [f"{p.name} ({len(blocks)} solution blocks)" for p in parts
               if (blocks := solutions.blocks_in(p.src))]
    if holding:
        raise PublishError(f"{', '.join(holding)}: publishing would publish the solutions. "
                           "To publish a part's reference after its deadline, say so: "
                           "nox -s publish -- --reference --parts <part>")


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


def _project(file: Path) -> str:
    """The distribution a wheel or sdist file belongs to (``tt_nn-0.1.0.tar.gz`` -> tt-nn)."""
    return _packages.normalize(re.split(r"-\d", file.name, maxsplit=1)[0])


def existing(files: Sequence[Path], target: Target) -> list[str]:
    """Which of ``files`` (by name) the index already has, read from its simple API."""
    found: list[str] = []
    for project in sorted({_project(f) for f in files}):
        request = urllib.request.Request(f"{target.simple}{project}/")
        if target.username and target.password:
            token = base64.b64encode(f"{target.username}:{target.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                page = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                continue
            raise PublishError(f"{target.simple}{project}/ answered {error.code}: cannot check "
                               "what is already published") from None
        except OSError as error:
            raise PublishError(f"cannot reach {target.simple}: {error}") from None
        listed = {urllib.parse.unquote(href.split("#")[0].rsplit("/", 1)[-1])
                  for href in re.findall(r'href="([^"]+)"', page)}
        found += [f.name for f in files if _project(f) == project and f.name in listed]
    return sorted(found)


def _scrub(text: str, target: Target) -> str:
    return text.replace(target.password, "*****") if target.password else text


def upload(files: Sequence[Path], target: Target, python: str = sys.executable) -> None:
    """``twine upload`` the files; PublishError with twine's message (scrubbed) when refused."""
    command = [python, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
               "--repository-url", target.url, *map(str, files)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "TINYTORCH_INDEX"))}
    if target.username is not None:
        env["TWINE_USERNAME"] = target.username
    if target.password is not None:
        env["TWINE_PASSWORD"] = target.password
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        output = _scrub(f"{done.stdout}{done.stderr}", target).strip()
        raise PublishError(f"upload to {target.url} refused:\n{output}")


def publish(target: Target, names: Sequence[str] | None = None, root: Path = _packages.REPO,
            python: str = sys.executable, *, reference: bool = False) -> list[Path]:
    """Build the chosen parts, check none of their files is on the index, upload them all.

    Returns the uploaded files' names (as paths). ``reference`` allows parts with solutions.
    """
    parts = select_parts(names, root)
    if not parts:
        raise PublishError("no part to publish")
    if not reference:
        check_no_solutions(parts)
    with tempfile.TemporaryDirectory(prefix="tt-publish-") as tmp:
        files = build(parts, Path(tmp))
        already = existing(files, target)
        if already:
            raise PublishError(f"already on {target.simple}: {', '.join(already)}. Nothing was "
                               "uploaded. Bump those parts (nox -s bump -- <part> patch) or "
                               "leave them out of --parts.")
        try:
            upload(files, target, python)
        except PublishError as error:
            done = existing(files, target)
            raise PublishError(f"{error}\nnow on the index: {', '.join(done) or 'none'}; "
                               f"not: {', '.join(f.name for f in files if f.name not in done)}"
                               ) from None
        return [Path(f.name) for f in files]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if any(arg in ("-p", "--password") or arg.startswith("--password=") for arg in argv):
        print("publish: never put a password on the command line (nox and shells log it): "
              "set TINYTORCH_INDEX_PASSWORD or give --password-file FILE", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description="Build and upload TinyTorch parts to an index.")
    parser.add_argument("--repository-url", help="upload URL (or $TINYTORCH_INDEX_URL)")
    parser.add_argument("--simple-url", help="the index's simple API (default <url>/simple/)")
    parser.add_argument("--parts", nargs="+", help="distributions or part numbers (default: all)")
    parser.add_argument("--reference", action="store_true",
                        help="publish the parts WITH their solutions (reference wheels)")
    parser.add_argument("-u", "--username", help="or $TINYTORCH_INDEX_USER / $TWINE_USERNAME")
    parser.add_argument("--password-file", type=Path,
                        help="file holding the password (else $TINYTORCH_INDEX_PASSWORD)")
    args = parser.parse_args(argv)
    try:
        target = resolve_target(args.repository_url, args.username, args.password_file,
                                simple_url=args.simple_url)
        for warning in target.warnings():
            print(f"publish: WARNING: {warning}", file=sys.stderr)
        files = publish(target, args.parts, reference=args.reference)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    print(f"publish: uploaded to {target.url}: {', '.join(f.name for f in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
