"""Student release: a copy of the repository where every solution block is stubbed.

``python tools/stubs.py OUT`` (or ``nox -s stubs -- OUT``) copies the repository's files (git's
tracked and untracked-but-not-ignored files; without git, the tree minus ``.git``, ``.nox``,
``dist``, caches) into ``OUT`` and stubs every ``# BEGIN SOLUTION`` block under
``packages/*/src`` (see tools/solutions.py). ``OUT`` must not exist or be empty. The nox session
then builds the stubbed parts, installs them and checks their tests are collected without error.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import solutions  # noqa: E402

SKIP_DIRS = {".git", ".nox", ".tox", "dist", "build", "site", "grades", "__pycache__",
             ".pytest_cache", ".ruff_cache", ".hypothesis", ".venv", ".benchmarks"}


@dataclass
class Release:
    out: Path
    files: int = 0
    stubbed: list[solutions.Block] = field(default_factory=list)
    kept: list[tuple[solutions.Block, list[int]]] = field(default_factory=list)


def repository_files(root: Path) -> list[Path]:
    """Files to release, relative to ``root``: git's view when available, else a walk."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
        files = [Path(p) for p in listed if p]
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(root) for p in root.rglob("*") if p.is_file()]
    return sorted(p for p in files
                  if not SKIP_DIRS.intersection(p.parts) and (root / p).is_file())


def release(out: Path, root: Path = _packages.REPO) -> Release:
    """Write the stubbed copy of ``root`` into ``out``; returns what was stubbed and kept."""
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty; give a new directory")
    if out.is_relative_to(root.resolve()) and not SKIP_DIRS.intersection(
            out.relative_to(root.resolve()).parts):
        raise ValueError(f"{out} is inside the repository; put the release elsewhere")
    result = Release(out)
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    for relative in repository_files(root):
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
        result.files += 1
    for part in _packages.present_parts(staging):
        stubbed = solutions.stub_tree(part.src)
        result.stubbed += stubbed.stubbed
        result.kept += stubbed.kept
    if out.exists():
        out.rmdir()
    staging.rename(out)  # the release appears whole or not at all
    return result


def summary(result: Release) -> str:
    """What was stubbed, and the blocks kept (not stubbable), as text."""
    tasks = sorted({b.task for b in result.stubbed}, key=lambda t: [int(x) for x in
                                                                    t.split(".") if x.isdigit()])
    lines = [f"stub release in {result.out}: {result.files} files, "
             f"{len(result.stubbed)} blocks stubbed (tasks {', '.join(tasks) or 'none'})"]
    for block, kept in result.kept:
        lines.append(f"  kept: task {block.task} at {block.path.name}:{block.begin}: module/class-"
                     f"level statements (lines {kept[0]}-{kept[-1]}) stay as written")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="new directory for the student copy")
    args = parser.parse_args(argv)
    try:
        result = release(args.out)
    except (FileExistsError, ValueError, solutions.MarkerError) as error:
        print(f"stubs: {error}", file=sys.stderr)
        return 2
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
