"""Compare tests build run directories with the report tests' builder.

The builder lives in tests/report/runfixtures.py; its directory goes on sys.path here.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
