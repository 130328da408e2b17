"""Layering is law: check every import edge of the parts and milestones against the course map.

Rules (DESIGN.md section 2):

* part N imports ``tinytorch.<k>`` only for parts k <= N that it declares in
  ``[project].dependencies`` (its own subpackage is always fine; relative imports resolve to it);
* ``import tinytorch`` (the bare PEP 420 namespace) is forbidden, and so is any
  ``tinytorch/__init__.py`` file;
* a part ships files only under its own ``src/tinytorch/<subpackage>/``;
* a third-party import must be a declared dependency (``[project].dependencies`` or a non-test
  extra); the standard library (``sys.stdlib_module_names``) is always fine;
* a milestone imports only the parts it pins, and only declared third-party modules (its
  ``tests/`` may use any third-party test tool);
* ``importlib.import_module("...")`` and ``__import__("...")`` with a literal name count as imports.

Usage: ``python tools/layering.py [--root DIR]``. Exit 0 when clean, 1 with one line per
violation (``file:line: edge: reason``).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import _packages
from _packages import NAMESPACE, Package, normalize, requirement_name, spec_for_subpackage

IMPORT_NAMES = {
    "pillow": "PIL",
    "pyyaml": "yaml",
    "scikit-learn": "sklearn",
    "opencv-python": "cv2",
    "opencv-python-headless": "cv2",
    "beautifulsoup4": "bs4",
    "protobuf": "google",
}
"""Distributions whose import name is not their distribution name with ``-`` -> ``_``."""

TEST_EXTRAS = frozenset({"test", "tests", "testing", "dev"})
"""Extras that hold test tooling: declaring pytest there does not let ``src/`` import it."""

SKIP_DIRS = frozenset(
    {".venv", "venv", ".nox", ".tox", "build", "dist", "__pycache__", "node_modules"}
)


@dataclass(frozen=True, order=True)
class Violation:
    """One forbidden import edge (or forbidden file)."""

    path: Path
    line: int
    edge: str
    reason: str

    def render(self, root: Path) -> str:
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.edge}: {self.reason}"


@dataclass(frozen=True)
class Import:
    """An absolute module name imported at a line of a file."""

    module: str
    line: int


# --------------------------------------------------------------------------------------------
# Reading imports
# --------------------------------------------------------------------------------------------


def module_name(path: Path, source_root: Path) -> str:
    """Dotted module name of ``path`` under ``source_root`` (``__init__`` names the package)."""
    parts = list(path.relative_to(source_root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve_relative(current: str, is_package: bool, level: int, module: str | None) -> str:
    """Absolute name of ``from <level dots><module> import ...`` inside module ``current``."""
    package = current.split(".") if is_package else current.split(".")[:-1]
    if level - 1 >= len(package):
        return "." * level + (module or "")  # beyond the top: left relative, reported as unknown
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _literal_import_call(node: ast.Call) -> str | None:
    """The literal module name of ``importlib.import_module("x")`` / ``__import__("x")``."""
    func = node.func
    named = (isinstance(func, ast.Name) and func.id in {"__import__", "import_module"}) or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    if named and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        if isinstance(value, str) and not value.startswith("."):
            return value
    return None


def imports_of(path: Path, current: str) -> Iterator[Import]:
    """Every module imported by the file ``path`` whose own module name is ``current``.

    ``from package import name`` yields ``package.name`` when ``package`` is the tinytorch
    namespace (``from tinytorch import nn`` imports ``tinytorch.nn``), else ``package``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(current, is_package, node.level, node.module)
            else:
                base = node.module or ""
            if base == NAMESPACE:
                for alias in node.names:
                    yield Import(base if alias.name == "*" else f"{base}.{alias.name}", node.lineno)
            else:
                yield Import(base, node.lineno)
        elif isinstance(node, ast.Call):
            literal = _literal_import_call(node)
            if literal is not None:
                yield Import(literal, node.lineno)


def python_files(directory: Path) -> Iterator[Path]:
    """``*.py`` files under ``directory``, skipping virtualenvs, build output and caches."""
    for path in sorted(directory.rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(directory).parts[:-1]):
            yield path


# --------------------------------------------------------------------------------------------
# What each package may import
# --------------------------------------------------------------------------------------------


def import_name(distribution: str) -> str:
    """The top-level module a distribution provides (best effort, see IMPORT_NAMES)."""
    name = normalize(distribution)
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


def third_party_allowed(package: Package, *, include_test_extras: bool) -> set[str]:
    """Top-level modules of the non-``tt-*`` distributions a package declares."""
    requirements = list(package.requirements)
    for extra, reqs in package.extras.items():
        if include_test_extras or extra not in TEST_EXTRAS:
            requirements += reqs
    names = {requirement_name(req) for req in requirements}
    return {import_name(name) for name in names if not name.startswith("tt-")}


def _is_stdlib(top: str) -> bool:
    return top in sys.stdlib_module_names


def _namespace_edge(module: str) -> tuple[str | None, str | None]:
    """For ``tinytorch.x.y`` return (owning distribution, None) or (None, problem)."""
    pieces = module.split(".")
    if len(pieces) == 1:
        return None, f"bare `import {NAMESPACE}`: the namespace has no contents; import a part"
    spec = spec_for_subpackage(pieces[1])
    if spec is None:
        return None, f"no part owns {NAMESPACE}.{pieces[1]}"
    return spec.dist, None


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------


