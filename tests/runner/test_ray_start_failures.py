"""``--executor ray`` when Ray cannot be reached or the address is wrong: one line naming the
address, where it came from and the fix, exit 2, and no run folder. Observed: an address Ray
cannot parse, or a ``ray://`` one without Ray's client package, was an "internal error" with
a crash file (exit 3); ``auto`` with no cluster read "cannot read or write a file"; and an
address nothing listens on (``RAY_ADDRESS=127.0.0.1:1``) hung for minutes while Ray's C++ log
lines scrolled by."""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..testing.cli import one_line_refusal, run_project
from ..testing.project import echo_project

pytest.importorskip("ray", reason="the ray extra is not installed")


@pytest.fixture
def ray_tmpdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A Ray temp folder of this test's own (short: Ray puts Unix sockets in it), so ``auto``
    finds no cluster another process started on this machine."""
    folder = tempfile.mkdtemp(prefix="rt", dir="/tmp")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ray_instances_running() -> bool:
    """Whether a Ray instance runs on this machine: ``auto`` finds one by its GCS process,
    whatever its temp folder, so under ``-n 2`` another worker's Ray test made the "auto with
    no cluster" case join it (exit 0; before Ray listened on loopback only, a 90 s hang)."""
    from ray._private import services

    return bool(services.find_gcs_addresses())


RAY_WAIT_S = 90
"""How long the ``auto`` case (run last, ``tests/conftest.py``) waits for the Ray instances
other tests started on the test run's other processes to stop before it skips: skipped at once,
or run among the other Ray tests, it was lost in a fresh clone's run on three processes."""


def _no_ray_instance_within(seconds: float) -> bool:
    """Whether, within ``seconds``, no Ray instance runs on this machine."""
    deadline = time.monotonic() + seconds
    while _ray_instances_running():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("option", "variable", "named"),
    [
        ("nonsense", None, "--ray-address 'nonsense'"),
        ("ray://127.0.0.1:{port}", None, "--ray-address 'ray://127.0.0.1:{port}'"),
        # Last: 'auto' joins any Ray instance up on this machine, another test's too.
        pytest.param("auto", None, "--ray-address 'auto'", marks=pytest.mark.last),
        (None, "127.0.0.1:{port}", "RAY_ADDRESS '127.0.0.1:{port}'"),
        ("127.0.0.1:{port}", None, "--ray-address '127.0.0.1:{port}'"),
    ],
)
def test_a_ray_address_that_cannot_be_used_is_one_line_exit_2(
    tmp_path: Path, ray_tmpdir: str, option: str | None, variable: str | None, named: str
) -> None:
    if option == "auto" and not _no_ray_instance_within(RAY_WAIT_S):
        pytest.skip("a Ray instance another test or process started runs here: auto joins it")
    port = _closed_port()
    echo_project(tmp_path, suite="ray-address")
    env = {"RAY_TMPDIR": ray_tmpdir}
    if variable is not None:
        env["RAY_ADDRESS"] = variable.format(port=port)
    options = ["--executor", "ray", "--no-report"]
    if option is not None:
        options += ["--ray-address", option.format(port=port)]
    proc = run_project(tmp_path, *options, env=env, timeout=90)
    line = one_line_refusal(proc)
    assert line.startswith(f"error: {named.format(port=port)}: "), line
    assert "internal error" not in line and "cannot read or write" not in line, line
    assert "--ray-address" in line and "RAY_ADDRESS" in line, line  # the fix names both
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("target", "named"),
    [
        ("type: nosuchtype\n", "t.yaml:1"),
        ("type: callable\nfunction: m:reply\nconcurrency: many\n", "t.yaml:3"),
    ],
)
def test_a_broken_target_is_refused_before_ray_starts(
    tmp_path: Path, ray_tmpdir: str, target: str, named: str
) -> None:
    """Observed: the target file was read only once the local Ray instance was up (about 14 s on
    a 2-core machine), and Ray's start-up notice came before the one line."""
    echo_project(tmp_path, suite="ray-broken-target")
    (tmp_path / "t.yaml").write_text(target, encoding="utf-8")
    proc = run_project(
        tmp_path, "--executor", "ray", "--no-report", env={"RAY_TMPDIR": ray_tmpdir}, timeout=90
    )
    started = [p.name for p in Path(ray_tmpdir).rglob("session_*")]
    assert not started, f"Ray started before the target was read: {started}"
    line = one_line_refusal(proc)
    assert line.startswith(f"error: {tmp_path / named}: "), line
    assert not (tmp_path / "reports").exists()


def test_the_ray_extra_brings_the_client_a_ray_address_needs() -> None:
    """docs/ray.md joins a cluster at ``ray://HEAD:10001``, which Ray serves only with its
    client package (``ray[client]``: grpcio): the ``ray`` extra installed Ray without it, so
    the documented command failed with "Ray Client requires pip package `ray[client]`"."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    wanted = [Requirement(text) for text in requires("assurance-harness") or []]
    ray = [
        r for r in wanted if r.name == "ray" and r.marker and r.marker.evaluate({"extra": "ray"})
    ]
    assert ray and all("client" in r.extras for r in ray), ray
    import grpc  # noqa: F401  (installed with the extra, as the client needs it)
