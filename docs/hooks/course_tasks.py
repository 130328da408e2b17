"""One page per task, ``tasks/<id>.md``, generated from the task declarations and the code.

A task page says what the task is worth and needs, where its solution goes (file, function,
signature), what to implement (the docstring of the function holding the solution region: its
math, shapes and hints, rendered from the Google style), how to check it
(``nox -s check -- <id>``) and which tests grade it (collapsed).

The page is built from whatever tree the site is built from. In a student release the regions
are stubs, so the page can only show stubs' docstrings and signatures; solution code is never
read into a page, except in the instructor build (``instructor=True``), which adds each region's
reference code in a collapsed block.
"""

from __future__ import annotations

import ast
import functools
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from docstring_markup import to_markdown

import solutions
import tasks as tasks_tool

try:
    import griffe
except ImportError:  # pragma: no cover - the docs build always has griffe (mkdocstrings)
    griffe = None  # type: ignore[assignment]


def task_uri(task_id: str) -> str:
    return f"tasks/{task_id}.md"


def nav_title(task: tasks_tool.Task, shared_heads: frozenset[str] = frozenset()) -> str:
    """``"2.4 topological order"``: the id and the title up to its first colon, or, when that
    head is shared by several tasks (``"rules: ..."``), the title up to a parenthesis."""
    head, colon, _ = task.title.partition(":")
    if not colon or head in shared_heads or len(head) > 40:
        head = re.split(r"\s[(;]|,\s", task.title, maxsplit=1)[0]
    if len(head) > 44:
        head = head[:42].rsplit(" ", 1)[0] + "..."
    return f"{task.id} {head}"


def shared_heads(tasks: list[tasks_tool.Task]) -> frozenset[str]:
    """Title heads (before a colon) that more than one of ``tasks`` starts with."""
    heads = [t.title.partition(":")[0] for t in tasks if ":" in t.title]
    return frozenset(h for h in heads if heads.count(h) > 1)


@dataclass(frozen=True)
class Place:
    """A function (or class) that holds, or is, a task's solution region."""

    file: str  # path inside the part's src, e.g. tinytorch/vision/im2col.py
    qualname: str  # Conv2dFunction.backward
    kind: str  # "function" or "class"
    signature: str  # the def/class line(s), dedented, without the body
    docstring: str | None


@functools.cache
def _parsed(path: Path) -> tuple[ast.Module, tuple[str, ...]]:
    text = path.read_text(encoding="utf-8")
    return ast.parse(text, filename=str(path)), tuple(text.splitlines())


Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _walk_defs(node: ast.AST, prefix: str = "") -> list[tuple[str, Definition]]:
    """Every def and class under ``node`` with its qualified name, outermost first."""
    found: list[tuple[str, Definition]] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{child.name}"
            found.append((name, child))
            found += _walk_defs(child, f"{name}.")
    return found


def _first_line(node: Definition) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _signature(node: Definition, lines: tuple[str, ...]) -> str:
    """The decorators and the def/class line(s) of ``node``, up to its body."""
    body = node.body[0]
    end = body.lineno - 1
    if isinstance(body, ast.Expr) and isinstance(body.value, ast.Constant):
        end = body.lineno - 1  # the docstring starts the body
    text = textwrap.dedent("\n".join(lines[_first_line(node) - 1:end]))
    return text.rstrip()


def places(block: solutions.Block, src: Path) -> list[Place]:
    """The function holding ``block`` (the innermost one around it) or, for a region made of
    whole definitions, those definitions."""
    tree, lines = _parsed(block.path)
    defs = _walk_defs(tree)
    around = [(name, node) for name, node in defs
              if not isinstance(node, ast.ClassDef)
              and _first_line(node) < block.begin <= node.end_lineno]
    if around:
        chosen = [around[-1]]
    else:  # whole defs in the region: the outermost ones
        inside = [(name, node) for name, node in defs
                  if block.begin < _first_line(node) and node.end_lineno < block.end]
        chosen = [(n, d) for n, d in inside
                  if not any(o is not d and n.startswith(f"{on}.") for on, o in inside)]
    file = block.path.relative_to(src).as_posix()
    owners = {name: node for name, node in defs if isinstance(node, ast.ClassDef)}
    found = []
    for name, node in chosen:
        signature, docstring = _signature(node, lines), ast.get_docstring(node)
        owner = owners.get(name.rpartition(".")[0])
        if owner is not None:  # a method: show it inside its class
            header = lines[owner.lineno - 1].strip()
            signature = f"{header}\n    ...\n" + textwrap.indent(signature, "    ")
            if node.name == "__init__" and ast.get_docstring(owner):
                docstring = "\n\n".join(filter(None, [ast.get_docstring(owner), docstring]))
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        found.append(Place(file, name, kind, signature, docstring))
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def docstring_markdown(docstring: str) -> str:
    """A Google-style docstring as Markdown: text as is, Args/Raises as tables, Returns."""
    text = to_markdown(docstring)
    if griffe is None:
        return text
    out: list[str] = []
    for section in griffe.Docstring(text).parse("google", warnings=False):
        kind = section.kind.value
        if kind == "text":
            out.append(section.value)
        elif kind in {"parameters", "other parameters"}:
            rows = [f"| `{p.name}` | {_one_line(p.description)} |" for p in section.value]
            out.append("| argument | meaning |\n|---|---|\n" + "\n".join(rows))
        elif kind in {"returns", "yields"}:
            items = [_one_line(r.description) for r in section.value]
            label = "Returns" if kind == "returns" else "Yields"
            out.append(f"**{label}:** " + " ".join(items) if len(items) == 1 else
                       f"**{label}:**\n\n" + "\n".join(f"- {i}" for i in items))
        elif kind == "raises":
            rows = [f"| `{_one_line(str(r.annotation))}` | {_one_line(r.description)} |"
                    for r in section.value]
            out.append("| raises | when |\n|---|---|\n" + "\n".join(rows))
        elif kind == "examples":
            for sub_kind, value in section.value:
                out.append(value if sub_kind.value == "text" else f"```pycon\n{value}\n```")
        elif kind == "admonition":
            title = section.title or section.value.kind
            body = textwrap.indent(section.value.contents, "    ")
            out.append(f'!!! note "{title}"\n{body}')
        else:  # attributes, warns...: their descriptions as a list
            items = getattr(section.value, "__iter__", None) and section.value
            out.append("\n".join(f"- `{getattr(i, 'name', '')}`: "
                                 f"{_one_line(getattr(i, 'description', str(i)))}"
                                 for i in items or []))
    return "\n\n".join(part for part in out if part.strip())


