"""One reusable environment per part: the part and the parts it needs, installed editable.

The student check and the audit run a part's tests many times against the sources as they are
now. An editable install (plus pytest, hypothesis, pytest-timeout) does that without building a
wheel: edits show up at once. Each environment lives in ``<root>/.nox/_parts/part<N>[-torch]``
and is rebuilt only when what it was made from changes (the parts' ``pyproject.toml``, the test
requirements, the Python, the torch flag), so the second check starts in well under a second.

Needs ``uv`` on PATH (``pip install nox uv``). ``python tools/part_envs.py N`` prints the
interpreter of part N's environment, making it if needed.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _packages  # noqa: E402

ENVS = Path(".nox") / "_parts"
STAMP = "tinytorch-env.stamp"


class EnvError(RuntimeError):
    """The environment could not be made (no uv, an install failed)."""


def _stamp(parts: list[_packages.Part], requirements: list[str], torch: bool) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part.path).encode())
        digest.update((part.path / "pyproject.toml").read_bytes())
    digest.update(repr((requirements, torch, sys.version, sys.executable)).encode())
    return digest.hexdigest()


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise EnvError(f"`{' '.join(command)}` failed:\n{(done.stderr or done.stdout)[-2000:]}")


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def ensure_env(part: _packages.Part, root: Path = _packages.REPO, *, torch: bool = False,
               log=print) -> Path:
    """The Python of part ``part``'s environment under ``root``, made or refreshed if needed."""
    parts = _packages.with_deps(part, root)
    requirements = _packages.test_requirements(parts)
    env = root / ENVS / f"part{part.number}{'-torch' if torch else ''}"
    stamp = _stamp(parts, requirements, torch)
    python = env_python(env)
    if python.is_file() and (env / STAMP).is_file() and (env / STAMP).read_text() == stamp:
        return python
    uv = shutil.which("uv")
    if uv is None:
        raise EnvError("uv is not on PATH: `python -m pip install uv` (it makes the environments)")
    log(f"making the environment of {part.label} in {env} (once; editable installs)")
    shutil.rmtree(env, ignore_errors=True)
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(env)])
    editable = [arg for p in parts for arg in ("-e", str(p.path))]
    extra: list[str] = []
    if torch:
        wheels = _packages.local_torch_dir()
        if wheels is None:
            raise EnvError(f"no local torch-{_packages.TORCH_VERSION} wheel (see "
                           "$TINYTORCH_WHEELS); run without --torch")
        extra = ["--find-links", wheels, f"torch=={_packages.TORCH_VERSION}"]
    _run([uv, "pip", "install", "--quiet", "--python", str(python), *editable, *requirements,
          *extra])
    (env / STAMP).write_text(stamp)
    return python


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: python tools/part_envs.py PART_NUMBER", file=sys.stderr)
        return 2
    try:
        print(ensure_env(_packages.part(int(argv[0])), log=lambda m: print(m, file=sys.stderr)))
    except (EnvError, LookupError) as error:
        print(f"part_envs: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
