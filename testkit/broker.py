"""The test vhost: clean queues, a tap on the events exchange, and publishing exactly what any AMQP client could."""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aio_pika

from testkit.namespace import ADMIN_AMQP_URL
from testkit.waiting import eventually


async def purge_queues(prefix: str) -> None:
    """Delete the test vhost's queues a service named by `prefix` may have: its consumer queue
    for every known routing key and its dead-letter queue (a clean broker per test).

    Names are derived from the contracts rather than listed with rabbitmqctl, which starts an
    Erlang VM per call and takes seconds on a loaded machine; deleting a missing queue is a no-op.
    """
    from shared.contracts import EVENT_TYPES

    names = [f"{prefix}{key}" for key in EVENT_TYPES] + [f"{prefix}dlq"]
    connection = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await connection.channel()
        # Sent without waiting for each answer; a channel's methods run in order, so the last
        # delete's answer comes after every one before it was done.
        for name in names[:-1]:
            await channel.queue_delete(name, nowait=True)
        await channel.queue_delete(names[-1])
    finally:
        await connection.close()


MARKER_TYPE = "testkit.marker"


class EventTap:
    """A temporary queue bound to `events` with some keys: what a test sees on the broker.

    To show that something did *not* arrive, `settle()` rather than sleep: it sends the tap's
    queue a marker and waits for it, so whatever was routed to the tap before is in `messages`."""

    def __init__(self, *keys: str, url: str = ADMIN_AMQP_URL) -> None:
        self.keys, self.url = keys, url
        self.messages: list[aio_pika.abc.AbstractIncomingMessage] = []
        self._markers: set[str] = set()

    async def __aenter__(self) -> EventTap:
        self._conn = await aio_pika.connect(self.url)
        channel = await self._conn.channel()
        self._channel = channel
        exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
        self._queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in self.keys:
            await self._queue.bind(exchange, key)
        await self._queue.consume(self._on_message, no_ack=True)
        return self

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        if message.type == MARKER_TYPE and message.message_id is not None:
            self._markers.add(message.message_id)
        else:
            self.messages.append(message)

    async def settle(self, timeout: float = 15.0) -> None:
        """Send this tap's queue a marker (straight to the queue, so no other tap sees it) and wait
        until it arrives: a queue delivers in order, so everything routed to the tap before the
        marker is in `messages` by then. A test asserting that nothing (else) arrived calls this
        after the thing under test, then asserts."""
        marker = uuid.uuid4().hex
        message = aio_pika.Message(b"", type=MARKER_TYPE, message_id=marker)
        await self._channel.default_exchange.publish(message, routing_key=self._queue.name)
        await eventually(lambda: asyncio.sleep(0, result=marker in self._markers), timeout=timeout)

    def bodies(self, routing_key: str | None = None) -> list[dict[str, Any]]:
        return [json.loads(m.body) for m in self.messages if routing_key in (None, m.routing_key)]

    async def wait_for(self, routing_key: str, n: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            found = self.bodies(routing_key)
            return found if len(found) >= n else []

        return await eventually(enough, timeout=timeout)

    async def __aexit__(self, *exc: object) -> None:
        await self._conn.close()


class RawTimestamp(int):
    """An AMQP timestamp sent as its raw 64 bits, whatever date (if any) it stands for."""


@contextmanager
def raw_timestamps() -> Iterator[None]:
    """Let RawTimestamp values through pamqp's encoder, as the `timestamp` property and as header
    values: tests send what other AMQP clients can send and pamqp itself refuses to encode."""
    import pamqp.encode as enc

    original_timestamp, original_value = enc.METHODS["timestamp"], enc.encode_table_value

    def timestamp(value: Any) -> bytes:
        return struct.pack(">Q", value) if isinstance(value, RawTimestamp) else original_timestamp(value)

    def table_value(value: Any) -> bytes:
        return b"T" + struct.pack(">Q", value) if isinstance(value, RawTimestamp) else original_value(value)

    enc.METHODS["timestamp"], enc.encode_table_value = timestamp, table_value
    try:
        yield
    finally:
        enc.METHODS["timestamp"], enc.encode_table_value = original_timestamp, original_value


class _NoId:
    hex = None


@contextmanager
def _without_message_id() -> Iterator[None]:
    """aiormq gives every message it publishes a random message_id when it has none; other
    clients (pika, the Java client) send none at all, and so does this block."""
    import aiormq.channel

    original = aiormq.channel.UUID
    aiormq.channel.UUID = lambda **_: _NoId()  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        aiormq.channel.UUID = original  # type: ignore[misc]


async def publish_message(
    url: str,
    routing_key: str,
    body: bytes,
    *,
    exchange: str = "events",
    timestamp: RawTimestamp | None = None,
    **properties: Any,
) -> None:
    """Publish one message with exactly the given properties (none set unless given, not even a
    message_id), as any AMQP client could: for tests of what consumers do with whatever arrives."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = channel.default_exchange if exchange == "" else await channel.get_exchange(exchange, ensure=False)
        message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, **properties)
        if timestamp is not None:
            message.timestamp = timestamp  # type: ignore[assignment]  # raw bits, see raw_timestamps
        with raw_timestamps(), contextlib.nullcontext() if message.message_id else _without_message_id():
            await target.publish(message, routing_key=routing_key)
    finally:
        await connection.close()
