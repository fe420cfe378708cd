"""Faults to inject into a running System: broker outages and database outages.

By default they touch only what belongs to the system under test (its vhost, its databases),
because other people run tests on the same machine; with FAULTS_FULL=1 (CI) they stop the
whole RabbitMQ application and restart the whole PostgreSQL cluster."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time

import asyncpg

from ops.system import ADMIN_DSN, ROOT

FULL = os.environ.get("FAULTS_FULL") == "1"
PG_CLUSTER = os.environ.get("FAULTS_PG_CLUSTER", "15 main").split()


async def _run(*cmd: str, check: bool = True) -> str:
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {out.decode()[-500:]}")
    return out.decode()


async def broker_outage(vhost: str, seconds: float = 10.0) -> str:
    """Take the broker away from the system for about `seconds`; returns what was done."""
    if FULL:
        await _run("rabbitmqctl", "-q", "stop_app")
        await asyncio.sleep(seconds)
        await _run("rabbitmqctl", "-q", "start_app")
        await _run("rabbitmqctl", "-q", "await_startup")
        # The file-handle budget must have outlived start_app (ops/services-up.sh says why); said again.
        await _run("bash", str(ROOT / "ops" / "services-up.sh"))
        return f"rabbitmqctl stop_app, {seconds:.0f} s, start_app"
    deadline, closes = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        # Every client of the vhost loses its connection, again and again, for the whole window.
        await _run("rabbitmqctl", "-q", "close_all_connections", "-p", vhost, "fault injection", check=False)
        closes += 1
        await asyncio.sleep(0.5)
    return f"rabbitmqctl close_all_connections -p {vhost} x{closes} over {seconds:.0f} s"


async def broker_file_budget() -> int:
    """The broker's file-handle budget (ops/services-up.sh raises it; a restart resets it)."""
    out = await _run("rabbitmqctl", "-q", "eval", "file_handle_cache:info([total_limit]).")
    found = re.search(r"total_limit,(\d+)", out)
    assert found, out
    return int(found.group(1))


async def database_outage(databases: list[str], seconds: float = 10.0) -> str:
    """Take PostgreSQL away from the system for about `seconds`; returns what was done."""
    if FULL:
        await asyncio.to_thread(
            subprocess.run,
            ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "stop", "-m", "fast"],
            check=True,
        )
        await asyncio.sleep(seconds)
        await asyncio.to_thread(
            subprocess.run, ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "start"], check=True
        )
        await _wait_for_postgres()
        return f"pg_ctlcluster {' '.join(PG_CLUSTER)} stop, {seconds:.0f} s, start"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        for db in databases:
            await admin.execute(f'ALTER DATABASE "{db}" WITH ALLOW_CONNECTIONS false')
        deadline, terminated = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            terminated += int(
                await admin.fetchval(
                    """SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                       WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()) t""",
                    databases,
                )
            )
            await asyncio.sleep(1.0)
    finally:
        for db in databases:
            await admin.execute(f'ALTER DATABASE "{db}" WITH ALLOW_CONNECTIONS true')
        await admin.close()
    return f"ALLOW_CONNECTIONS false on {len(databases)} databases, {terminated} backends terminated, {seconds:.0f} s"


async def _wait_for_postgres(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = await asyncpg.connect(ADMIN_DSN)
            await conn.close()
            return
        except (OSError, asyncpg.PostgresError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
