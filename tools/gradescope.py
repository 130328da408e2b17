"""A Gradescope autograder bundle that grades with this same code.

    python tools/gradescope.py --part 2 [--tests private/] [--timeout S] autograder-part2.zip

The zip holds, under Gradescope's ``/autograder/source``:

* ``setup.sh``: installs bubblewrap (when missing), uv and the one torch version the tests use
  as oracle (a local wheel when there is one), then builds the grading workspace
  once (``tools/grade.py --prepare``: reference wheels, base environment, reference run) and
  deletes the graded part's solution sources, which grading no longer needs;
* ``run_autograder``: grades ``/autograder/submission`` (the student's repository as uploaded)
  with ``tools/grade.py --flat``, writing ``/autograder/results/results.json`` (and report.md);
* ``tools/`` (the grading code), ``packages/<dist>/`` of the part and the parts it needs
  (pyproject, tasks, sources, the part's tests), ``private/`` (``--tests``).

Both scripts take the root from ``$AUTOGRADER_ROOT`` (default ``/autograder``), so the bundle can
be tried on any machine against a fake autograder root (the tests do).
"""

from __future__ import annotations

import argparse
import stat
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
from grade_workspace import TRUSTED_TOOLS, uses_torch  # noqa: E402

BUNDLED_TOOLS = (*TRUSTED_TOOLS, "reports.py", "tasks.py", "solutions.py")

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once when the autograder is built (as root, in its Docker image).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
cd "$SOURCE"
if ! command -v bwrap >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    && [ -z "${{TT_NO_APT:-}}" ]; then
    apt-get update -qq && apt-get install -y -qq bubblewrap \
        || echo "setup.sh: no bubblewrap: grading will run NOT isolated"
fi
PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PYTHON="$(command -v "$candidate")"; break
    fi
done
if ! command -v uv >/dev/null; then
    "${{PYTHON:-python3}}" -m pip install --quiet uv || python3 -m pip install --quiet uv
fi
if [ -z "$PYTHON" ]; then
    uv python install 3.11 && PYTHON="$(uv python find 3.11)"
fi
echo "$PYTHON" > "$SOURCE/.python"
{torch_step}"$PYTHON" tools/grade.py --part {part} --prepare --cache "$SOURCE/workspace" {options} \
    > "$SOURCE/.workspace"
rm -rf "$SOURCE/packages/{dist}/src"   # the solution: grading no longer needs it
echo "setup.sh: workspace $(cat "$SOURCE/.workspace")"
"""

TORCH_STEP = r"""# PyTorch {torch} (CPU) is the tests' oracle: a local wheel, else fetch that one version.
found=""
for dir in "${{TINYTORCH_WHEELS:-}}" ${{PIP_FIND_LINKS:-}} /opt/wheels; do
    if [ -n "$dir" ] && compgen -G "$dir/torch-{torch}*.whl" >/dev/null; then found=1; fi
done
if [ -z "$found" ]; then
    "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: --dest "$SOURCE/wheels" \
        --index-url https://download.pytorch.org/whl/cpu "torch=={torch}" \
        && export TINYTORCH_WHEELS="$SOURCE/wheels" \
        || echo "setup.sh: no torch {torch}: the PyTorch-oracle tests will not count"
fi
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
mkdir -p "$ROOT/results"
exec "$(cat "$SOURCE/.python")" "$SOURCE/tools/grade.py" --workspace "$(cat "$SOURCE/.workspace")" \
    --flat --out "$ROOT/results" {options} "$ROOT/submission"
"""


def _add(bundle: zipfile.ZipFile, path: Path, name: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, path.read_bytes())


def _add_text(bundle: zipfile.ZipFile, text: str, name: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    bundle.writestr(info, text)


def write_bundle(part: _packages.Part, out: Path, private: Sequence[Path] = (),
                 timeout: float | None = None) -> list[str]:
    """Write the bundle zip for ``part``; returns the names it holds."""
    options = f"--timeout {timeout:g}" if timeout else ""
    prepare = options + (" --tests private" if private else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as bundle:
        torch = TORCH_STEP.format(torch=_packages.TORCH_VERSION) if uses_torch(
            [part.tests, *map(Path, private)]) else ""
        _add_text(bundle, SETUP.format(part=part.number, dist=part.name, options=prepare,
                                       torch_step=torch), "setup.sh")
        _add_text(bundle, RUN.format(options=options), "run_autograder")
        for name in BUNDLED_TOOLS:
            _add(bundle, TOOLS / name, f"tools/{name}")
        for dep in _packages.with_deps(part, part.path.parent.parent):
            wanted = ["pyproject.toml", "tasks.toml", "README.md", "src"]
            wanted += ["tests"] if dep == part else []
            for item in wanted:
                source = dep.path / item
                files = [source] if source.is_file() else sorted(
                    p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
                for file in files:
                    _add(bundle, file, f"packages/{dep.name}/{file.relative_to(dep.path)}")
        for index, path in enumerate(Path(p) for p in private):
            files = [path] if path.is_file() else sorted(
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            for file in files:
                inner = file.name if path.is_file() else file.relative_to(path).as_posix()
                _add(bundle, file, f"private/{index}/{inner}")
        names = bundle.namelist()
    tmp.replace(out)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a Gradescope autograder bundle.")
    parser.add_argument("--part", required=True, help="part number or distribution")
    parser.add_argument("--tests", type=Path, action="append", default=[],
                        help="private tests to bundle (pass/fail only)")
    parser.add_argument("--timeout", type=float, help="seconds per test")
    parser.add_argument("out", type=Path, help="the .zip to write")
    args = parser.parse_args(argv)
    try:
        part = _packages.part(int(args.part) if args.part.isdigit() else args.part)
    except (KeyError, _packages.MissingPart) as error:
        print(f"gradescope: {error}", file=sys.stderr)
        return 2
    names = write_bundle(part, args.out, args.tests, args.timeout)
    print(f"gradescope: wrote {args.out} ({len(names)} files): upload it as the autograder of "
          f"{part.label}; students submit their whole repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
