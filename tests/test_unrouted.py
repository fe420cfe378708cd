"""Nothing published to `events` vanishes: a key no queue is bound for is kept in events.unrouted."""

from __future__ import annotations

import uuid

import aio_pika

from testkit import ADMIN_AMQP_URL, eventually


async def test_an_unknown_event_version_is_kept_in_the_unrouted_queue():
    marker = str(uuid.uuid4())
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("events")
        await exchange.publish(aio_pika.Message(b"{}", message_id=marker), routing_key="registry.org_registered.v99")
        queue = await channel.get_queue("events.unrouted")

        async def found() -> bool:
            while (msg := await queue.get(no_ack=False, fail=False)) is not None:
                if msg.message_id == marker:
                    await msg.ack()
                    return True
                await msg.ack()  # other tests' leftovers: the queue is a bounded parking lot
            return False

        assert await eventually(found, timeout=10)
    finally:
        await conn.close()
