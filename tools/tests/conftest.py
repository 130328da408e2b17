"""Make the modules in ``tools/`` importable (a folder of scripts, not a package), and the
helpers next to these tests (``fakecourse``)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE.parent, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
