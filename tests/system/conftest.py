"""The whole system as processes (ops.system.System) on fresh `<service>_sys` databases and the
`sogc_system` vhost, shared by the cross-service and fault-injection tests of one session."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from ops.system import ROOT, VHOST, System, present
from testkit import PORT_OFFSET

__all__ = ["VHOST"]  # the system suites' vhost, namespaced
# Not the harness's default 18000: other suites may run a System of their own beside ours.
BASE_PORT = int(os.environ.get("SYSTEM_TEST_BASE_PORT", "18700"))


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session")
async def system() -> AsyncIterator[System]:
    if not {"registry", "venture", "procurement", "notify"} <= set(present()):
        pytest.skip(f"the system tests need all four services, found {present()}")
    busy = [
        p for p in range(BASE_PORT + PORT_OFFSET + 1, BASE_PORT + PORT_OFFSET + 1 + len(present())) if not _port_free(p)
    ]
    assert not busy, f"ports {busy} are taken: another System is running? set SYSTEM_TEST_BASE_PORT"
    started = time.monotonic()
    sys_ = System(suffix="sys", base_port=BASE_PORT, log_dir=ROOT / "var" / "system-logs" / "tests", demo_mode=True)
    try:
        await sys_.start()
        print(f"\nsystem up in {time.monotonic() - started:.1f} s: {[s.url for s in sys_.services.values()]}")
        yield sys_
    finally:
        sys_.stop()


@pytest.fixture(scope="session")
async def http(system: System) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {name: httpx.AsyncClient(base_url=svc.url, timeout=30) for name, svc in system.services.items()}
    try:
        yield clients
    finally:
        for c in clients.values():
            await c.aclose()
