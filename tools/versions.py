"""Part versions and milestone pins: bump a part, open its CHANGELOG entry, check and re-pin.

* ``bump_version(part, rule)`` runs ``hatch version RULE`` in the part (its version lives in
  ``src/tinytorch/<pkg>/_version.py``) and returns (old, new);
* ``open_changelog_entry`` puts ``## <new> (unreleased)`` at the top of the part's CHANGELOG;
* ``dependent_milestones`` are those that pin the part, or a part that needs it;
* ``repin`` rewrites a milestone's ``tt-x==V`` requirements (atomically);
* ``pin_problems`` is the CI check: every milestone's ``==`` pins equal the tree's versions.

``python tools/versions.py --check`` runs the pin check (``nox -s pins`` does too).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import solutions  # noqa: E402

RULES = ("major", "minor", "micro", "patch", "fix", "a", "alpha", "b", "beta", "rc", "c", "pre",
         "post", "r", "rev", "dev", "release")


class VersionError(ValueError):
    """A bump or re-pin cannot be done (unknown part, bad rule, hatch failed...)."""


def bump_version(part: _packages.Part, rule: str) -> tuple[str, str]:
    """``hatch version RULE`` inside the part; (old, new). RULE may be a segment or a version."""
    parts_of_rule = rule.split(",")
    if not all(r in RULES for r in parts_of_rule):
        try:
            Version(rule)
        except InvalidVersion:
            raise VersionError(f"{rule!r} is neither a version nor a bump rule "
                               f"({', '.join(RULES)}, comma-separated)") from None
    hatch = shutil.which("hatch")
    if hatch is None:
        raise VersionError("`hatch` is not on PATH (pip install hatch)")
    old = part.version
    # Inside a nox session UV_PYTHON/UV_PROJECT_ENVIRONMENT point at the session's venv; hatch
    # builds its own environment with uv and would install hatchling into the wrong one.
    # A private HATCH_DATA_DIR: hatch never reuses a build environment left by another run.
    env = {k: v for k, v in os.environ.items()
           if k not in ("UV_PYTHON", "UV_PROJECT_ENVIRONMENT")}
    with tempfile.TemporaryDirectory(prefix="tt-hatch-") as data_dir:
        done = subprocess.run([hatch, "version", rule], cwd=part.path, capture_output=True,
                              text=True, check=False, env={**env, "HATCH_DATA_DIR": data_dir})
    if done.returncode:
        raise VersionError(f"hatch version {rule} failed in {part.path}: "
                           f"{done.stderr.strip() or done.stdout.strip()}")
    new = _packages.load_part(part.spec, part.path.parent.parent).version
    if Version(new) <= Version(old):
        raise VersionError(f"{part.name}: new version {new} is not above {old}")
    return old, new


def open_changelog_entry(part: _packages.Part, version: str) -> Path:
    """Insert ``## <version> (unreleased)`` above the newest entry of the part's CHANGELOG."""
    path = part.path / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else f"# Changelog — {part.name}\n"
    heading = f"## {version}"
    if re.search(rf"^{re.escape(heading)}\b", text, re.M):
        return path  # already opened
    entry = f"{heading} (unreleased)\n- (describe the changes of this release)\n\n"
    first = re.search(r"^## ", text, re.M)
    if first:
        text = text[: first.start()] + entry + text[first.start():]
    else:
        text = text.rstrip("\n") + "\n\n" + entry
    solutions.write_atomic(path, text)
    return path


def range_conflicts(dist: str, version: str, root: Path = _packages.REPO) -> list[str]:
    """Parts whose declared range for ``dist`` (not an == pin) excludes ``version``."""
    problems = []
    for part in _packages.present_parts(root):
        for text in part.part_requirements:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if _packages.normalize(req.name) == dist and not req.specifier.contains(
                    version, prereleases=True):
                problems.append(f"{part.name} requires {text!r}, which excludes {dist} {version}: "
                                f"widen it in {part.path.name}/pyproject.toml")
    return problems


def dependent_milestones(dist: str, root: Path = _packages.REPO) -> list[_packages.Milestone]:
    """Milestones that pin ``dist`` or pin a part that needs it (transitively)."""
    found = []
    for milestone in _packages.milestones(root):
        needed = set(milestone.pins)
        for name in milestone.pins:
            try:
                needed.update(p.name for p in _packages.part_deps(name, root))
            except (KeyError, _packages.MissingPart):
                continue
        if dist in needed:
            found.append(milestone)
    return found


def repin(milestone: _packages.Milestone, versions: dict[str, str]) -> list[str]:
    """Rewrite ``dist==old`` to ``dist==new`` in the milestone's pyproject; the changes made."""
    path = milestone.path / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    changes = []
    for dist, new in versions.items():
        old = milestone.pins.get(dist)
        if dist not in milestone.pins or old == new:
            continue
        pattern = re.compile(
            r"""(["'])(""" + r"[-_.]?".join(map(re.escape, re.split(r"[-_.]", dist)))
            + r""")(\s*(?:\[[^\]]*\])?\s*)===?\s*[^"';,\s]*""", re.I)
        text, count = pattern.subn(
            lambda m, v=new: f"{m.group(1)}{m.group(2)}{m.group(3)}=={v}", text)
        if count == 0:
            raise VersionError(f"{path}: cannot find the requirement on {dist} to re-pin")
        changes.append(f"{dist} {old} -> {new}")
    if changes:
        solutions.write_atomic(path, text)
    return changes


def pin_problems(root: Path = _packages.REPO) -> list[str]:
    """Every milestone pin that is not ``==`` the tree's version, as messages naming the fix."""
    versions = {p.name: p.version for p in _packages.present_parts(root)}
    problems = []
    for milestone in _packages.milestones(root):
        where = (milestone.path / "pyproject.toml").relative_to(root)
        for dist, pin in milestone.pins.items():
            if pin is None:
                problems.append(f"{where}: {dist} is not pinned with ==; pin the version the "
                                "milestone was verified with")
            elif dist not in versions:
                problems.append(f"{where}: pins {dist}=={pin}, but {dist} is not in this tree")
            elif pin != versions[dist]:
                problems.append(
                    f"{where}: pins {dist}=={pin} but the tree has {dist} {versions[dist]}: "
                    f"run `nox -s bump -- {dist} <rule>` next time, or re-verify with "
                    f"`nox -s milestones` after setting {dist}=={versions[dist]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check milestone pins against the tree.")
    parser.add_argument("--check", action="store_true", help="check pins (the default)")
    parser.parse_args(argv)
    problems = pin_problems()
    for problem in problems:
        print(f"pins: {problem}", file=sys.stderr)
    if not problems:
        count = len(_packages.milestones())
        print(f"pins: {count} milestone(s), every pin equals the tree's version")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
