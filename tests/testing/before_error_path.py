"""The http target as it was before it read ``error_path``, for tests of answers cached then."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from assurance_harness.targets.http_json import HttpJsonTarget


@contextlib.contextmanager
def http_target_before_error_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within it, the http target reads no error beside a reply's text, and the caches key on
    its fingerprint alone (which leaves the default ``error_path`` out), as the version before
    the error check did: what is cached meanwhile is what that version cached."""
    with monkeypatch.context() as earlier:
        earlier.setattr(HttpJsonTarget, "_error", lambda self, data: None)
        earlier.setattr(
            HttpJsonTarget, "cache_fingerprint", HttpJsonTarget.fingerprint, raising=False
        )
        yield
