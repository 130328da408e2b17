"""The stubber (tools/solutions.py): every kind of block, bad markers, the real parts."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import _packages
import solutions


def stub(source: str) -> solutions.StubResult:
    return solutions.stub_text(textwrap.dedent(source))


def test_statement_run_inside_a_function_becomes_one_raise():
    result = stub('''
        def f(x):
            """Doc."""
            y = 1
            # BEGIN SOLUTION 1.3 add one to x
            y = x + 1
            y = y * 1
            # END SOLUTION
            return y
    ''')
    assert '    raise NotImplementedError("1.3: add one to x")' in result.text
    assert "x + 1" not in result.text and "return y" in result.text and '"""Doc."""' in result.text
    assert [b.task for b in result.stubbed] == ["1.3"]


def test_methods_keep_decorators_signature_and_docstring():
    result = stub('''
        class A:
            __slots__ = ()

            # BEGIN SOLUTION 1.4 unary: math
            @staticmethod
            def g(x: int,
                  y: int = 2) -> int:
                """Doc of g."""
                return x * y

            def h(self):
                return 3
            # END SOLUTION
    ''')
    tree = ast.parse(result.text)
    cls = tree.body[0]
    g, h = cls.body[1], cls.body[2]
    assert g.decorator_list and ast.get_docstring(g) == "Doc of g."
    assert [a.arg for a in g.args.args] == ["x", "y"]
    for func in (g, h):
        raise_stmt = func.body[-1]
        assert isinstance(raise_stmt, ast.Raise)
        assert "1.4: unary: math" in ast.unparse(raise_stmt)
    assert "return 3" not in result.text


def test_module_level_defs_are_stubbed_and_plain_statements_kept():
    result = stub('''
        # BEGIN SOLUTION 1.1 constants and a function
        A = 1
        def f():
            return A
        class C:
            limit = 3
            def m(self):
                return self.limit
        # END SOLUTION
    ''')
    assert "A = 1" in result.text and "limit = 3" in result.text
    assert "return A" not in result.text and "return self.limit" not in result.text
    assert [(b.task, lines) for b, lines in result.kept] == [("1.1", [3, 7])]
    namespace: dict = {}
    exec(result.text, namespace)  # still importable
    with pytest.raises(NotImplementedError, match="1.1: constants and a function"):
        namespace["f"]()


def test_only_the_requested_task_is_stubbed_and_stubbing_is_idempotent():
    source = textwrap.dedent('''
        def f():
            # BEGIN SOLUTION 1.1 one
            return 1
            # END SOLUTION

        def g():
            # BEGIN SOLUTION 1.2 two
            return 2
            # END SOLUTION
    ''')
    once = solutions.stub_text(source, tasks=["1.2"])
    assert "return 1" in once.text and "return 2" not in once.text
    assert solutions.stub_text(once.text, tasks=["1.2"]).text == once.text


@pytest.mark.parametrize("source, message", [
    ("# BEGIN SOLUTION 1.1 x\nA = 1\n", "never closed"),
    ("A = 1\n# END SOLUTION\n", "without a BEGIN"),
    ("# BEGIN SOLUTION 1.1 x\n# BEGIN SOLUTION 1.2 y\n# END SOLUTION\n", "cannot nest"),
    ("# BEGIN SOLUTION one thing\nA = 1\n# END SOLUTION\n", "task id like 1.3"),
    ("# BEGIN SOLUTION 1.1\nA = 1\n# END SOLUTION\n", "no description"),
    ("x = [\n# BEGIN SOLUTION 1.1 x\n1,\n]\ny = 2\n# END SOLUTION\n", "cuts"),
])
def test_bad_markers_are_clear_errors(source, message):
    with pytest.raises(solutions.MarkerError, match=message):
        solutions.stub_text(source)


@pytest.mark.parametrize("part", _packages.present_parts(), ids=lambda p: p.name)
def test_every_real_part_stubs_to_parsing_code(part, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(part.src, src, ignore=shutil.ignore_patterns("__pycache__"))
    result = solutions.stub_tree(src)
    for path in solutions.source_files(src):
        ast.parse(path.read_text(encoding="utf-8"))
    assert result.stubbed or result.kept or not solutions.blocks_in(part.src)


def test_the_fully_stubbed_parts_still_import(tmp_path):
    parts = _packages.present_parts()
    if not parts:
        pytest.skip("no parts in the tree")
    paths = []
    for part in parts:
        src = tmp_path / part.name / "src"
        shutil.copytree(part.src, src, ignore=shutil.ignore_patterns("__pycache__"))
        solutions.stub_tree(src)
        paths.append(str(src))
    code = "; ".join(f"import {p.module}" for p in parts)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
