"""ops.reset: the services' databases and the archive are reset together, under a new epoch
that subscribers see (docs/events.md, "History")."""

from __future__ import annotations

import aio_pika
import asyncpg

from ops.archive import EPOCH_TYPE, current_epoch
from ops.reset import reset
from testkit import ADMIN_AMQP_URL, ADMIN_DSN, NAMESPACE, TEST_VHOST

SUFFIX = f"reset_{NAMESPACE or 'main'}"


async def test_a_reset_empties_the_databases_and_the_archive_and_tells_each_subscriber_queue():
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        mine = await channel.declare_queue("dongsi-grid.reset-probe", durable=True)
        await mine.purge()
        before = await current_epoch(ADMIN_AMQP_URL)
        epoch = await reset(TEST_VHOST, SUFFIX, archive_only=False, reason="test reset")
        assert epoch != before and await current_epoch(ADMIN_AMQP_URL) == epoch
        told = await mine.get(no_ack=True, fail=False)
        assert told is not None and told.type == EPOCH_TYPE and told.headers["x-epoch-id"] == epoch
        await mine.delete()
    finally:
        await conn.close()
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        for service in ("registry", "venture", "procurement", "notify"):
            name = f"{service}_{SUFFIX}"
            owner = await admin.fetchval("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name)
            assert owner == service
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()
