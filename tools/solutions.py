"""Solution blocks: find ``# BEGIN SOLUTION <task> <description>`` ... ``# END SOLUTION`` and stub them.

A block is a run of whole statements in a part's source. Stubbing turns it into something a student
completes, keeping the module importable:

* a run of plain statements inside a function body becomes one
  ``raise NotImplementedError("<task>: <description>")`` at the block's indentation;
* a ``def`` in the block (module, class or method level, decorators included) keeps its
  decorators, signature and docstring; its body becomes that ``raise``;
* a ``class`` in the block keeps its body except that every method in it is stubbed as above;
* a plain statement at module or class level (``bool_ = DType(...)``) is KEPT: replacing it would
  break the import of everything after it. Such a block is reported as not (fully) stubbable:
  move that code into a function if it must be a student task.

The BEGIN/END comment lines stay in the stubbed file, so stubbing is idempotent and students see
where to write. Every result is checked with ``ast.parse``.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>[ \t]*)#\s*BEGIN SOLUTION\b(?P<rest>.*)$")
END = re.compile(r"^[ \t]*#\s*END SOLUTION\b")
TASK_ID = re.compile(r"^\d+(?:\.\d+)+[a-z]?$")


class MarkerError(ValueError):
    """A solution marker is malformed (unclosed, nested, no task id, no description...)."""


@dataclass(frozen=True)
class Block:
    """One ``BEGIN SOLUTION`` ... ``END SOLUTION`` block of a source file (1-based lines)."""

    path: Path
    task: str
    description: str
    begin: int  # line of the BEGIN comment
    end: int  # line of the END comment

    @property
    def message(self) -> str:
        """What the stub's NotImplementedError says: ``"<task>: <description>"``."""
        return f"{self.task}: {self.description}"

    @property
    def part(self) -> int:
        """The part number a task id starts with (``"3.2"`` -> 3)."""
        return int(self.task.split(".", 1)[0])


@dataclass
class StubResult:
    """The stubbed text of one file and what could not be stubbed."""

    text: str
    stubbed: list[Block] = field(default_factory=list)
    kept: list[tuple[Block, list[int]]] = field(default_factory=list)
    """Blocks with module/class-level plain statements left intact, and those statements' lines."""


def find_blocks(text: str, path: Path = Path("<string>")) -> list[Block]:
    """Every solution block of ``text``, in file order; MarkerError on malformed markers."""
    blocks: list[Block] = []
    open_at: tuple[int, str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if open_at is not None:
                raise MarkerError(f"{path}:{number}: BEGIN SOLUTION inside the block opened at "
                                  f"line {open_at[0]} (blocks cannot nest)")
            words = begin.group("rest").strip().split(None, 1)
            if not words or not TASK_ID.match(words[0]):
                raise MarkerError(f"{path}:{number}: expected `# BEGIN SOLUTION <task> "
                                  f"<description>` with a task id like 1.3, got {line.strip()!r}")
            if len(words) < 2:
                raise MarkerError(f"{path}:{number}: task {words[0]} has no description "
                                  "(it becomes the stub's message)")
            open_at = (number, words[0], words[1].strip())
        elif END.match(line):
            if open_at is None:
                raise MarkerError(f"{path}:{number}: END SOLUTION without a BEGIN SOLUTION")
            blocks.append(Block(path, open_at[1], open_at[2], open_at[0], number))
            open_at = None
    if open_at is not None:
        raise MarkerError(f"{path}:{open_at[0]}: BEGIN SOLUTION {open_at[1]} is never closed")
    return blocks


def _bodies(node: ast.AST) -> Iterator[tuple[ast.AST, list[ast.stmt]]]:
    """Every statement list under ``node`` with the node that owns it."""
    for name in ("body", "orelse", "finalbody"):
        body = getattr(node, name, None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            yield node, body
    for handler in getattr(node, "handlers", []) or []:
        yield handler, handler.body
    for case in getattr(node, "cases", []) or []:
        yield case, case.body


def _start(stmt: ast.stmt) -> int:
    """First line of a statement, decorators included."""
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _container(tree: ast.Module, block: Block) -> tuple[list[ast.stmt], bool]:
    """The statements inside ``block`` and whether they sit inside a function body."""

    def visit(node: ast.AST, in_function: bool) -> tuple[list[ast.stmt], bool] | None:
        for _owner, body in _bodies(node):
            inside = [s for s in body if block.begin < _start(s) and s.end_lineno < block.end]
            cut = [s for s in body if block.begin < _start(s) < block.end <= s.end_lineno]
            if inside:
                cut += [s for s in body if _start(s) < block.begin < s.end_lineno < block.end]
            if cut:
                raise MarkerError(f"{block.path}:{block.begin}: block {block.task} cuts the "
                                  f"statement at line {_start(cut[0])} in half (markers must "
                                  "surround complete statements of one body)")
            if inside:
                return inside, in_function
            for stmt in body:
                if _start(stmt) < block.begin < stmt.end_lineno:
                    func = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
                    return visit(stmt, in_function or func)
        return None

    found = visit(tree, False)
    if found is None:
        raise MarkerError(f"{block.path}:{block.begin}: block {block.task} holds no whole "
                          "statement (markers must surround complete statements)")
    statements, in_function = found
    return statements, in_function


def _raise_line(indent: str, message: str) -> str:
    return f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})"


