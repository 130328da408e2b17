"""Part 1 finds the engine through the ``tinytorch.extensions`` entry point, so that
installing tt-autograd is enough (no import needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest


def test_entry_point_is_declared() -> None:
    names = {e.name: e.value for e in entry_points(group="tinytorch.extensions")}
    assert names.get("autograd") == "tinytorch.autograd.engine:register"


@pytest.mark.task("2.5")
def test_gradients_work_without_importing_autograd() -> None:
    code = (
        "import sys\n"
        "import tinytorch.tensor as tt\n"
        "assert 'tinytorch.autograd' not in sys.modules\n"
        "x = tt.ones(2, requires_grad=True)\n"
        "(x * x).sum().backward()\n"
        "assert x.grad.tolist() == [2.0, 2.0], x.grad\n"
        "print('ok')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # the same tinytorch as here
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
