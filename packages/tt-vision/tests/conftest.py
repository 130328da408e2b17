"""Oracles shared by the tests: the naive loop implementations (``naive.py``) and PyTorch.

PyTorch is an optional oracle: a test that takes the ``torch`` fixture skips without it, and is
marked ``optional`` so that the course's self-check and grading (tools/reports.py) do not count
that skip as a failure. Every task also has tests against closed forms, finite differences or
the naive loops, which always run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "optional: a skip of this test is not a failure "
                                       "(the PyTorch oracle may be absent)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.optional)


def _load_naive() -> ModuleType:
    """``naive.py`` next to this file (tests are imported by path, not as a package)."""
    path = Path(__file__).with_name("naive.py")
    spec = importlib.util.spec_from_file_location("tt_vision_naive", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def naive() -> ModuleType:
    """The naive loop oracles (float64)."""
    return _load_naive()


@pytest.fixture(scope="session")
def torch():
    """PyTorch as an oracle; tests using it are skipped when it is not installed."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float32)
    return torch


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
