"""The course's packages: which parts exist, what they need, how to build and install them.

One place knows the course map (part number, distribution, owned subpackage). Everything else is
read from the tree: a part is present when ``packages/<dist>/pyproject.toml`` exists, its
dependencies are the ``tt-*`` names in ``[project].dependencies``, its version comes from
``[project].version`` or the hatch version file. Milestones are the ``milestones/*/pyproject.toml``
packages.

Used by ``noxfile.py`` (sessions), ``tools/layering.py`` (import rules), grading and
``docs/hooks``.
``tools/`` is not a package: callers put ``tools/`` on ``sys.path`` and ``import _packages``.

Pure standard library; ``tools/nox_install.py`` builds and installs these packages in nox
sessions.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 developers need `pip install tomli`
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
"""Root of the repository this file lives in."""

TORCH_VERSION = "2.13.0"
"""The one PyTorch release the tests and benchmarks use as an oracle/anchor."""

TEST_TOOLS = ("pytest>=8", "hypothesis>=6.100", "pytest-timeout>=2.3")
"""Installed in every test session, on top of each part's own ``test`` extra."""


# --------------------------------------------------------------------------------------------
# The course map
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartSpec:
    """A part of the course as the design fixes it, whether or not it exists in the tree yet."""

    number: int
    dist: str
    subpackage: str

    @property
    def module(self) -> str:
        """The import name this part owns, e.g. ``tinytorch.nn``."""
        return f"tinytorch.{self.subpackage}"

    @property
    def label(self) -> str:
        """Human label used in messages, e.g. ``part 3 (tt-nn)``."""
        return f"part {self.number} ({self.dist})"


COURSE: tuple[PartSpec, ...] = (
    PartSpec(1, "tt-tensor", "tensor"),
    PartSpec(2, "tt-autograd", "autograd"),
    PartSpec(3, "tt-nn", "nn"),
    PartSpec(4, "tt-vision", "vision"),
    PartSpec(5, "tt-text", "text"),
    PartSpec(6, "tt-optim-systems", "systems"),
)
"""Every part, in course order. Ownership (dist -> subpackage) is what makes layering checkable."""

NAMESPACE = "tinytorch"
"""The PEP 420 namespace every part contributes one subpackage to."""


def spec_for_number(number: int) -> PartSpec:
    """The course entry for part ``number`` (1-based)."""
    for spec in COURSE:
        if spec.number == number:
            return spec
    raise KeyError(f"there is no part {number}; the course has parts 1-{len(COURSE)}")


def spec_for_dist(dist: str) -> PartSpec | None:
    """The course entry for a distribution name, or None when it is not a part."""
    wanted = normalize(dist)
    return next((spec for spec in COURSE if spec.dist == wanted), None)


def spec_for_subpackage(subpackage: str) -> PartSpec | None:
    """The part that owns ``tinytorch.<subpackage>``, or None."""
    return next((spec for spec in COURSE if spec.subpackage == subpackage), None)


