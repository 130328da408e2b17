"""Integrity scan: flag what no solution needs, read from a submission's code with ``ast``.

A flag does not change the score: it marks the submission "needs review" with ``file:line`` and
what was found. Findings already present in the instructor's own code (the same rule on the same
line text, counted per file) are not flags: a student inherits them with the release. The
allow-list and the rules live here, in ONE place:

* ``ALLOWED_IMPORTS``: the top-level modules a solution may import. Anything else (pytest,
  atexit, subprocess, multiprocessing, threading, signal, ctypes, socket, importlib, gc, inspect,
  os, ...) is flagged.
* ``DANGEROUS``: attributes of modules that start processes or threads, kill, exit, install
  hooks or reach frames (``os.fork``, ``os.kill``, ``os._exit``, ``sys.modules`` writes,
  ``sys._getframe``...), flagged wherever the module came from.
* ``DYNAMIC``: ``__import__``, ``eval``, ``exec``, ``compile``, ``breakpoint``.
* file writes: ``open(..., "w"/"a"/"x"/"+")`` (or a computed mode), ``Path.write_text`` and kin;
* writes to another module's attributes or to what was imported from it (``np.x = ...``,
  ``Tensor.f = ...``, ``sys.modules[...] = ...``, ``setattr(module, ...)``), to builtins;
* introspection that reaches other code's internals (``__globals__``, ``__closure__``,
  ``__subclasses__``, frame attributes).
"""

from __future__ import annotations

import ast
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ALLOWED_IMPORTS = frozenset({
    "__future__", "abc", "bisect", "collections", "contextlib", "copy", "dataclasses", "enum",
    "functools", "heapq", "itertools", "math", "numbers", "numpy", "operator", "re", "statistics",
    "string", "sys", "textwrap", "tinytorch", "types", "typing", "typing_extensions",
    "warnings", "weakref",
})
"""Top-level modules a solution may import."""

DANGEROUS = {
    "os": {"fork", "forkpty", "kill", "killpg", "_exit", "abort", "system", "popen", "execv",
           "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe", "spawnv",
           "spawnve", "spawnl", "spawnle", "spawnlp", "spawnvp", "posix_spawn", "posix_spawnp",
           "setsid", "setpgid", "setpgrp", "remove", "unlink", "rename", "replace", "rmdir",
           "removedirs", "open", "write", "dup", "dup2", "pipe", "chmod", "chown", "putenv",
           "unsetenv", "register_at_fork", "truncate", "mkfifo", "symlink", "link"},
    "sys": {"modules", "_getframe", "settrace", "setprofile", "exit", "addaudithook",
            "meta_path", "path_hooks", "path_importer_cache", "excepthook", "unraisablehook",
            "breakpointhook", "displayhook", "_current_frames", "setswitchinterval"},
    "threading": {"Thread", "Timer", "excepthook", "settrace", "setprofile"},
    "importlib": {"import_module", "reload", "__import__", "util", "machinery"},
    "builtins": {"__import__", "eval", "exec", "compile", "open", "setattr", "delattr"},
    "io": {"open", "FileIO"},
    "shutil": {"rmtree", "move", "copy", "copy2", "copyfile", "copytree"},
}
"""module -> attributes flagged wherever they are used."""

DYNAMIC = frozenset({"__import__", "eval", "exec", "compile", "breakpoint"})
INTERNALS = frozenset({"__globals__", "__code__", "__closure__", "__subclasses__",
                       "__builtins__", "f_globals", "f_locals", "f_back", "f_builtins",
                       "gi_frame", "cr_frame", "ag_frame", "tb_frame", "co_code"})
WRITE_METHODS = frozenset({"write_text", "write_bytes", "touch", "unlink", "rmdir",
                           "symlink_to", "hardlink_to"})
MUTATING = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__",
                      "__delitem__"})