def _region_code(block: solutions.Block) -> str:
    _, lines = _parsed(block.path)
    return textwrap.dedent("\n".join(lines[block.begin:block.end - 1]))


def task_page(course: tasks_tool.Course, task: tasks_tool.Task, part_title: str,
              concepts_uri: str | None, instructor: bool) -> str:
    """The Markdown of one task's page."""
    part = task.part
    needs = ", ".join(f"[{n}]({n}.md)" for n in task.needs) or "nothing before it"
    used_by = [t.id for t in course.ordered() if task.id in t.needs]
    following = course.next_task(task)
    head = [
        f"# Task {task.id}: {task.title}",
        "",
        f"[Part {part.number}: {part_title}](../{concepts_uri})" if concepts_uri
        else f"Part {part.number}: {part_title}",
        "",
        "| points | needs | needed by |",
        "|---|---|---|",
        f"| {task.points:g} | {needs} | "
        f"{', '.join(f'[{u}]({u}.md)' for u in used_by) or '-'} |",
        "",
        "## What to implement",
        "",
    ]
    body: list[str] = []
    for block in task.regions:
        where = places(block, part.src)
        for place in where:
            what = "the class" if place.kind == "class" else "the body of"
            body += [
                f"### `{place.qualname}`",
                "",
                f"In `{part.path.name}/src/{place.file}`, {what} `{place.qualname}`, where "
                f"`# BEGIN SOLUTION {task.id}` stands (the stub raises "
                f"`NotImplementedError(\"{block.message}\")`):",
                "",
                "```python",
                place.signature,
                "```",
                "",
            ]
            if place.docstring:
                body += [docstring_markdown(place.docstring), ""]
        if not where:
            body += [f"In `{part.path.name}/src/{block.path.relative_to(part.src).as_posix()}`"
                     f", line {block.begin}: {block.description}.", ""]
    checks = [
        "## Check it",
        "",
        "```text",
        f"nox -s check -- {task.id}",
        "```",
        "",
        f"runs the {len(task.tests)} test function{'s' * (len(task.tests) != 1)} of this task "
        "against your tree in seconds: each passes or shows its first failure. "
        + (f"Then go on with [task {following.id}]({following.id}.md)." if following
           else "This is the last task of the course."),
        "",
        f'??? note "The tests of task {task.id} ({len(task.tests)})"',
        "",
    ]
    checks += [f"    - `{part.path.name}/{ref.nodeid}`"
               + (" (the cases tagged with this task)" if ref.dynamic else "")
               for ref in task.tests]
    checks.append("")
    if instructor:
        checks += ['??? example "Reference solution (instructor build only)"', ""]
        for block in task.regions:
            code = textwrap.indent(_region_code(block), "    ")
            checks += [f"    `{block.path.relative_to(part.src).as_posix()}`, lines "
                       f"{block.begin + 1}-{block.end - 1}:", "", "    ```python",
                       code, "    ```", ""]
    return "\n".join(head + body + checks)


def tasks_table(course: tasks_tool.Course, number: int, prefix: str = "") -> str:
    """The tasks of part ``number`` as a table linking to their pages."""
    tasks = course.tasks_of(number)
    if not tasks:
        return "_This part declares no tasks._"
    rows = ["| task | what to implement | points | needs |", "|---|---|---|---|"]
    for task in tasks:
        needs = ", ".join(f"[{n}]({prefix}tasks/{n}.md)" for n in task.needs) or "-"
        rows.append(f"| [{task.id}]({prefix}tasks/{task.id}.md) | {_one_line(task.title)} | "
                    f"{task.points:g} | {needs} |")
    total = sum(t.points for t in tasks)
    rows += ["", f"{len(tasks)} tasks, {total:g} points. `nox -s check -- {number}` runs them "
                 f"all; `nox -s progress` shows which are done."]
    return "\n".join(rows)
