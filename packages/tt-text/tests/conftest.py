"""Shared fixtures of the tt-text tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def shakespeare() -> str:
    """The embedded Tiny Shakespeare text (checked against its SHA-256 when read)."""
    from tinytorch.text.corpus import tiny_shakespeare

    return tiny_shakespeare()
