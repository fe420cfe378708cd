"""Replay the event archive to a late subscriber.

The stream `events.archive` keeps every contract event published to `events` (size and age
limits in ops/provision.py). A system that starts subscribing late:

1. declares and binds its own durable queue first, so it collects live events from now on;
2. replays history into that queue, from the start or from a point in time:

    python -m ops.archive replay --into district-x.inbox --since 2026-01-01T00:00:00+08:00 \\
        --key 'procurement.#' --amqp-url amqp://admin:…@127.0.0.1:5672/

3. deduplicates on `event_id` (the message_id), as every consumer must: the replay and the
   live queue overlap around the moment it subscribed.

The replay stops when the archive has been read up to the moment the replay started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from ops.provision import ARCHIVE
from shared.messaging.copying import copy_message


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` zero or more."""
    parts = []
    for word in pattern.split("."):
        parts.append(r"[^.]+" if word == "*" else r".*" if word == "#" else re.escape(word))
    regex = r"\.".join(parts).replace(r".*\.", r"(?:.*\.)?").replace(r"\..*", r"(?:\..*)?")
    return re.fullmatch(regex, key) is not None


async def replay(
    amqp_url: str,
    into: str,
    *,
    since: datetime | None = None,
    keys: list[str] | None = None,
    idle_seconds: float = 2.0,
) -> int:
    """Copy archived events (all, or since a time; optionally only matching keys) into queue `into`."""
    started = datetime.now(UTC)
    connection = await aio_pika.connect(amqp_url)
    copied = 0
    try:
        reader = await connection.channel()
        await reader.set_qos(prefetch_count=500)  # streams require a prefetch
        writer = await connection.channel(publisher_confirms=True)
        stream = await reader.get_queue(ARCHIVE, ensure=False)
        done = asyncio.Event()
        last_seen = asyncio.get_running_loop().time()

        async def on_message(msg: AbstractIncomingMessage) -> None:
            nonlocal copied, last_seen
            last_seen = asyncio.get_running_loop().time()
            stamp = msg.timestamp
            if stamp is not None and stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=UTC)
            if stamp is not None and stamp > started:
                done.set()  # caught up with the moment the replay began
            elif keys is None or any(topic_matches(k, msg.routing_key or "") for k in keys):
                copy = copy_message(msg, {**(msg.headers or {}), "x-replayed-from": ARCHIVE})
                await writer.default_exchange.publish(copy, routing_key=into)
                copied += 1
            await msg.ack()

        offset: datetime | str = since if since is not None else "first"
        tag = await stream.consume(on_message, arguments={"x-stream-offset": offset})
        while not done.is_set():
            try:
                await asyncio.wait_for(done.wait(), timeout=idle_seconds)
            except TimeoutError:
                if asyncio.get_running_loop().time() - last_seen >= idle_seconds:
                    break  # nothing more in the archive
        await stream.cancel(tag)
    finally:
        await connection.close()
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description="Replay archived events into a subscriber's queue.")
    sub = parser.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("replay", help="copy archived events into a queue")
    rp.add_argument("--into", required=True, help="the subscriber's own queue")
    rp.add_argument("--since", type=datetime.fromisoformat, help="RFC 3339 time; default: from the start")
    rp.add_argument("--key", action="append", dest="keys", help="topic pattern to keep (repeatable)")
    rp.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args()
    n = asyncio.run(replay(args.amqp_url, args.into, since=args.since, keys=args.keys))
    print(f"replayed {n} archived event(s) into {args.into}")


if __name__ == "__main__":
    main()
