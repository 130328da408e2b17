"""The API reference: one generated page per part, ``api/part<N>.md``.

Each page opens with the part's package (its docstring: the files in course order), then its
public names in the order the package's ``__all__`` lists them (so part 3 opens with ``Module``,
``Parameter`` and the containers, then ``Linear``: never alphabetically with ``CELU``), then one
section per public subpackage that ``__all__`` names (``nn.functional``, ``nn.optim``, ...).
Only the tree decides what is documented: a new part or subpackage appears by itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import _packages

SHORT_TITLES = {
    1: "Tensors",
    2: "Autograd",
    3: "Neural networks",
    4: "Vision",
    5: "Text and transformers",
    6: "Systems",
}
"""What each part is about, for navigation titles (the distribution name stays in the pages)."""


def short_title(part: _packages.Part) -> str:
    return SHORT_TITLES.get(part.number, part.name)


def api_uri(number: int) -> str:
    return f"api/part{number}.md"


def _exports(init: Path) -> tuple[list[str], set[str]]:
    """The string entries of ``__all__`` of a package's ``__init__.py``, and the names it
    imports as submodules (``from . import data, optim``)."""
    tree = ast.parse(init.read_text(encoding="utf-8"))
    names: list[str] = []
    modules: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
            modules.update(alias.asname or alias.name for alias in node.names)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ) and isinstance(node.value, (ast.List, ast.Tuple)):
            names = [e.value for e in node.value.elts
                     if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return names, modules


def public_submodules(part: _packages.Part) -> list[str]:
    """The submodules the part's package exports (imported as modules and listed in
    ``__all__``), in ``__all__`` order. A function named like its file (``autograd.gradcheck``)
    is not a submodule."""
    package = part.src / Path(*part.module.split("."))
    names, modules = _exports(package / "__init__.py")
    return [f"{part.module}.{name}" for name in names if name in modules]


def api_page(part: _packages.Part, concepts_uri: str | None) -> str:
    """The Markdown of a part's API page."""
    lines = [
        f"# Part {part.number} API: `{part.module}`",
        "",
        f"`pip install {part.name}` gives `import {part.module}`"
        + (f" (version {part.version})." if part.version else "."),
    ]
    if concepts_uri:
        lines.append(f"What it builds and why: [Part {part.number}: {short_title(part)}]"
                     f"(../{concepts_uri}).")
    lines += ["", f"::: {part.module}", ""]
    for module in public_submodules(part):
        lines += [f"## `{module}`", "", f"::: {module}", "    options:",
                  "      show_root_heading: false", "      heading_level: 3", ""]
    return "\n".join(lines)
