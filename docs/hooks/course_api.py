"""The API reference: one generated page per part, ``api/part<N>.md``.

Each page opens with the part's package docstring (its files in course order), then its public
names (``__all__``) grouped by the file that defines them, one section per file, in the order
``__all__`` first names them, except that a part may name what opens its page (``LEAD``: part
3 opens with ``Module`` and ``Linear``, never alphabetically with ``CELU``). Then comes one
section per public subpackage (``nn.functional``, ``nn.optim``, ...). A package whose
``__all__`` is built at run time (part 1 adds its function names from a list) is documented as
one block, in ``__all__`` order. Only the tree decides what is documented: a new part, file or
name appears by itself.
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

LEAD = {3: ("Module", "Linear")}
"""Per part, the names that open its API page: their files' sections come first, and they
come first in them; everything else follows in ``__all__`` order."""


def short_title(part: _packages.Part) -> str:
    return SHORT_TITLES.get(part.number, part.name)


def api_uri(number: int) -> str:
    return f"api/part{number}.md"


def _exports(init: Path) -> tuple[list[str] | None, set[str], dict[str, str]]:
    """From a package's ``__init__.py``: ``__all__`` (None when it is not a literal list of
    strings), the names imported as submodules (``from . import data``) and, for every name
    imported from a file of the package (``from .linear import Linear``), that file."""
    tree = ast.parse(init.read_text(encoding="utf-8"))
    names: list[str] | None = []
    modules: set[str] = set()
    origin: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                if node.module is None:
                    modules.add(alias.asname or alias.name)
                else:
                    origin[alias.asname or alias.name] = node.module
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ) and isinstance(node.value, (ast.List, ast.Tuple)):
            names = []
            for element in node.value.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    names.append(element.value)
                elif (isinstance(element, ast.Starred) and isinstance(element.value, ast.Name)
                      and element.value.id in origin):  # *names imported from a file's __all__
                    module = origin[element.value.id]
                    listed = _literal_all(init.parent / f"{module.replace('.', '/')}.py")
                    names += listed
                    origin.update(dict.fromkeys(listed, module))
                else:
                    return None, modules, origin
    return names, modules, origin


def _plainly_defined(tree: ast.Module) -> set[str]:
    """Names a module defines so that griffe sees them: defs, classes, ``name = ...``, imports
    (not ``a, b = ...`` nor names made at run time)."""
    defined = {n.name for n in tree.body
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    defined |= {n.target.id for n in tree.body
                if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    defined |= {a.asname or a.name for n in tree.body
                if isinstance(n, (ast.ImportFrom, ast.Import)) for a in n.names}
    return defined


def _literal_all(path: Path) -> list[str]:
    """The string entries ``__all__`` is given in a file (``=`` and ``+=`` of literal lists)
    that the file defines plainly (a def, a class, ``name = ...``, an import): names made at run
    time cannot be documented from the source."""
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = _plainly_defined(tree)
    found: list[str] = []
    for node in tree.body:
        target = node.target if isinstance(node, ast.AugAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == "__all__" and isinstance(
                node.value, (ast.List, ast.Tuple)):
            found += [e.value for e in node.value.elts
                      if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return [name for name in found if name in defined]  # made at run time: not documentable


def _package_dir(part: _packages.Part) -> Path:
    return part.src / Path(*part.module.split("."))


def public_submodules(part: _packages.Part) -> list[str]:
    """The submodules the part's package exports (imported as modules and listed in
    ``__all__``), in ``__all__`` order. A function named like its file (``autograd.gradcheck``)
    is not a submodule."""
    names, modules, _ = _exports(_package_dir(part) / "__init__.py")
    return [f"{part.module}.{name}" for name in names or [] if name in modules]


def member_sections(part: _packages.Part) -> list[tuple[str, list[str]]] | None:
    """``[(file, [names])]``: the package's public names (neither dunders nor submodules)
    grouped by defining file, LEAD files first; None when ``__all__`` is not a literal."""
    names, modules, origin = _exports(_package_dir(part) / "__init__.py")
    if names is None:
        return None
    init = _package_dir(part) / "__init__.py"
    defined = _plainly_defined(ast.parse(init.read_text(encoding="utf-8"))) | set(origin)
    groups: dict[str, list[str]] = {}
    for name in names:
        if name.startswith("__") or name in modules or name not in defined:
            continue
        groups.setdefault(origin.get(name, ""), []).append(name)
    lead_names = [n for n in LEAD.get(part.number, ()) if n in names]
    lead = list(dict.fromkeys(origin.get(n, "") for n in lead_names))
    order = lead + [m for m in groups if m not in lead and m]
    order += [""] if "" in groups and "" not in lead else []  # aliases and such: last
    first = {n: i for i, n in enumerate(lead_names)}
    return [(module, sorted(groups[module], key=lambda n: first.get(n, len(first))))
            for module in order]


def _public_methods(tree: ast.Module, class_name: str) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return [n.name for n in node.body
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and not n.name.startswith("_")]
    return []


def assembled_classes(part: _packages.Part) -> dict[str, list[str]]:
    """Exported classes built from mixins of their own package (``Tensor`` from
    ``ArithmeticOps``, ``ShapeOps``...; ``Module`` from ``ModuleTraversal``...): name -> the
    public methods those mixins give it. A mixin is a base defined in, or imported relatively
    into, the class's file and not exported; its methods are the class's API, so the class's
    entry shows them (and not what it inherits from documented classes)."""
    package = _package_dir(part)
    names, _, origin = _exports(package / "__init__.py")
    exported = set(names or []) | set(origin)
    found: dict[str, list[str]] = {}
    for name, module in origin.items():
        path = package / f"{module.replace('.', '/')}.py"
        if not path.is_file():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.asname or a.name: n.module for n in tree.body
                    if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module
                    for a in n.names}
        here = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        for node in tree.body:
            if not (isinstance(node, ast.ClassDef) and node.name == name):
                continue
            methods: list[str] = []
            for base in (b.id for b in node.bases if isinstance(b, ast.Name)):
                if base in exported:
                    continue
                if base in here:
                    methods += _public_methods(tree, base)
                elif base in imported:
                    source = path.parent / f"{imported[base].replace('.', '/')}.py"
                    if source.is_file():
                        methods += _public_methods(ast.parse(source.read_text("utf-8")), base)
            if methods:
                found[name] = list(dict.fromkeys(methods))
    return found



def _inherited(methods: list[str]) -> list[str]:
    return [f"      inherited_members: [{', '.join(methods)}]"]
MEMBER_OPTIONS = ["    options:", "      show_root_heading: true", "      show_root_full_path: false",
                  "      heading_level: 3"]


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
    sections = member_sections(part)
    assembled = assembled_classes(part)
    if sections is None:  # one block; the assembled classes first, with what they inherit
        lines.append("")
        for name in assembled:
            lines += [f"## `{name}`", "", f"::: {part.module}.{name}", *MEMBER_OPTIONS,
                      *_inherited(assembled[name]), ""]
        skip = "".join(f', "!^{name}$"' for name in assembled)
        lines += [f"## `{part.module}`", "", f"::: {part.module}", "    options:",
                  "      show_root_heading: false", "      heading_level: 3",
                  f'      filters: ["!^_"{skip}]', ""]
    else:
        lines += ["", f"::: {part.module}", "    options:", "      members: false", ""]
        for module, names in sections:
            title = f"`{module}.py`" if module else "Also exported"
            lines += [f"## {title}", ""]
            for name in names:
                extra = _inherited(assembled[name]) if name in assembled else []
                lines += [f"::: {part.module}.{name}", *MEMBER_OPTIONS, *extra, ""]
    for module in public_submodules(part):
        lines += [f"## `{module}`", "", f"::: {module}", "    options:",
                  "      show_root_heading: false", "      heading_level: 3", ""]
    return "\n".join(lines)
