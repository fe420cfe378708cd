"""A subscribing system: its history from the beginning, then live events — aio-pika only.

    python examples/subscriber_client.py \\
        --url amqp://district-dataplatform:district-dataplatform-dev-password@127.0.0.1:5672/ \\
        --user district-dataplatform --key procurement.project_signed.v1 --key venture.grant_awarded.v1

This is what another system of the district does with the broker user the centre gave it
(docs/events.md, "How a subscribing system reads events" and "History"):

1. declare its own durable queue `<user>.events` and bind it to `events` with each routing key it
   is entitled to (the broker refuses any other key), so live events are kept from now on;
2. read its history stream `<user>.history` from the first message (or from a stored offset, or a
   point in time) until it has caught up — the stream holds every archived event of its keys;
3. consume the live queue, acknowledging after storing;
4. deduplicate on `event_id` throughout: the history and the live queue overlap, and a stream may
   be read again at any time.

The first message of the history is the archive's epoch marker (`archive.epoch_started.v1`): a
system that meets an epoch id other than the one its data was built from discards that data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

EPOCH_TYPE = "archive.epoch_started.v1"


class Subscriber:
    """One subscribing system's view of the events it is entitled to, deduplicated by event_id."""

    def __init__(self, url: str, user: str, keys: list[str], *, queue: str = "events") -> None:
        self.url, self.user, self.keys = url, user, keys
        self.queue_name = f"{user}.{queue}"
        self.events: dict[str, tuple[str, dict[str, Any]]] = {}  # event_id -> (routing key, body)
        self.epoch: str | None = None
        self.next_offset: int | None = None  # where to resume the history stream
        self.duplicates = 0

    async def __aenter__(self) -> Subscriber:
        self.connection = await aio_pika.connect_robust(self.url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()

    async def bind(self) -> None:
        """Our own durable queue, bound to each entitled key (step 1)."""
        channel = await self.connection.channel()
        events = await channel.get_exchange("events", ensure=False)
        queue = await channel.declare_queue(self.queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        for key in self.keys:
            await queue.bind(events, key)
        await channel.close()

    def _store(self, message: AbstractIncomingMessage) -> None:
        if message.type == EPOCH_TYPE:
            epoch = str((message.headers or {}).get("x-epoch-id"))
            if self.epoch is not None and epoch != self.epoch:
                self.events.clear()  # the centre's databases were reset: our data is void
            self.epoch = epoch
            return
        event_id = message.message_id or json.loads(message.body)["event_id"]
        if event_id in self.events:
            self.duplicates += 1
            return
        self.events[event_id] = (message.routing_key or message.type or "", json.loads(message.body))

    async def read_history(self, *, since: datetime | None = None, idle_seconds: float = 2.0) -> int:
        """Read `<user>.history` from our stored offset (else `since`, else the first message) until
        nothing has arrived for `idle_seconds` (step 2). Returns how many messages were read."""
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=500)  # a stream needs a prefetch
        stream = await channel.get_queue(f"{self.user}.history", ensure=False)
        offset: int | datetime | str = self.next_offset if self.next_offset is not None else since or "first"
        read = 0
        arrived = asyncio.Event()

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal read
            self._store(message)
            self.next_offset = int((message.headers or {})["x-stream-offset"]) + 1
            read += 1
            arrived.set()
            await message.ack()

        tag = await stream.consume(on_message, arguments={"x-stream-offset": offset})
        while True:
            arrived.clear()
            try:
                await asyncio.wait_for(arrived.wait(), timeout=idle_seconds)
            except TimeoutError:
                break
        await stream.cancel(tag)
        await channel.close()
        return read

    async def consume_live(self, *, idle_seconds: float = 2.0) -> int:
        """Consume the live queue until nothing has arrived for `idle_seconds` (step 3)."""
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=100)
        queue = await channel.get_queue(self.queue_name, ensure=False)
        read = 0
        while (message := await _next(queue, idle_seconds)) is not None:
            self._store(message)
            await message.ack()
            read += 1
        await channel.close()
        return read


async def _next(queue: aio_pika.abc.AbstractQueue, wait: float) -> AbstractIncomingMessage | None:
    deadline = asyncio.get_running_loop().time() + wait
    while asyncio.get_running_loop().time() < deadline:
        message = await queue.get(fail=False)
        if message is not None:
            return message
        await asyncio.sleep(0.1)
    return None


async def run(url: str, user: str, keys: list[str], since: datetime | None) -> Subscriber:
    async with Subscriber(url, user, keys) as subscriber:
        await subscriber.bind()
        await subscriber.read_history(since=since)
        await subscriber.consume_live()
    return subscriber


def main() -> None:
    parser = argparse.ArgumentParser(description="Read a subscribing system's history, then its live events.")
    parser.add_argument(
        "--url", default="amqp://district-dataplatform:district-dataplatform-dev-password@127.0.0.1:5672/"
    )
    parser.add_argument("--user", default="district-dataplatform", help="the RabbitMQ user the URL logs in as")
    parser.add_argument("--key", action="append", dest="keys", required=True, help="an entitled routing key")
    parser.add_argument("--since", type=datetime.fromisoformat, help="RFC 3339: history from this time on")
    args = parser.parse_args()
    subscriber = asyncio.run(run(args.url, args.user, args.keys, args.since))
    counts = Counter(key for key, _ in subscriber.events.values())
    print(json.dumps({"epoch": subscriber.epoch, "events": dict(counts), "duplicates": subscriber.duplicates}))


if __name__ == "__main__":
    main()
