"""The student release: a git repository with the chosen parts, stubbed or solved.

    nox -s release -- --parts 1-2 [--solved 1] OUT
    nox -s release -- --parts 1-3 --solved 1-2 OUT --patch-against OLD_RELEASE PATCH

writes ``OUT`` (new, outside this repository) holding:

* the chosen parts (``packages/<dist>``: sources, tests, tasks.toml, README, CHANGELOG), each
  stubbed (every solution region becomes the stub, tools/solutions.py) or, with ``--solved``,
  as written; later parts are absent, and a chosen part must come with the parts it needs;
* the milestones whose pinned parts are all shipped;
* student files only: a README for students and a student noxfile (tools/student/), the tools
  the student sessions need (STUDENT_TOOLS), the site's pages minus INSTRUCTOR_DOCS and minus
  ``<!-- instructor-only -->`` ... ``<!-- /instructor-only -->`` blocks, a course map made from
  the release itself (file names, no line numbers);
* a git repository with one commit.

Before anything is written, every solution line of a stubbed part is searched for in the
release (tools/leaks.py): a hit stops the release. The release appears whole or not at all.

``--patch-against OLD PATCH`` also writes PATCH: the changes from the release OLD (a previous
``OUT``) to this one, as ``git apply --3way`` takes it in a student's copy of OLD where solution
regions have been filled in (3-way: the blobs of OLD are in every copy's history). Python API:
``release(root, out, parts, solved) -> Path``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import coursemap  # noqa: E402
import leaks  # noqa: E402
import solutions  # noqa: E402
import tasks as tasks_tool  # noqa: E402

STUDENT = TOOLS / "student"
STUDENT_TOOLS = ("_packages.py", "nox_install.py", "tasks.py", "solutions.py", "check.py",
                 "part_envs.py", "pytest_task.py", "pytest_record.py", "check_installed.py")
"""What the student sessions import: the check, the part environments, the pytest plugins."""
ROOT_FILES = (".gitignore", "ruff.toml", "pytest.ini", "mkdocs.yml")
INSTRUCTOR_DOCS = {"docs/instructor-guide.md", "docs/sessions.md", "docs/benchmarks.md"}
"""Site pages for instructors: never in a release (nor linked from the student site)."""
INSTRUCTOR_BLOCK = re.compile(r"[ \t]*<!-- instructor-only -->.*?<!-- /instructor-only -->[ \t]*\n?",
                              re.S)
PART_PAGE = re.compile(r"^docs/(?:api/part(\d+)\.md|parts/part(\d+)/)")
"""A page about one part (its API or its concepts): shipped only with that part."""
NAV_PAGE = re.compile(r"^\s*-\s*[^:]+:\s*(\S+\.md)\s*$")
SKIP_DIRS = {".git", ".nox", ".tox", "dist", "build", "site", "grades", "__pycache__",
             ".pytest_cache", ".ruff_cache", ".hypothesis", ".venv", ".benchmarks"}
AUTHOR = ["-c", "user.name=TinyTorch course", "-c", "user.email=course@tinytorch.invalid",
          "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]


class ReleaseError(ValueError):
    """The release cannot be made as asked (bad parts, a leak, a region that cannot be stubbed)."""


def parse_parts(spec: str | Iterable[int], present: Iterable[int]) -> list[int]:
    """``"1-3"``, ``"1,2"``, ``"all"`` or numbers -> sorted part numbers (checked present)."""
    available = sorted(present)
    if isinstance(spec, str):
        numbers: set[int] = set()
        for piece in filter(None, spec.replace(" ", "").split(",")):
            if piece == "all":
                numbers.update(available)
                continue
            low, _, high = piece.partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                raise ReleaseError(f"cannot read parts {spec!r}: use 1-3, 1,2 or all")
            numbers.update(range(int(low), int(high or low) + 1))
    else:
        numbers = set(spec)
    missing = sorted(numbers - set(available))
    if missing:
        raise ReleaseError(f"part(s) {missing} are not in this tree (present: {available})")
    return sorted(numbers)


def repository_files(root: Path) -> list[Path]:
    """Files of ``root`` relative to it: git's tracked and untracked-not-ignored when ``root`` is
    the top of a git work tree, else a walk (a copy inside another repository's ignored
    directory, such as a test's tmp dir under ``.nox/``, is not that repository)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root,
                             capture_output=True, check=True, text=True).stdout.strip()
        if Path(top).resolve() != Path(root).resolve():
            raise FileNotFoundError(f"{root} is not the top of a git work tree")
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
        files = [Path(p) for p in listed if p]
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(root) for p in root.rglob("*") if p.is_file()]
    return sorted(p for p in files
                  if not SKIP_DIRS.intersection(p.parts) and (root / p).is_file())


