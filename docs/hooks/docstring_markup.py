"""reStructuredText leftovers in Google-style docstrings, turned into Markdown for the site.

The code's docstrings follow the Google style, but some still carry Sphinx markup that Markdown
shows raw. This griffe extension (loaded by mkdocstrings, see mkdocs.yml) rewrites every
docstring as it is loaded, so the API pages never show it:

* cross-references ``:meth:`~pkg.mod.Class.f``` (and ``:class:``, ``:func:``, ``:mod:``,
  ``:data:``, ``:attr:``, ``:exc:``, ``:obj:``, ``:const:``, ``:py:...:``) become code that links
  to the object when the site documents it (an autorefs reference marked optional: no warning,
  plain code when the target is not on the site); ``~`` keeps only the last name, as in Sphinx;
* simple tables (rows between ``=====  =====`` rules) become Markdown tables;
* a paragraph ending in ``::`` (a literal block) ends in ``:``, and the indented block after it
  becomes a fenced code block (Python when it parses as Python).

The functions are plain string functions (tested in tools/tests/test_site.py); griffe is imported
only by the extension class.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable

ROLE = re.compile(r":(?:py:)?(?:meth|class|func|mod|data|attr|exc|obj|const|attribute|method|"
                  r"function|module|exception):`(?P<body>[^`]+)`")
RULE = re.compile(r"^(?P<indent>[ \t]*)=+(?:[ \t]+=+)+[ \t]*$")
LITERAL_INTRO = re.compile(r"^(?P<text>.*?)(?P<sep>\s?)::\s*$")

Resolver = Callable[[str], "str | None"]


def role_to_markdown(body: str, resolve: Resolver | None = None) -> str:
    """The Markdown for one role's body: ``~a.b.c`` -> ``c``, ``text <a.b>`` -> ``text``."""
    title, target = body, body
    explicit = re.match(r"^(?P<title>.*?)\s*<(?P<target>[^>]+)>$", body)
    if explicit:
        title, target = explicit["title"], explicit["target"]
    short = target.startswith("~")
    target = target.lstrip("~.!")
    if not explicit:
        title = target.rsplit(".", 1)[-1] if short else target
    if title.endswith("()"):
        title = title[:-2]
    target = target.removesuffix("()")
    code = f"<code>{title}</code>"
    identifier = resolve(target) if resolve is not None else None
    if identifier is None and "." in target:
        identifier = target
    if identifier is None:
        return f"`{title}`"
    return f'<autoref identifier="{identifier}" optional>{code}</autoref>'


def convert_roles(text: str, resolve: Resolver | None = None) -> str:
    """Every Sphinx cross-reference role of ``text`` as code (a link when it resolves)."""
    return ROLE.sub(lambda m: role_to_markdown(m["body"], resolve), text)


def _columns(rule: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"=+", rule)]


def _cells(line: str, columns: list[tuple[int, int]]) -> list[str]:
    """Split a table line at the column starts; the last column takes the rest of the line."""
    starts = [start for start, _ in columns]
    cells = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(line)
        cells.append(line[start:end].strip())
    return cells


def _markdown_table(header: list[str] | None, rows: list[list[str]], indent: str) -> list[str]:
    width = len(rows[0]) if rows else len(header or [])
    head = header or [""] * width
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [indent + line for line in out]


def convert_tables(text: str) -> str:
    """Every RST simple table of ``text`` (two or three ``===`` rules) as a Markdown table.

    A line whose first cell is empty continues the row above it; the rows between the first
    and second rule of a three-rule table are the header."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = RULE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        columns = _columns(lines[i])
        rules = [i]
        j = i + 1
        while j < len(lines) and len(rules) < 3:
            if RULE.match(lines[j]):
                rules.append(j)
                # a rule followed by a blank line (or the end) closes the table
                if j + 1 >= len(lines) or not lines[j + 1].strip():
                    break
            elif not lines[j].strip():
                break
            j += 1
        if len(rules) < 2:  # not a table after all
            out.append(lines[i])
            i += 1
            continue
        blocks: list[list[list[str]]] = []
        for start, end in zip(rules, rules[1:]):
            rows: list[list[str]] = []
            for line in lines[start + 1:end]:
                cells = _cells(line, columns)
                if rows and not cells[0]:
                    rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells)]
                else:
                    rows.append(cells)
            blocks.append(rows)
        header = blocks[0][0] if len(blocks) == 2 and len(blocks[0]) == 1 else None
        body = blocks[1] if header is not None else [row for block in blocks for row in block]
        if out and out[-1].strip():
            out.append("")
        out += _markdown_table(header, body, match["indent"])
        i = rules[-1] + 1
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _looks_like_python(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def convert_literal_blocks(text: str) -> str:
    """``Example::`` + an indented block -> ``Example:`` + a fenced code block."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        intro = LITERAL_INTRO.match(line)
        if not intro or line.strip().startswith((">>>", "#")):
            out.append(line)
            i += 1
            continue
        base = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        block_end = j
        while block_end < len(lines) and (
            not lines[block_end].strip()
            or len(lines[block_end]) - len(lines[block_end].lstrip()) > base
        ):
            block_end += 1
        while block_end > j and not lines[block_end - 1].strip():
            block_end -= 1
        if block_end == j:  # no indented block follows: leave the line alone
            out.append(line)
            i += 1
            continue
        text_part = intro["text"].rstrip()
        if text_part:
            out.append(text_part + ":")
        code = textwrap.dedent("\n".join(lines[j:block_end]))
        language = "python" if _looks_like_python(code) else "text"
        pad = " " * base
        out += ["", f"{pad}```{language}", *[pad + c if c else "" for c in code.splitlines()],
                f"{pad}```", ""]
        i = block_end
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def to_markdown(text: str, resolve: Resolver | None = None) -> str:
    """A docstring with its reStructuredText leftovers as Markdown (see the module docstring)."""
    return convert_literal_blocks(convert_tables(convert_roles(text, resolve)))


try:  # the extension class exists where griffe does (the docs build); the functions everywhere
    import griffe
except ImportError:  # pragma: no cover - tools/tests run without griffe
    griffe = None  # type: ignore[assignment]

if griffe is not None:

    class RstToMarkdown(griffe.Extension):
        """Rewrite every docstring of a package once griffe has loaded all of it (so that a
        relative name such as ``:class:`Node``` can be resolved in its module's scope)."""

        def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:
            stack: list[griffe.Object] = [pkg]
            while stack:
                obj = stack.pop()
                stack += [m for m in obj.members.values() if not m.is_alias]
                if obj.docstring is not None:
                    obj.docstring.value = to_markdown(obj.docstring.value, _resolver(obj))

    def _resolver(obj: griffe.Object) -> Resolver:
        def resolve(name: str) -> str | None:
            try:
                return obj.resolve(name)
            except Exception:  # noqa: BLE001 - a name griffe cannot place stays plain code
                return None

        return resolve
