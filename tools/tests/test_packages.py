"""tools/_packages.py reads the tree the way the sessions rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

import _packages


@pytest.mark.parametrize(
    ("requirement", "name", "pin"),
    [
        ("tt-tensor==0.1.0", "tt-tensor", "0.1.0"),
        ("TT_Autograd == 0.2.1 ; python_version >= '3.10'", "tt-autograd", "0.2.1"),
        ("tt-nn[extra]==1.0", "tt-nn", "1.0"),
        ("numpy>=1.26,<3", "numpy", None),
        ("tt-tensor>=0.1,==0.1.0", "tt-tensor", None),
    ],
)
def test_requirement_parsing(requirement: str, name: str, pin: str | None) -> None:
    assert _packages.requirement_name(requirement) == name
    assert _packages.requirement_pin(requirement) == pin


def write_part(root: Path, dist: str, deps: list[str], version: str = "0.3.0") -> None:
    spec = _packages.spec_for_dist(dist)
    assert spec is not None
    directory = root / "packages" / dist
    (directory / "src" / "tinytorch" / spec.subpackage).mkdir(parents=True)
    (directory / "src" / "tinytorch" / spec.subpackage / "_version.py").write_text(
        f'__version__ = "{version}"\n'
    )
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{dist}"\ndynamic = ["version"]\ndependencies = {deps!r}\n'
        f'[tool.hatch.version]\npath = "src/tinytorch/{spec.subpackage}/_version.py"\n'
    )


def test_transitive_deps_in_course_order(tmp_path: Path) -> None:
    write_part(tmp_path, "tt-tensor", ["numpy"])
    write_part(tmp_path, "tt-autograd", ["tt-tensor"])
    write_part(tmp_path, "tt-nn", ["tt-autograd"], version="1.2.3")
    assert [p.name for p in _packages.with_deps("tt-nn", tmp_path)] == [
        "tt-tensor",
        "tt-autograd",
        "tt-nn",
    ]
    assert _packages.part(3, tmp_path).version == "1.2.3"
    assert [p.number for p in _packages.present_parts(tmp_path)] == [1, 2, 3]


def test_missing_dependency_names_who_needs_it(tmp_path: Path) -> None:
    write_part(tmp_path, "tt-text", ["tt-tensor", "tt-nn"])
    with pytest.raises(_packages.MissingPart, match=r"part \d \(tt-\w+\), which tt-text needs"):
        _packages.part_deps("tt-text", tmp_path)


def test_real_tree_parts_have_their_course_subpackage() -> None:
    for part in _packages.present_parts():
        assert (part.src / "tinytorch" / part.spec.subpackage).is_dir(), part.label
        assert part.version
