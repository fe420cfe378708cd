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
        # In turn, a few seconds apart; each restarts at once and is waited for at the end, so
        # the kills land inside the stream even when a restart under backlog is slow.
        for name in ("registry", "venture", "procurement", "notify"):
            system[name].kill()
            await asyncio.sleep(1)
            system[name].start()
            done.append(name)
            await asyncio.sleep(3)
        t = time.monotonic()
        await asyncio.gather(*(system[n].wait_ready(timeout=120) for n in done))
        return f"SIGKILL + restart, 4 s apart: {', '.join(done)}; all ready {time.monotonic() - t:.1f} s after the last"

    result = await stream.run(N, rate=40, fault=kill_each, fault_at=0.1, poison_every=100)
    result.print("SIGKILL each service")
    await check(system, ledger, "after SIGKILL of each service")


async def test_broker_outage_mid_stream_loses_nothing(system, ledger, stream):
    result = await stream.run(N, rate=60, fault=lambda: faults.broker_outage(VHOST, 10), fault_at=0.2, poison_every=100)
    result.print("broker outage")
    await check(system, ledger, "after the broker outage")
    if faults.FULL:  # start_app put the budget back to Debian's default; the outage raised it again
        assert await faults.broker_file_budget() >= 65536


async def test_duplicates_out_of_order_and_poison_change_nothing_and_lose_nothing(system, ledger, stream):
    """Demands and registry events published again (reversed, then in order) mid-stream, with
    poison mixed in: malformed JSON, wrong schema, unknown version key, not UTF-8, 900 KB bodies."""
    said: list[str] = []

    async def redeliver() -> str:
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
            for body in reversed(demands):  # a second time, newest first
                await district.publish_demand(body)
            for r in rows:  # registry snapshots a second time, newest version first
                await admin.publish(r["payload"].encode(), r["routing_key"], message_id=str(r["event_id"]))
            for r in reversed(rows):  # and a third time, oldest first
                await admin.publish(r["payload"].encode(), r["routing_key"], message_id=str(r["event_id"]))
        said.append(f"{len(demands)} demands again (reversed), {len(rows)} registry events twice more")
        return said[0]

    result = await stream.run(N, rate=150, fault=redeliver, fault_at=0.4, poison_every=25)
    kinds: dict[str, int] = {}
    for p in ledger.poison:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    result.print("duplicates, reordering and poison")
    print(f"   poison sent in this module, by kind: {json.dumps(kinds)}")
    await check(system, ledger, "after duplicates, reordering and poison")


# Last in the module: what it dead-letters stays in the dead-letter queues, and the ledger is
# cumulative, so a failure here would fail every later reconciliation too.
async def test_database_outage_mid_stream_loses_nothing(system, ledger, stream):
    dbs = [svc.dsn.rsplit("/", 1)[1] for svc in system.services.values()]
    result = await stream.run(N, rate=60, fault=lambda: faults.database_outage(dbs, 10), fault_at=0.2)
    result.print("database outage")
    await check(system, ledger, "after the database outage")
