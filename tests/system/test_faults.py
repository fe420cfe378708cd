"""Fault injection: while a stream of mixed events and HTTP commands flows, kill services,
take the broker and the database away, deliver twice and out of order, feed poison — then
reconcile from the databases and the broker and fail on any difference.

Each test prints what it did and what it counted. The reconciliation is cumulative over the
module (one ledger), so every later test re-checks everything the earlier ones did.
Sizes: FAULTS_STREAM items per test (default 2000); FAULTS_FULL=1 stops the whole broker and
restarts the whole PostgreSQL cluster instead of cutting only this system's vhost/databases.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import asyncpg
import pytest

from bench.drivers import Publisher, admin_url, district_url
from ops.system import ADMIN_DSN, System
from tests.system import faults
from tests.system.conftest import VHOST
from tests.system.reconcile import Ledger, reconcile
from tests.system.stream import Stream

N = int(os.environ.get("FAULTS_STREAM", "2000"))


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger(run=int(time.time()) % 10_000)


@pytest.fixture(scope="module")
def stream(system: System, ledger: Ledger) -> Stream:
    return Stream(ledger, system["registry"].url, VHOST)


async def check(system: System, ledger: Ledger, title: str) -> None:
    report = await reconcile(system, ledger, VHOST)
    report.print(title)
    print(f"   refused commands: {dict(ledger.refused) or 0}")
    assert not report.problems, f"{len(report.problems)} differences, first: {report.problems[:5]}"


async def test_sigkill_each_service_in_turn_mid_stream_loses_nothing(system, ledger, stream):
    done: list[str] = []

    async def kill_each() -> str:
        for name in ("registry", "venture", "procurement", "notify"):
            svc = system[name]
            svc.kill()
            await asyncio.sleep(2)
            t = time.monotonic()
            svc.start()
            await svc.wait_ready()
            done.append(f"{name} (back in {time.monotonic() - t:.1f} s)")
            await asyncio.sleep(3)
        return "SIGKILL + restart: " + ", ".join(done)

    result = await stream.run(N, rate=70, fault=kill_each, fault_at=0.15, poison_every=100)
    result.print("SIGKILL each service")
    await check(system, ledger, "after SIGKILL of each service")


async def test_broker_outage_mid_stream_loses_nothing(system, ledger, stream):
    result = await stream.run(N, rate=100, fault=lambda: faults.broker_outage(VHOST, 10), fault_at=0.2)
    result.print("broker outage")
    await check(system, ledger, "after the broker outage")


async def test_database_outage_mid_stream_loses_nothing(system, ledger, stream):
    dbs = [svc.dsn.rsplit("/", 1)[1] for svc in system.services.values()]
    result = await stream.run(N, rate=100, fault=lambda: faults.database_outage(dbs, 10), fault_at=0.2)
    result.print("database outage")
    await check(system, ledger, "after the database outage")


async def test_a_batch_delivered_twice_and_out_of_order_changes_nothing(system, ledger, stream):
    """Demands and registry events published again, reversed and then shuffled, mid-stream."""
    said: list[str] = []

    async def redeliver() -> str:
        await asyncio.sleep(3)
        demands = list(stream.recent_demands[-300:])
        conn = await asyncpg.connect(ADMIN_DSN.rsplit("/", 1)[0] + "/" + system["registry"].dsn.rsplit("/", 1)[1])
        try:
            rows = await conn.fetch(
                """SELECT event_id, routing_key, payload FROM outbox WHERE published_at IS NOT NULL
                   AND routing_key LIKE 'registry.org_%' ORDER BY id DESC LIMIT 400"""
            )
        finally:
            await conn.close()
        async with Publisher(district_url(VHOST)) as district, Publisher(admin_url(VHOST)) as admin:
            for body in reversed(demands):  # twice: once more, newest first
                await district.publish_demand(body)
            for r in rows:  # registry snapshots again, newest version first
                await admin.publish(r["payload"].encode(), r["routing_key"], message_id=str(r["event_id"]))
            for r in reversed(rows):  # and a third time, oldest first
                await admin.publish(r["payload"].encode(), r["routing_key"], message_id=str(r["event_id"]))
        said.append(
            f"{len(demands)} demands again (reversed), {len(rows)} registry events twice (reversed, then in order)"
        )
        return said[0]

    result = await stream.run(N, rate=150, fault=redeliver, fault_at=0.3)
    result.print("duplicates and reordering")
    await check(system, ledger, "after duplicate and out-of-order delivery")


async def test_poison_messages_are_all_dead_lettered_answered_or_parked(system, ledger, stream):
    result = await stream.run(N, rate=200, poison_every=25)
    kinds: dict[str, int] = {}
    for p in ledger.poison:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    result.print("poison mixed in")
    print(f"   poison sent so far by kind: {json.dumps(kinds)}")
    await check(system, ledger, "after poison messages")
