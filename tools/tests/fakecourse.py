"""A tiny course in a temporary directory, for the tools' tests: one or two fake parts with
``tasks.toml``, solution regions and task-tagged tests (each file given as text)."""

from __future__ import annotations

import textwrap
from pathlib import Path

PYPROJECT = '''[project]
name = "{dist}"
version = "0.1.0"
dependencies = [{deps}]

[tool.pytest.ini_options]
markers = ["task(id): the course task this test grades"]
'''


def task_toml(*tasks: tuple[str, str] | tuple[str, str, list[str]]) -> str:
    """``tasks.toml`` text for (id, title[, needs]) tuples, one point each."""
    out = []
    for task in tasks:
        needs = task[2] if len(task) > 2 else []
        out.append(f'[[task]]\nid = "{task[0]}"\ntitle = "{task[1]}"\npoints = 1\n'
                   f"needs = {needs!r}\n".replace("'", '"'))
    return "\n".join(out)


def write_part(root: Path, dist: str, subpackage: str, *, tasks: str, source: str,
               tests: dict[str, str], deps: tuple[str, ...] = ()) -> Path:
    """Write ``packages/<dist>`` under ``root``: pyproject, tasks.toml, one module, tests."""
    part = root / "packages" / dist
    src = part / "src" / "tinytorch" / subpackage
    src.mkdir(parents=True)
    (part / "pyproject.toml").write_text(
        PYPROJECT.format(dist=dist, deps=", ".join(f'"{d}"' for d in deps)))
    (part / "tasks.toml").write_text(tasks)
    (src / "__init__.py").write_text(textwrap.dedent(source))
    (part / "tests").mkdir()
    for name, text in tests.items():
        (part / "tests" / name).write_text(textwrap.dedent(text))
    return part