def check_part(part: _packages.Part) -> list[Violation]:
    """All violations in one part's ``src/`` tree."""
    found: list[Violation] = []
    src = part.src
    namespace_init = src / NAMESPACE / "__init__.py"
    if namespace_init.exists():
        found.append(
            Violation(
                namespace_init,
                1,
                f"{part.name} ships {NAMESPACE}/__init__.py",
                f"{NAMESPACE} is a PEP 420 namespace: no __init__.py anywhere",
            )
        )
    declared = set(part.part_dependencies)
    for dist in sorted(declared):
        spec = _packages.spec_for_dist(dist)
        if spec is None or spec.number >= part.number:
            what = (
                "not a part of the course" if spec is None else f"{spec.label}, not an earlier part"
            )
            found.append(
                Violation(part.path / "pyproject.toml", 1, f"{part.name} depends on {dist}",
                          f"a part may declare only earlier parts; {dist} is {what}")
            )  # fmt: skip
    third_party = third_party_allowed(part, include_test_extras=False)
    own_dir = src / NAMESPACE / part.spec.subpackage
    for path in python_files(src) if src.is_dir() else ():
        if path == namespace_init:
            continue
        if own_dir not in path.parents:
            found.append(
                Violation(
                    path,
                    1,
                    f"{part.name} ships {path.relative_to(src)}",
                    f"{part.label} owns only {part.module}; "
                    f"files belong in {own_dir.relative_to(part.path)}/",
                )
            )
        current = module_name(path, src)
        for imp in imports_of(path, current):
            reason = _part_edge_problem(part, imp.module, declared, third_party)
            if reason is not None:
                found.append(Violation(path, imp.line, f"{part.module} -> {imp.module}", reason))
    return found


def _part_edge_problem(
    part: _packages.Part, module: str, declared: set[str], third_party: set[str]
) -> str | None:
    top = module.split(".")[0]
    if top == NAMESPACE:
        owner, problem = _namespace_edge(module)
        if problem is not None or owner is None:
            return problem
        if owner == part.name:
            return None
        spec = _packages.spec_for_dist(owner)
        assert spec is not None
        if spec.number > part.number:
            return f"forward import: {part.label} may not import {spec.label}, a later part"
        if owner not in declared:
            return f"undeclared part: {part.name} does not list {owner} in [project].dependencies"
        return None
    if not top or top.startswith("."):
        return "relative import reaches above the top of the package"
    if _is_stdlib(top) or top in third_party:
        return None
    return f"undeclared third-party import: `{top}` is not a dependency of {part.name}"


def _own_modules(milestone: _packages.Milestone) -> tuple[Path, set[str]]:
    """The milestone's source root and every module/package name its own files define."""
    root = milestone.path / "src" if (milestone.path / "src").is_dir() else milestone.path
    names: set[str] = set()
    for path in python_files(root):
        if "tests" in path.relative_to(root).parts:
            continue
        dotted = module_name(path, root).split(".")
        names.update(".".join(dotted[: i + 1]) for i in range(len(dotted)))
    names.discard("")
    return root, names


def check_milestone(milestone: _packages.Milestone) -> list[Violation]:
    """All violations in one milestone package (its ``tests/`` may import any test tool)."""
    found: list[Violation] = []
    pinned = set(milestone.pins)
    third_party = third_party_allowed(milestone, include_test_extras=True)
    root, own = _own_modules(milestone)
    own_tops = {name.split(".")[0] for name in own}
    for path in python_files(milestone.path):
        in_tests = "tests" in path.relative_to(milestone.path).parts
        current = module_name(path, root) if root in path.parents else path.stem
        for imp in imports_of(path, current):
            reason = _milestone_edge_problem(
                milestone, imp.module, pinned, third_party, own, own_tops, in_tests
            )
            if reason is not None:
                found.append(Violation(path, imp.line, f"{milestone.name} -> {imp.module}", reason))
    return found


def _milestone_edge_problem(
    milestone: _packages.Milestone,
    module: str,
    pinned: set[str],
    third_party: set[str],
    own: set[str],
    own_tops: set[str],
    in_tests: bool,
) -> str | None:
    top = module.split(".")[0]
    if top == NAMESPACE:
        owner, problem = _namespace_edge(module)
        if problem is not None or owner is None:
            return problem
        if owner not in pinned:
            return f"milestone {milestone.name} imports {owner} but does not pin it"
        return None
    if module in own or any(name.startswith(module + ".") for name in own):
        return None
    if top in own_tops:
        return f"{module} is not provided by milestone {milestone.name} (another milestone?)"
    if not top or top.startswith("."):
        return "relative import reaches above the top of the package"
    if _is_stdlib(top) or top in third_party or in_tests or top == "conftest":
        return None
    return f"undeclared third-party import: `{top}` is not a dependency of {milestone.name}"


def check_tree(root: Path) -> list[Violation]:
    """Every layering violation in the repository at ``root``, sorted by file and line."""
    found: list[Violation] = []
    for path in _packages.unknown_packages(root):
        found.append(
            Violation(
                path / "pyproject.toml",
                1,
                path.name,
                "not a part of the course map (tools/_packages.py COURSE)",
            )
        )
    for part in _packages.present_parts(root):
        found.extend(check_part(part))
    for milestone in _packages.milestones(root):
        found.extend(check_milestone(milestone))
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=_packages.REPO, help="repository root")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    violations = check_tree(root)
    parts = _packages.present_parts(root)
    checked = ", ".join(p.name for p in parts) or "no parts"
    for violation in violations:
        print(violation.render(root))
    if violations:
        print(
            f"layering: {len(violations)} violation(s) ({checked}; "
            f"{len(_packages.milestones(root))} milestone(s) checked)"
        )
        return 1
    print(f"layering: clean ({checked}; {len(_packages.milestones(root))} milestone(s) checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