def _shipped(relative: Path, dists: set[str], milestones: set[str], numbers: set[int]) -> bool:
    """Whether a repository file belongs in the release."""
    parts = relative.parts
    posix = relative.as_posix()
    if parts[0] == "packages":
        return len(parts) > 2 and parts[1] in dists
    if parts[0] == "milestones":
        return len(parts) > 2 and parts[1] in milestones
    if parts[0] == "docs":
        page = PART_PAGE.match(posix)
        return posix not in INSTRUCTOR_DOCS and (
            page is None or int(page[1] or page[2]) in numbers)
    if parts[0] == "tools":
        return len(parts) == 2 and parts[1] in STUDENT_TOOLS
    return posix in ROOT_FILES


def _student_text(relative: Path, text: str, shipped_pages: set[str]) -> str:
    """A shipped text file as students get it."""
    posix = relative.as_posix()
    if relative.suffix == ".md":
        text = INSTRUCTOR_BLOCK.sub("", text)
    if posix == "mkdocs.yml":  # the nav lists only the pages shipped
        kept = [line for line in text.splitlines(keepends=True)
                if not (m := NAV_PAGE.match(line)) or f"docs/{m[1]}" in shipped_pages]
        text = "".join(kept)
    if posix == "pytest.ini":
        text = "".join(line for line in text.splitlines(keepends=True)
                       if line.strip() != "tools/tests")
    return text


