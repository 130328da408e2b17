"""Make the modules in ``tools/`` importable: it is a folder of scripts, not a package."""

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