# --------------------------------------------------------------------------------------------
# Reading pyproject.toml
# --------------------------------------------------------------------------------------------

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PIN = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*===?\s*([^\s,;]+)\s*(?:;|$)")
_VERSION_ASSIGN = re.compile(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", re.M)


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name (``TT_Tensor`` -> ``tt-tensor``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement string."""
    match = _NAME.match(requirement)
    if match is None:
        raise ValueError(f"cannot read a distribution name from requirement {requirement!r}")
    return normalize(match.group(1))


def requirement_pin(requirement: str) -> str | None:
    """The version of an exact ``==`` pin (``tt-tensor==0.1.0`` -> ``0.1.0``), else None."""
    match = _PIN.match(requirement)
    return match.group(1) if match else None


def read_pyproject(directory: Path) -> dict[str, Any]:
    """The parsed ``pyproject.toml`` of ``directory``."""
    with (directory / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Package:
    """A distribution in the tree with a ``pyproject.toml`` (a part or a milestone)."""

    path: Path
    pyproject: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Package:
        return cls(path=path, pyproject=read_pyproject(path))

    @property
    def project(self) -> dict[str, Any]:
        return self.pyproject.get("project", {})

    @property
    def name(self) -> str:
        """Normalised distribution name."""
        return normalize(self.project.get("name", self.path.name))

    @property
    def requirements(self) -> list[str]:
        """``[project].dependencies`` as written."""
        return list(self.project.get("dependencies", []))

    @property
    def extras(self) -> dict[str, list[str]]:
        """``[project.optional-dependencies]`` as written."""
        return {
            key: list(value) for key, value in self.project.get("optional-dependencies", {}).items()
        }

    @property
    def part_requirements(self) -> list[str]:
        """The ``tt-*`` requirement strings in ``[project].dependencies``."""
        return [req for req in self.requirements if requirement_name(req).startswith("tt-")]

    @property
    def part_dependencies(self) -> list[str]:
        """Distribution names of the parts this package declares it needs (direct only)."""
        return [requirement_name(req) for req in self.part_requirements]

    @property
    def scripts(self) -> dict[str, str]:
        """``[project.scripts]``: console script name -> ``module:function``."""
        return dict(self.project.get("scripts", {}))

    @property
    def version(self) -> str:
        """Static ``[project].version``, else the ``__version__`` in hatch's version file."""
        if "version" in self.project:
            return str(self.project["version"])
        version_path = (
            self.pyproject.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
        )
        if version_path is None:
            raise LookupError(f"{self.path}: no [project].version and no [tool.hatch.version] path")
        match = _VERSION_ASSIGN.search((self.path / version_path).read_text(encoding="utf-8"))
        if match is None:
            raise LookupError(f'{self.path / version_path}: no `__version__ = "..."` line')
        return match.group(1)


@dataclass(frozen=True)
class Part(Package):
    """A part of the course that exists in the tree."""

    spec: PartSpec = field(default=COURSE[0])

    @property
    def number(self) -> int:
        return self.spec.number

    @property
    def module(self) -> str:
        return self.spec.module

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def src(self) -> Path:
        return self.path / "src"

    @property
    def tests(self) -> Path:
        return self.path / "tests"

    def has_tests(self) -> bool:
        """True when ``tests/`` holds at least one ``test_*.py`` or ``*_test.py`` file."""
        if not self.tests.is_dir():
            return False
        return any(self.tests.rglob("test_*.py")) or any(self.tests.rglob("*_test.py"))


@dataclass(frozen=True)
class Milestone(Package):
    """A milestone package: pins (==) the exact part versions it was verified against."""

    @property
    def pins(self) -> dict[str, str | None]:
        """Part distribution -> pinned version (None when the requirement is not an == pin)."""
        return {requirement_name(req): requirement_pin(req) for req in self.part_requirements}


# --------------------------------------------------------------------------------------------
# Discovering the tree
# --------------------------------------------------------------------------------------------


class MissingPart(LookupError):
    """A part is needed (directly or as a dependency) but is not in this tree yet."""

    def __init__(self, spec: PartSpec, needed_by: str | None = None) -> None:
        self.spec = spec
        why = f", which {needed_by} needs," if needed_by else ""
        super().__init__(f"{spec.label}{why} is not in this tree yet")


def part_dir(spec: PartSpec, root: Path = REPO) -> Path:
    return root / "packages" / spec.dist


def load_part(spec: PartSpec, root: Path = REPO) -> Part:
    """The part described by ``spec``; raises MissingPart when its directory has no pyproject."""
    directory = part_dir(spec, root)
    if not (directory / "pyproject.toml").is_file():
        raise MissingPart(spec)
    return Part(path=directory, pyproject=read_pyproject(directory), spec=spec)


def present_parts(root: Path = REPO) -> list[Part]:
    """Every part that exists in the tree, in course order."""
    parts = []
    for spec in COURSE:
        try:
            parts.append(load_part(spec, root))
        except MissingPart:
            continue
    return parts


def unknown_packages(root: Path = REPO) -> list[Path]:
    """Directories under ``packages/`` with a pyproject that the course map does not know."""
    known = {spec.dist for spec in COURSE}
    return sorted(
        path.parent
        for path in (root / "packages").glob("*/pyproject.toml")
        if path.parent.name not in known
    )


def part(name_or_number: str | int, root: Path = REPO) -> Part:
    """Load a part by number (``3``) or distribution name (``"tt-nn"``)."""
    if isinstance(name_or_number, int):
        return load_part(spec_for_number(name_or_number), root)
    spec = spec_for_dist(name_or_number)
    if spec is None:
        raise KeyError(f"{name_or_number!r} is not a part of the course")
    return load_part(spec, root)


def part_deps(name: str | int | Part, root: Path = REPO) -> list[Part]:
    """The parts ``name`` needs, transitively, read from each pyproject; in course order.

    Does not include the part itself. Raises MissingPart when a needed part is not in the tree,
    and KeyError when a ``tt-*`` dependency is not a part of the course at all.
    """
    start = name if isinstance(name, Part) else part(name, root)
    found: dict[str, Part] = {}
    pending = [(dep, start.name) for dep in start.part_dependencies]
    while pending:
        dist, needed_by = pending.pop()
        if dist in found:
            continue
        spec = spec_for_dist(dist)
        if spec is None:
            raise KeyError(f"{needed_by} depends on {dist}, which is not a part of the course")
        try:
            dep = load_part(spec, root)
        except MissingPart:
            raise MissingPart(spec, needed_by) from None
        found[dist] = dep
        pending.extend((sub, dep.name) for sub in dep.part_dependencies)
    return sorted(found.values(), key=lambda p: p.number)


def with_deps(name: str | int | Part, root: Path = REPO) -> list[Part]:
    """The part itself and every part it needs, in course order."""
    start = name if isinstance(name, Part) else part(name, root)
    return [*part_deps(start, root), start]


def installable_parts(root: Path = REPO) -> tuple[list[Part], list[str]]:
    """Parts in the tree whose dependency parts are all in the tree too, and why others are not.

    A part whose dependency is missing cannot be installed from this tree's wheels (an index
    would be asked for the missing ``tt-*`` name), so sessions that install everything leave it
    out and say so.
    """
    ready, left_out = [], []
    for candidate in present_parts(root):
        try:
            part_deps(candidate, root)
        except (MissingPart, KeyError) as why:
            left_out.append(f"{candidate.label} left out: {why}")
        else:
            ready.append(candidate)
    return ready, left_out


def milestones(root: Path = REPO) -> list[Milestone]:
    """Every milestone package (``milestones/*/pyproject.toml``), sorted by directory name."""
    return [
        Milestone.load(path.parent)
        for path in sorted((root / "milestones").glob("*/pyproject.toml"))
    ]


def test_requirements(parts: Iterable[Package]) -> list[str]:
    """TEST_TOOLS plus the union of the parts' ``test`` extras, without duplicates."""
    wanted = list(TEST_TOOLS)
    for package in parts:
        for req in package.extras.get("test", []):
            if req not in wanted:
                wanted.append(req)
    return wanted


def local_torch_dir() -> str | None:
    """A local directory holding a torch==TORCH_VERSION wheel (uv does not read pip's config).

    Looked for in ``$TINYTORCH_WHEELS``, then ``$PIP_FIND_LINKS``, then ``/opt/wheels``.
    """
    candidates = [os.environ.get("TINYTORCH_WHEELS", "")]
    candidates += os.environ.get("PIP_FIND_LINKS", "").split()
    candidates.append("/opt/wheels")
    for candidate in candidates:
        if candidate and any(Path(candidate).glob(f"torch-{TORCH_VERSION}*.whl")):
            return candidate
    return None
