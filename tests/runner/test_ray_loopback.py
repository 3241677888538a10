"""``--executor ray`` without an address starts a local Ray instance: every socket its
processes listen on binds loopback only (the project's rule for servers in tests, and what a
user starting a private instance on a laptop expects). Observed with Ray 2.60 (``ss -ltnp``):
the GCS, the raylet's two gRPC servers, the driver's and each worker's gRPC server listened on
``::`` (every interface) and the runtime-env agent on the machine's network address; passing
``_node_ip_address="127.0.0.1"`` changed nothing, because ``ray.init`` maps a loopback address
back to that network address."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from assurance_harness.runner.executors import get_executor

from ..testing.cli import run_project
from ..testing.project import echo_project

HOLD = """\
import sys
from assurance_harness.runner.executors import get_executor
runner = get_executor("ray")
print(runner.ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
runner.close()
"""
"""Another process's run: the executor's own local instance, held until its stdin closes; it
prints its GCS address."""


def _loopback(ip: str) -> bool:
    """127.0.0.0/8, ``::1`` or the IPv4-mapped ``::ffff:127.x.y.z`` (a dual-stack socket)."""
    address = ipaddress.ip_address(ip)
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _own_pid() -> int:
    """The process a Ray task runs in (a worker's)."""
    return os.getpid()


def _bound(pids: set[int]) -> list[tuple[str, int, int, str]]:
    """(address, port, pid, process name) of every listening TCP socket and every bound,
    unconnected UDP socket the processes ``pids`` hold."""
    found = []
    for conn in psutil.net_connections(kind="inet"):
        if conn.pid not in pids or not conn.laddr:
            continue
        listening = conn.status == psutil.CONN_LISTEN or (
            conn.type == socket.SOCK_DGRAM and not conn.raddr
        )
        if listening:
            try:
                name = psutil.Process(conn.pid).name()
            except psutil.Error:
                name = "?"
            found.append((conn.laddr.ip, conn.laddr.port, conn.pid, name))
    return found


@pytest.mark.slow
def test_a_local_ray_instance_listens_on_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    assert not ray.is_initialized()  # the instance measured is the one the executor starts
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    runner = get_executor("ray")  # the run's own path: a fresh local instance
    try:
        # A worker process: each one holds a gRPC server of its own (the run's actors do).
        worker = ray.get(ray.remote(_own_pid).remote())
        driver = psutil.Process()
        pids = {driver.pid} | {p.pid for p in driver.children(recursive=True)}
        bound = _bound(pids)
    finally:
        runner.close()
    names = {name for _, _, _, name in bound}
    # Measured, not assumed: the GCS, the raylet and the worker were seen listening.
    assert {"gcs_server", "raylet"} <= names, bound
    assert worker in {pid for _, _, pid, _ in bound}, bound
    exposed = [entry for entry in bound if not _loopback(entry[0])]
    assert not exposed, f"listening beyond loopback: {exposed}"


@pytest.mark.slow
def test_the_address_of_a_local_instance_another_run_started_is_joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its GCS address, 127.0.0.1:PORT, given as ``--ray-address`` (``auto`` finds the same one
    on the GCS process's command line, but among every instance on the machine, which makes
    it no test): Ray rewrote the 127.0.0.1 to the network address, where a loopback-only GCS
    does not listen, and retried for minutes."""
    pytest.importorskip("ray", reason="the ray extra is not installed")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    echo_project(tmp_path, suite="ray-auto-loopback")
    # One token for both processes, not the machine's shared ~/.ray/auth_token: Ray instances
    # other tests start at the same time made the join fail its authentication.
    token = {"RAY_AUTH_TOKEN": secrets.token_hex(16)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **token},
    )
    try:
        assert holder.stdout is not None
        address = holder.stdout.readline().strip()
        assert address.startswith("127.0.0.1:"), address
        proc = run_project(
            tmp_path, "--executor", "ray", "--ray-address", address, env=token, timeout=120
        )
    finally:
        holder.communicate(timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
