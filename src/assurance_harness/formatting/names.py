"""Names that must be unique among their siblings: a CI test per gate, keyed by its name."""

from __future__ import annotations


def unique_name(name: str, place: str, taken: set[str]) -> str:
    """A name none of ``taken`` has (which it joins): gates may share an id or a label, and a
    CI test view (or pytest-xdist) keys a test by its name, so a repeat would replace the
    first, a failed gate hidden behind a passing one. A repeat gets its ``place`` added
    (``"safety (gate 1)"``); the pytest items and junit.xml's test cases are named alike."""
    candidate = name
    while candidate in taken:
        candidate = f"{name} ({place})" if candidate == name else f"{candidate} ({place})"
    taken.add(candidate)
    return candidate