def _readme(course: tasks_tool.Course, solved: set[int],
            milestones: list[_packages.Milestone]) -> str:
    rows = ["| part | package | tasks | points | in this release |", "|---|---|---|---|---|"]
    for part in course.parts:
        part_tasks = course.tasks_of(part.number)
        state = "solved (reference code, read it)" if part.number in solved else "to do"
        rows.append(f"| {part.number} | `{part.name}` (`{part.module}`) | {len(part_tasks)} | "
                    f"{sum(t.points for t in part_tasks):g} | {state} |")
    if milestones:
        names = ", ".join(f"`{m.path.name}` (after part {coursemap.unlocked_by(m)})"
                          for m in milestones)
        milestone_line = f"Milestones in this release: {names}."
    else:
        milestone_line = "No milestone is unlocked by these parts yet."
    todo = [t for t in course.ordered() if t.decl.part not in solved] or course.ordered()
    template = string.Template((STUDENT / "README.md").read_text(encoding="utf-8"))
    return template.substitute(parts_table="\n".join(rows), milestones_line=milestone_line,
                               first_task=todo[0].id if todo else "1.1")


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *AUTHOR, *args], cwd=cwd, capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode:
        raise ReleaseError(f"git {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def release(root: Path, out: Path, parts: str | Iterable[int],
            solved: str | Iterable[int] = (), *, log=print) -> Path:
    """Write the student repository ``out`` with ``parts`` (``solved`` ones as written)."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} exists and is not empty; give a new directory")
    if out.is_relative_to(root) and not SKIP_DIRS.intersection(out.relative_to(root).parts):
        raise ReleaseError(f"{out} is inside the repository; put the release elsewhere")
    present = [p.number for p in _packages.present_parts(root)]
    numbers = parse_parts(parts, present)
    solved_set = set(parse_parts(solved, numbers)) if solved else set()
    for number in numbers:
        needs = [p.number for p in _packages.with_deps(number, root) if p.number not in numbers]
        if needs:
            raise ReleaseError(f"part {number} needs part(s) {needs}: release them too "
                               f"(--parts {min(numbers + needs)}-{max(numbers)})")
    course = tasks_tool.load_course(root, numbers)
    dists = {p.name for p in course.parts}
    shipped_milestones = [m for m in _packages.milestones(root) if m.pins and set(m.pins) <= dists]
    files = [f for f in repository_files(root)
             if _shipped(f, {p.path.name for p in course.parts},
                         {m.path.name for m in shipped_milestones}, set(numbers))]
    pages = {f.as_posix() for f in files if f.parts[0] == "docs"}
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for relative in files:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            source = root / relative
            if relative.suffix in {".md", ".yml", ".ini"}:
                text = _student_text(relative, source.read_text(encoding="utf-8"), pages)
                target.write_text(text, encoding="utf-8")
            else:
                shutil.copy2(source, target)
        stub_parts(staging, [n for n in numbers if n not in solved_set])
        (staging / "README.md").write_text(_readme(course, solved_set, shipped_milestones),
                                           encoding="utf-8")
        shutil.copy2(STUDENT / "noxfile.py", staging / "noxfile.py")
        coursemap.update(staging)
        check_no_leak(root, staging, [n for n in numbers if n not in solved_set])
        label = f"parts {numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else f"part {numbers[0]}"
        done = f" (solved: {', '.join(map(str, sorted(solved_set)))})" if solved_set else ""
        _git("-c", "init.defaultBranch=main", "init", "--quiet", cwd=staging)
        _git("add", "--all", cwd=staging)
        _git("commit", "--quiet", "-m", f"TinyTorch course release: {label}{done}", cwd=staging)
        if out.exists():
            out.rmdir()
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"release: {out}: {label}{done}, {len(files)} files from the tree, "
        f"milestones: {', '.join(m.path.name for m in shipped_milestones) or 'none'}")
    return out


def stub_parts(tree: Path, numbers: Iterable[int]) -> None:
    """Stub every solution region of parts ``numbers`` in ``tree``; a region holding
    module- or class-level statements cannot be stubbed, and would ship its solution."""
    for number in numbers:
        part = _packages.part(number, tree)
        result = solutions.stub_tree(part.src)
        if result.kept:
            where = [f"{b.path.relative_to(tree)}:{b.begin} (task {b.task})" for b, _ in result.kept]
            raise ReleaseError("these regions hold module/class-level statements, which cannot "
                               f"be stubbed (move them into a function): {', '.join(where)}")


def check_no_leak(root: Path, tree: Path, stubbed: list[int]) -> None:
    """Refuse a release in which any solution line of a stubbed part appears."""
    hits = leaks.scan_dirs([tree], leaks.needles(root, stubbed))
    if hits:
        shown = "\n  ".join(str(h).replace(str(tree) + "/", "") for h in hits[:10])
        raise ReleaseError(f"{len(hits)} solution line(s) would ship:\n  {shown}")


def write_patch(old: Path, new: Path, patch: Path) -> int:
    """Write the changes from release ``old`` to release ``new`` as a patch for
    ``git apply --3way``; returns the number of files it changes."""
    old, new = Path(old).resolve(), Path(new).resolve()
    if not (old / ".git").is_dir():
        raise ReleaseError(f"{old} is not a release (no .git): give the directory of the "
                           "release your students started from")
    with tempfile.TemporaryDirectory(prefix="tt-patch-") as tmp:
        clone = Path(tmp) / "old"
        _git("clone", "--quiet", "--no-checkout", str(old), str(clone), cwd=Path(tmp))
        env = {"GIT_DIR": str(clone / ".git"), "GIT_WORK_TREE": str(new),
               "GIT_INDEX_FILE": str(Path(tmp) / "index"), "PATH": os.environ.get("PATH", "")}
        _git("add", "--all", cwd=new, env=env)
        text = _git("diff", "--cached", "--binary", "--full-index", "HEAD", cwd=new, env=env)
        names = _git("diff", "--cached", "--name-only", "HEAD", cwd=new, env=env).split()
    patch = Path(patch).resolve()
    patch.parent.mkdir(parents=True, exist_ok=True)
    solutions.write_atomic(patch, text)
    return len(names)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="new directory for the student repository")
    parser.add_argument("--parts", default="all", help="parts to ship: 1-3, 1,2 or all")
    parser.add_argument("--solved", default="", help="parts shipped solved, e.g. 1 or 1-2")
    parser.add_argument("--patch-against", nargs=2, type=Path, metavar=("OLD", "PATCH"),
                        help="also write PATCH: the changes from release OLD to this one")
    parser.add_argument("--root", type=Path, default=_packages.REPO, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        out = release(args.root, args.out, args.parts, args.solved)
        if args.patch_against:
            old, patch = args.patch_against
            changed = write_patch(old, out, patch)
            print(f"release: {patch}: {changed} file(s) changed since {old}; students apply it "
                  "with `git apply --3way`")
    except (ReleaseError, tasks_tool.CourseError, tasks_tool.TaskDeclarationError,
            solutions.MarkerError, FileNotFoundError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
