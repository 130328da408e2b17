"""The integrity scan (tools/integrity.py) flags what no solution needs, and only what is new."""

from __future__ import annotations

import textwrap

import pytest

import integrity

FLAGGED = {
    "import atexit": "imports atexit",
    "import pytest": "imports pytest",
    "from _pytest import reports": "imports _pytest",
    "import subprocess": "imports subprocess",
    "import multiprocessing as mp": "imports multiprocessing",
    "import threading": "imports threading",
    "import signal": "imports signal",
    "import ctypes": "imports ctypes",
    "import importlib": "imports importlib",
    "import socket": "imports socket",
    "from os import fork": "uses os.fork",
    "import sys\nsys.modules['numpy'] = None": "writes sys.modules[...]",
    "import sys\nm = sys.modules['pytest_grade']": "uses sys.modules",
    "import sys\nsys._getframe(1)": "uses sys._getframe",
    "import numpy as np\nnp.testing.assert_allclose = print": "writes numpy.testing",
    "from tinytorch.tensor import Tensor\nTensor.__add__ = None": "writes tinytorch.tensor.Tensor",
    "import numpy as np\nsetattr(np, 'x', 1)": "setattr() on numpy",
    "import builtins\nbuiltins.print = None": "writes builtins.print",
    "__builtins__['len'] = None": "writes builtins",
    "x = eval('1')": "calls eval()",
    "exec('x = 1')": "calls exec()",
    "m = __import__('os')": "calls __import__()",
    "open('/tmp/x', 'w')": "opens a file for writing",
    "open('/tmp/x', mode='ab')": "opens a file for writing",
    "def f(path, mode):\n    open(path, mode)": "computed mode",
    "import pathlib\npathlib.Path('x').write_text('')": "calls .write_text()",
    "def f(g):\n    return g.__globals__": "reaches __globals__",
    "def f(g):\n    return getattr(g, '__closure__')": "reaches __closure__",
    "def f():\n    return object.__subclasses__()": "reaches __subclasses__",
}

CLEAN = """
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tinytorch.tensor import Tensor
from .engine import backward


def matmul_rule(grad: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    self_attr = {}
    self_attr["x"] = np.ones(3)
    out = np.zeros((2, 2))
    out[0] += 1
    with open("data.bin", "rb") as handle:
        handle.read()
    return grad @ b.T, a.T @ grad


class Node:
    def __init__(self, value: float) -> None:
        self.value = math.sqrt(value)
        self.parents: Sequence[Node] = ()
"""


@pytest.mark.parametrize("source", list(FLAGGED))
def test_each_rule_flags_with_file_and_line(source):
    found = integrity.scan_source(source, "autograd/engine.py")
    assert any(FLAGGED[source] in f.detail for f in found), (source, found)
    last = max(found, key=lambda f: f.line)
    assert str(last).startswith("autograd/engine.py:") and last.line >= 1


def test_honest_solution_code_is_not_flagged():
    assert integrity.scan_source(CLEAN, "x.py") == []


def test_what_the_instructor_already_wrote_is_not_a_flag(tmp_path):
    instructor = tmp_path / "pkg"
    instructor.mkdir()
    (instructor / "data.py").write_text("import os\n\ndef save(p):\n    os.replace(p, p)\n")
    known = integrity.baseline(instructor)
    student = {"data.py": textwrap.dedent("""\
        import os

        def save(p):
            os.replace(p, p)

        def cheat():
            os._exit(0)
        """).encode()}
    flags = integrity.flags(student, known, prefix="packages/tt-nn/src/tinytorch/nn/")
    assert [str(f) for f in flags] == ["packages/tt-nn/src/tinytorch/nn/data.py:7: uses os._exit"]


def test_a_file_that_does_not_parse_is_a_finding():
    found = integrity.scan_source("def f(:\n", "broken.py")
    assert [f.rule for f in found] == ["syntax"]


def test_scanning_in_parallel_threads_is_safe():
    """``grade --jobs 2`` scans two submissions at once. CPython 3.11-3.12 raise SystemError
    ("AST constructor recursion depth mismatch") when two threads at different stack depths
    build ASTs at once and a finalizer lets them switch mid-way; the scanner serialises that."""
    import gc
    import sys
    import threading
    from pathlib import Path

    source = Path(integrity.__file__).read_text() * 3
    expected = integrity.scan_source(source, "big.py")
    errors: list[str] = []

    class Finalized:
        def __del__(self) -> None:
            sum(range(10))

    def at_depth(depth: int) -> None:
        if depth:
            return at_depth(depth - 1)
        for _ in range(25):
            junk = [Finalized() for _ in range(100)]
            for item in junk:
                item.cycle = item  # collected by the GC, which runs the finalizers
            del junk
            try:
                assert integrity.scan_source(source, "big.py") == expected
            except SystemError as error:
                errors.append(str(error))
                return

    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(50, 5, 5)
    try:
        threads = [threading.Thread(target=at_depth, args=(d,)) for d in (1, 25, 1, 25)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
    assert errors == []
