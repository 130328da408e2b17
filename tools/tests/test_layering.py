"""tools/layering.py catches every kind of forbidden edge, passes a clean tree and the real repo."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import _packages
import layering

PARTS = {
    # dist: (subpackage, dependencies)
    "tt-tensor": ("tensor", ["numpy>=1.26,<3"]),
    "tt-autograd": ("autograd", ["numpy>=1.26,<3", "tt-tensor>=0.1"]),
    "tt-nn": ("nn", ["numpy>=1.26,<3", "tt-tensor>=0.1"]),  # tt-autograd NOT declared
}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def make_part(root: Path, dist: str, subpackage: str, deps: list[str]) -> Path:
    directory = root / "packages" / dist
    write(
        directory / "pyproject.toml",
        f"""\
        [project]
        name = "{dist}"
        version = "0.1.0"
        dependencies = {deps!r}

        [project.optional-dependencies]
        test = ["pytest>=8"]
        """,
    )
    package = directory / "src" / "tinytorch" / subpackage
    write(package / "__init__.py", '"""A clean part."""\nfrom .core import VALUE\n')
    write(package / "core.py", "import math\n\nimport numpy as np\n\nVALUE = math.pi + np.pi\n")
    return package


def make_milestone(root: Path, pins: list[str]) -> Path:
    directory = root / "milestones" / "1957-perceptron"
    write(
        directory / "pyproject.toml",
        f"""\
        [project]
        name = "tt-milestone-1957-perceptron"
        version = "1.0.0"
        dependencies = {pins!r}

        [project.scripts]
        tt-1957 = "tinytorch_milestones.m1957_perceptron.__main__:main"
        """,
    )
    module = directory / "src" / "tinytorch_milestones" / "m1957_perceptron"
    write(module / "__init__.py", "")
    write(
        module / "__main__.py",
        "import argparse\n\nfrom tinytorch.tensor import VALUE\n\nfrom . import plot\n"
        "from tinytorch_milestones.m1957_perceptron.plot import draw\n",
    )
    write(module / "plot.py", "def draw():\n    return None\n")
    write(directory / "tests" / "test_run.py", "import pytest\n\nimport tinytorch_milestones\n")
    return module


@pytest.fixture
def clean_tree(tmp_path: Path) -> Path:
    for dist, (subpackage, deps) in PARTS.items():
        make_part(tmp_path, dist, subpackage, deps)
    make_milestone(tmp_path, ["tt-tensor==0.1.0"])
    return tmp_path


def reasons(root: Path) -> list[str]:
    return [v.render(root) for v in layering.check_tree(root)]


def test_clean_tree_passes(clean_tree: Path) -> None:
    assert reasons(clean_tree) == []
    assert layering.main(["--root", str(clean_tree)]) == 0


def test_forward_import_from_part1_to_part2(clean_tree: Path) -> None:
    write(
        clean_tree / "packages/tt-tensor/src/tinytorch/tensor/ops.py",
        "import numpy\n\n\ndef f():\n"
        "    from tinytorch.autograd import engine\n"
        "    return engine\n",
    )
    found = reasons(clean_tree)
    assert len(found) == 1, found
    assert "tensor/ops.py:5:" in found[0]
    assert "tinytorch.tensor -> tinytorch.autograd" in found[0]
    assert "forward import" in found[0]
    assert layering.main(["--root", str(clean_tree)]) == 1


def test_relative_forward_import_resolves_against_own_package(clean_tree: Path) -> None:
    write(
        clean_tree / "packages/tt-tensor/src/tinytorch/tensor/ops.py", "from .. import autograd\n"
    )
    found = reasons(clean_tree)
    assert len(found) == 1 and "forward import" in found[0], found


def test_undeclared_earlier_part(clean_tree: Path) -> None:
    write(
        clean_tree / "packages/tt-nn/src/tinytorch/nn/module.py",
        "import tinytorch.autograd as ag\n",
    )
    found = reasons(clean_tree)
    assert len(found) == 1, found
    assert "nn/module.py:1:" in found[0]
    assert "undeclared part" in found[0] and "tt-autograd" in found[0]


def test_undeclared_third_party(clean_tree: Path) -> None:
    write(clean_tree / "packages/tt-autograd/src/tinytorch/autograd/oracle.py", "import torch\n")
    found = reasons(clean_tree)
    assert len(found) == 1, found
    assert "undeclared third-party import: `torch`" in found[0]


def test_test_extras_do_not_license_src_imports(clean_tree: Path) -> None:
    write(clean_tree / "packages/tt-tensor/src/tinytorch/tensor/check.py", "import pytest\n")
    assert any("`pytest`" in line for line in reasons(clean_tree))


def test_dynamic_import_with_literal_name(clean_tree: Path) -> None:
    write(
        clean_tree / "packages/tt-tensor/src/tinytorch/tensor/lazy.py",
        "import importlib\n\nengine = importlib.import_module('tinytorch.nn')\n",
    )
    found = reasons(clean_tree)
    assert len(found) == 1 and "lazy.py:3:" in found[0] and "forward import" in found[0], found


def test_bare_namespace_import_and_namespace_init(clean_tree: Path) -> None:
    write(clean_tree / "packages/tt-autograd/src/tinytorch/autograd/bad.py", "import tinytorch\n")
    write(clean_tree / "packages/tt-autograd/src/tinytorch/__init__.py", "")
    found = reasons(clean_tree)
    assert any("bare `import tinytorch`" in line for line in found), found
    assert any("tinytorch/__init__.py" in line and "PEP 420" in line for line in found), found


def test_file_outside_owned_subpackage(clean_tree: Path) -> None:
    write(clean_tree / "packages/tt-tensor/src/tinytorch/nn/sneaky.py", "X = 1\n")
    found = reasons(clean_tree)
    assert len(found) == 1 and "owns only tinytorch.tensor" in found[0], found


def test_milestone_imports_only_what_it_pins(clean_tree: Path) -> None:
    module = clean_tree / "milestones/1957-perceptron/src/tinytorch_milestones/m1957_perceptron"
    write(module / "train.py", "from tinytorch import autograd\nimport matplotlib\n")
    found = reasons(clean_tree)
    assert len(found) == 2, found
    assert any("does not pin it" in line and "tt-autograd" in line for line in found)
    assert any("`matplotlib`" in line for line in found)


def test_unknown_package_is_reported(clean_tree: Path) -> None:
    write(clean_tree / "packages/tt-extra/pyproject.toml", '[project]\nname = "tt-extra"\n')
    assert any("not a part of the course map" in line for line in reasons(clean_tree))


def test_part_deps_reads_pyprojects(clean_tree: Path) -> None:
    deps = _packages.part_deps("tt-nn", clean_tree)
    assert [p.name for p in deps] == ["tt-tensor"]
    with pytest.raises(_packages.MissingPart, match="part 4 \\(tt-vision\\)"):
        _packages.part(4, clean_tree)


def test_real_repository_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, str(_packages.REPO / "tools" / "layering.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "layering: clean" in result.stdout


def test_part_declaring_a_later_part(clean_tree: Path) -> None:
    make_part(clean_tree, "tt-tensor", "tensor", ["numpy>=1.26,<3", "tt-nn>=0.1"])
    found = reasons(clean_tree)
    assert len(found) == 1, found
    assert "tt-tensor depends on tt-nn" in found[0] and "not an earlier part" in found[0]
