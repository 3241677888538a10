"""Presidio and spaCy load without torch and transformers (``privacy.presidio``), and leave
them importable: a scorer that needs torch, later in the same run or on another thread, gets
it as usual. In a fresh interpreter, as a run's process is."""

from __future__ import annotations

import subprocess
import sys

LATER = """
import sys, threading
from assurance_harness.privacy import presidio

presidio.load()
assert "torch" not in sys.modules and "transformers" not in sys.modules
from assurance_harness.privacy.pii import analyzer

found = analyzer().analyze("mail zelda.quux@example.org now", language="en")
assert "EMAIL_ADDRESS" in [r.entity_type for r in found], found

got = []
thread = threading.Thread(target=lambda: got.append(__import__("torch").tensor([2, 3]).sum()))
thread.start()
thread.join()
import transformers

assert int(got[0]) == 5 and transformers.__version__
print("OK")
"""

BEFORE = """
import sys
import torch
from assurance_harness.privacy import presidio

presidio.load()
import thinc.compat

assert thinc.compat.has_torch  # what was imported already is left as it is
print("OK")
"""


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_torch_and_transformers_import_as_usual_after_presidio() -> None:
    assert _python(LATER) == "OK"


def test_torch_imported_before_presidio_is_left_to_spacy() -> None:
    assert _python(BEFORE) == "OK"
