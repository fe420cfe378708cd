"""ops.status reports a service's outbox backlog and the lag of its queues."""

from __future__ import annotations

from typing import ClassVar

import aio_pika

from ops.status import render, service_status
from shared.contracts.base import IntegrationEvent
from shared.db import KIT_MIGRATIONS, connect, migrate
from shared.messaging import outbox
from testkit import ADMIN_AMQP_URL, fresh_database, purge_queues


class StatusProbed(IntegrationEvent):
    routing_key: ClassVar[str] = "statusprobe.probed.v1"


async def test_status_counts_pending_outbox_rows_and_waiting_messages():
    await purge_queues("statusprobe.")
    dsn = await fresh_database("statusprobe_test", "postgres")
    conn = await connect(dsn)
    try:
        await migrate(conn, [KIT_MIGRATIONS])
        async with conn.transaction():
            await outbox.add(conn, [StatusProbed(), StatusProbed(), StatusProbed()])
    finally:
        await conn.close()
    amqp = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await amqp.channel(publisher_confirms=True)
        queue = await channel.declare_queue("statusprobe.statusprobe.probed.v1", durable=True)
        for _ in range(2):
            await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=queue.name)
        status = await service_status("statusprobe", dsn, ADMIN_AMQP_URL, ["statusprobe.statusprobe.probed.v1"])
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await amqp.close()
    assert status.outbox_pending == 3 and status.oldest_pending_seconds is not None
    lags = {q.queue: q for q in status.queues}
    assert lags["statusprobe.statusprobe.probed.v1"].messages == 2
    assert lags["statusprobe.dlq"].messages is None  # never declared
    assert "outbox pending 3" in render(status)