@dataclass(frozen=True)
class Finding:
    """One flagged construct: where, which rule, and the line it is on."""

    path: str
    line: int
    rule: str
    detail: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.detail}"

    @property
    def signature(self) -> str:
        return f"{self.rule}|{self.detail}|{self.text}"


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.aliases: dict[str, str] = {}  # local name -> dotted origin of an import
        self.found: list[Finding] = []

    def flag(self, node: ast.AST, rule: str, detail: str) -> None:
        line = getattr(node, "lineno", 0)
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        self.found.append(Finding(self.path, line, rule, detail, text))

    # -- imports -------------------------------------------------------------------------------
    def _imported(self, node: ast.AST, module: str) -> None:
        top = module.split(".")[0]
        if top not in ALLOWED_IMPORTS:
            self.flag(node, "import", f"imports {module}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imported(node, alias.name)
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else local

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:  # relative: the package's own modules
            for alias in node.names:
                self.aliases.setdefault(alias.asname or alias.name, f".{alias.name}")
            return
        module = node.module or ""
        self._imported(node, module)
        for alias in node.names:
            origin = f"{module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = origin
            self._check_dotted(node, origin)

    # -- names and attributes ------------------------------------------------------------------
    def dotted(self, node: ast.AST) -> str | None:
        """``a.b.c`` with ``a`` resolved through the imports, or None if ``a`` is not imported."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.aliases:
            return ".".join([self.aliases[node.id], *reversed(parts)])
        if isinstance(node, ast.Name) and node.id == "__builtins__":
            return ".".join(["builtins", *reversed(parts)])
        return None

    def _check_dotted(self, node: ast.AST, dotted: str) -> None:
        module, _, rest = dotted.partition(".")
        attr = rest.split(".")[0]
        if attr and attr in DANGEROUS.get(module, ()):
            self.flag(node, "dangerous", f"uses {module}.{attr}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in INTERNALS:
            self.flag(node, "internals", f"reaches {node.attr}")
        dotted = self.dotted(node)
        if dotted is not None and isinstance(node.value, ast.Name):
            self._check_dotted(node, dotted)
        self.generic_visit(node)

    # -- calls ---------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        if name in DYNAMIC and name not in self.aliases:
            self.flag(node, "dynamic", f"calls {name}()")
        if name in ("setattr", "delattr") and node.args:
            target = self.dotted(node.args[0])
            if target is not None and not target.startswith("."):
                self.flag(node, "patch", f"{name}() on {target}")
        if name == "getattr" and len(node.args) > 1:
            attr = node.args[1]
            if isinstance(attr, ast.Constant) and attr.value in INTERNALS:
                self.flag(node, "internals", f"reaches {attr.value}")
            target = self.dotted(node.args[0])
            if target is not None and isinstance(attr, ast.Constant):
                self._check_dotted(node, f"{target}.{attr.value}")
        if name == "open" or (isinstance(func, ast.Attribute) and func.attr == "open"):
            self._check_open(node, 1 if name == "open" or self.dotted(func) else 0)
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
            self.flag(node, "file write", f"calls .{func.attr}()")
        if isinstance(func, ast.Attribute) and func.attr in MUTATING:
            target = self.dotted(func.value)
            if target is not None and target.split(".")[0] in ("sys", "builtins"):
                self.flag(node, "patch", f"changes {target}")
        self.generic_visit(node)

    def _check_open(self, node: ast.Call, mode_index: int) -> None:
        mode = next((k.value for k in node.keywords if k.arg == "mode"), None)
        if mode is None and len(node.args) > mode_index:
            mode = node.args[mode_index]
        if mode is None:
            return
        if not isinstance(mode, ast.Constant) or not isinstance(mode.value, str):
            self.flag(node, "file write", "opens a file with a computed mode")
        elif set(mode.value) & set("wax+"):
            self.flag(node, "file write", f"opens a file for writing ({mode.value!r})")

    # -- writes --------------------------------------------------------------------------------
    def _check_target(self, target: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_target(element)
            return
        if isinstance(target, ast.Starred):
            return self._check_target(target.value)
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            dotted = self.dotted(target.value)
            if dotted is not None and not dotted.startswith("."):
                shown = dotted + (f".{target.attr}" if isinstance(target, ast.Attribute)
                                  else "[...]")
                self.flag(target, "patch", f"writes {shown}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)


_PARSING = threading.Lock()
"""CPython 3.11-3.12 cannot build ASTs in two threads at once (``SystemError: AST constructor
recursion depth mismatch``), and ``grade --jobs J`` scans submissions in J threads."""


def scan_source(text: str, path: str) -> list[Finding]:
    """Findings in one file's source (a file that does not parse is itself a finding)."""
    try:
        with _PARSING:
            tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        return [Finding(path, error.lineno or 0, "syntax", f"does not parse: {error.msg}")]
    scanner = _Scanner(path, text.splitlines())
    scanner.visit(tree)
    return sorted(scanner.found, key=lambda f: (f.line, f.detail))


def scan_files(files: dict[str, bytes], prefix: str = "") -> list[Finding]:
    """Findings in ``files`` (relative path -> content), paths shown under ``prefix``."""
    found: list[Finding] = []
    for relative, content in sorted(files.items()):
        found += scan_source(content.decode("utf-8", "replace"), f"{prefix}{relative}")
    return found


def baseline(package: Path) -> dict[str, list[str]]:
    """The signatures of the findings in the instructor's package: relative path -> list."""
    files = {p.relative_to(package).as_posix(): p.read_bytes()
             for p in sorted(package.rglob("*.py")) if "__pycache__" not in p.parts}
    result: dict[str, list[str]] = {}
    for relative, content in files.items():
        signatures = [f.signature for f in scan_source(content.decode("utf-8"), relative)]
        if signatures:
            result[relative] = signatures
    return result


def flags(files: dict[str, bytes], known: dict[str, list[str]], prefix: str = "") -> list[Finding]:
    """Findings in ``files`` that the instructor's code (``known``, from ``baseline``) lacks."""
    result: list[Finding] = []
    for relative, content in sorted(files.items()):
        inherited = Counter(known.get(relative, []))
        for finding in scan_source(content.decode("utf-8", "replace"), relative):
            if inherited[finding.signature] > 0:
                inherited[finding.signature] -= 1
                continue
            result.append(Finding(f"{prefix}{relative}", finding.line, finding.rule,
                                  finding.detail, finding.text))
    return result
