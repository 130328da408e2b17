"""Fail unless every named module is imported from this environment's site-packages.

    python tools/check_installed.py tinytorch.tensor tinytorch.autograd

Sessions that test installed wheels run this from a directory outside the source tree: a module
found anywhere else (a ``src/`` on ``sys.path``, an editable install) means the tests would not
be testing the wheel a student installs.
"""

from __future__ import annotations

import importlib
import sys
import sysconfig
from pathlib import Path


def location(name: str) -> Path:
    """Where module ``name`` was loaded from (its file, or its first path for a namespace)."""
    module = importlib.import_module(name)
    where = getattr(module, "__file__", None) or next(iter(module.__path__))
    return Path(where).resolve()


def main(names: list[str]) -> int:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    bad = []
    for name in names:
        where = location(name)
        print(f"{name} -> {where}")
        if site not in where.parents:
            bad.append(f"{name} was imported from {where}, not from the installed wheel in {site}")
    for line in bad:
        print(f"error: {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