def _indent_of(lines: list[str], lineno: int) -> str:
    line = lines[lineno - 1]
    return line[: len(line) - len(line.lstrip())]


Edit = tuple[int, int, list[str]]
"""Replace lines ``start..end`` (1-based, inclusive) by the given lines."""


def _stub_def(func: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], message: str
              ) -> Edit:
    """Keep decorators, signature and docstring of ``func``; its body becomes the raise."""
    body = func.body
    has_doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
               and isinstance(body[0].value.value, str))
    rest = body[1:] if has_doc else body
    assert func.end_lineno is not None
    if body[0].lineno == func.lineno:  # `def f(x): return x` on one line
        raise MarkerError(f"line {func.lineno}: `def {func.name}` has its body on the def line; "
                          "put the body on its own lines so it can be stubbed")
    indent = _indent_of(lines, body[0].lineno)
    if not rest:  # only a docstring: add the raise after it
        end = body[0].end_lineno
        assert end is not None
        return end + 1, end, [_raise_line(indent, message)]
    return _start(rest[0]), func.end_lineno, [_raise_line(indent, message)]


def _stub_statements(statements: Iterable[ast.stmt], lines: list[str], message: str,
                     kept: list[int]) -> list[Edit]:
    """Stub every def (and every def of every class); record plain statements in ``kept``."""
    edits: list[Edit] = []
    for stmt in statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            edits.append(_stub_def(stmt, lines, message))
        elif isinstance(stmt, ast.ClassDef):
            edits.extend(_stub_statements(stmt.body, lines, message, kept))
        elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            kept.append(stmt.lineno)  # docstrings and bare constants are not code to write
    return edits


def stub_text(text: str, path: Path = Path("<string>"), tasks: Iterable[str] | None = None
              ) -> StubResult:
    """Stub the blocks of ``text`` (only those of ``tasks`` when given); the result parses."""
    wanted = None if tasks is None else set(tasks)
    blocks = [b for b in find_blocks(text, path) if wanted is None or b.task in wanted]
    if not blocks:
        return StubResult(text)
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        raise MarkerError(f"{path}: does not parse, cannot stub: {error}") from None
    lines = text.splitlines()
    result = StubResult(text)
    edits: list[Edit] = []
    for block in blocks:
        statements, in_function = _container(tree, block)
        if in_function:
            first = _start(statements[0])
            edits.append((first, statements[-1].end_lineno or first,
                          [_raise_line(_indent_of(lines, first), block.message)]))
            result.stubbed.append(block)
            continue
        kept: list[int] = []
        try:
            block_edits = _stub_statements(statements, lines, block.message, kept)
        except MarkerError as error:
            raise MarkerError(f"{path}: {error}") from None
        edits.extend(block_edits)
        if block_edits:
            result.stubbed.append(block)
        if kept:
            result.kept.append((block, kept))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[start - 1 : end] = new
    stubbed = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
    try:
        ast.parse(stubbed, filename=str(path))
    except SyntaxError as error:  # a bug here, not in the course: say so loudly
        raise MarkerError(f"{path}: stubbing produced code that does not parse: {error}") from None
    result.text = stubbed
    return result


def source_files(src: Path) -> list[Path]:
    """The ``.py`` files of a part's ``src/`` directory, sorted."""
    return sorted(p for p in src.rglob("*.py") if "__pycache__" not in p.parts)


def blocks_in(src: Path) -> list[Block]:
    """Every solution block under ``src`` (a part's ``src/`` directory)."""
    found: list[Block] = []
    for path in source_files(src):
        text = path.read_text(encoding="utf-8")
        if "SOLUTION" in text:
            found.extend(find_blocks(text, path))
    return found


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def stub_tree(src: Path, tasks: Iterable[str] | None = None) -> StubResult:
    """Stub, in place, every block (or those of ``tasks``) of the files under ``src``.

    Returns one StubResult whose ``stubbed``/``kept`` cover every file (``text`` is empty).
    """
    wanted = None if tasks is None else list(tasks)
    total = StubResult("")
    for path in source_files(src):
        text = path.read_text(encoding="utf-8")
        if "SOLUTION" not in text:
            continue
        result = stub_text(text, path, wanted)
        if result.text != text:
            write_atomic(path, result.text)
        total.stubbed.extend(result.stubbed)
        total.kept.extend(result.kept)
    return total
