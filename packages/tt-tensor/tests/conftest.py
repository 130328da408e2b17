"""Shared fixtures for the tt-tensor tests.

PyTorch is an optional oracle: tests that compare with it take the ``torch`` fixture, which skips
when PyTorch is not installed (the isolated ``part1`` session runs without it).
"""

from __future__ import annotations

import pytest

import tinytorch.tensor as tt


@pytest.fixture(scope="session")
def torch():
    """The torch module, or skip the test when PyTorch is not installed."""
    return pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests may change the default dtype or the global seed; put both back afterwards."""
    default = tt.get_default_dtype()
    state = tt.get_rng_state()
    yield
    tt.set_default_dtype(default)
    tt.set_rng_state(state)


def pytest_collection_modifyitems(config, items):
    """Every test in this package names the course task it grades."""
    for item in items:
        if "tt-tensor" in item.path.parts and item.get_closest_marker("task") is None:
            raise pytest.UsageError(f"{item.nodeid} has no @pytest.mark.task(...)")

