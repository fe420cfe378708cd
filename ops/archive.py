"""The event archive: epochs, subscribers' history streams, and the operator's replay.

The stream `events.archive` keeps every contract event published to `events` (size and age
limits in ops/accounts.py). Each subscribing system has its own history stream
`<system>.history`, bound to its entitled keys only, which it reads itself (docs/events.md,
"History"). An archive belongs to one **epoch** of the services' databases: it begins with an
epoch marker (type `archive.epoch_started.v1`, body `{epoch_id, started_at, reason}`, header
`x-epoch-id`), and so does every history stream. Whatever resets the databases resets the
archive and the history streams and starts a new epoch (`python -m ops.reset`, the test
harness's `ops.system`); a subscriber whose remembered epoch differs from its stream's first
message knows its data belongs to databases that no longer exist.

    python -m ops.archive backfill --system NAME   # a new history stream gets the archive's past
    python -m ops.archive epoch --reason TEXT      # mark a new epoch (what ops.reset does)

The operator's replay into any queue (as the broker's administrator). A system that starts
subscribing late:

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
import json
import os
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from ops.accounts import ARCHIVE, ARCHIVE_QUEUE_ARGS, SUBSCRIBERS
from ops.subscriber_systems import SubscriberSystem
from shared.contracts import contract_events
from shared.messaging.copying import copy_message

EPOCH_TYPE = "archive.epoch_started.v1"
EPOCH_HEADER = "x-epoch-id"
REPLAYED_FROM = "x-replayed-from"


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
            elif msg.type == EPOCH_TYPE:
                pass  # a marker belongs to its stream, never copied
            elif keys is None or any(topic_matches(k, msg.routing_key or "") for k in keys):
                copy = copy_message(msg, {**(msg.headers or {}), REPLAYED_FROM: ARCHIVE})
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


def epoch_marker(epoch_id: str, reason: str) -> aio_pika.Message:
    """The first message of an archive and of every history stream of one epoch."""
    started = datetime.now(UTC)
    body = {"epoch_id": epoch_id, "started_at": started.isoformat(), "reason": reason}
    return aio_pika.Message(
        json.dumps(body, ensure_ascii=False).encode(),
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=f"epoch-{epoch_id}",
        type=EPOCH_TYPE,
        content_type="application/json",
        timestamp=started,
        headers={EPOCH_HEADER: epoch_id},
    )


async def first_message(
    channel: aio_pika.abc.AbstractChannel, stream: str, wait: float = 3.0
) -> AbstractIncomingMessage | None:
    """The first message a stream holds (None when it is empty)."""
    queue = await channel.get_queue(stream, ensure=False)
    got: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    tag = await queue.consume(got.put, arguments={"x-stream-offset": "first"})
    try:
        message = await asyncio.wait_for(got.get(), timeout=wait)
        await message.ack()
        return message
    except TimeoutError:
        return None
    finally:
        await queue.cancel(tag)


async def current_epoch(amqp_url: str) -> str | None:
    """The epoch the archive belongs to (None: an archive from before epochs were marked)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1)
        first = await first_message(channel, ARCHIVE)
    finally:
        await connection.close()
    if first is None or first.type != EPOCH_TYPE:
        return None
    return str((first.headers or {}).get(EPOCH_HEADER))


async def mark_epoch(amqp_url: str, reason: str, streams: Sequence[str] | None = None) -> str:
    """Start a new epoch: its marker goes into the archive and every history stream (or `streams`).
    Run as the broker's administrator, right after the archive and history streams were emptied."""
    epoch_id = str(uuid.uuid4())
    targets = list(streams) if streams is not None else [ARCHIVE, *(s.history for s in SUBSCRIBERS.systems)]
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        for stream in targets:
            await channel.default_exchange.publish(epoch_marker(epoch_id, reason), routing_key=stream)
    finally:
        await connection.close()
    return epoch_id


async def reset_archive(amqp_url: str, reason: str, systems: Sequence[SubscriberSystem] | None = None) -> str:
    """Empty the archive and every history stream (delete and declare them again, bound as
    provisioned) and start a new epoch: what resetting the services' databases does to the archive."""
    systems = list(SUBSCRIBERS.systems if systems is None else systems)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        events = await channel.get_exchange("events", ensure=False)
        for name, keys in [(ARCHIVE, list(contract_events())), *((s.history, list(s.keys)) for s in systems)]:
            await channel.queue_delete(name)
            stream = await channel.declare_queue(name, durable=True, arguments=ARCHIVE_QUEUE_ARGS)
            for key in keys:
                await stream.bind(events, key)
    finally:
        await connection.close()
    return await mark_epoch(amqp_url, reason, [ARCHIVE, *(s.history for s in systems)])


async def backfill(amqp_url: str, system: SubscriberSystem, *, force: bool = False) -> int:
    """Give a new history stream the archive's past: the epoch marker, then every archived event
    of the system's keys (copies carry `x-replayed-from: events.archive`). Refused when the stream
    already holds messages (its history would be there twice), unless `force`."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=1)
        if not force and await first_message(channel, system.history) is not None:
            raise SystemExit(
                f"{system.history} already holds messages: its history is there (use --force to copy again)"
            )
        marker = await first_message(channel, ARCHIVE)
        if marker is not None and marker.type == EPOCH_TYPE:
            await channel.default_exchange.publish(
                copy_message(marker, marker.headers or {}), routing_key=system.history
            )
    finally:
        await connection.close()
    return await replay(amqp_url, system.history, keys=list(system.keys), idle_seconds=0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description="The event archive: replay, history backfill, epochs.")
    sub = parser.add_subparsers(dest="command", required=True)
    bf = sub.add_parser("backfill", help="copy the archive's past into a new subscriber's history stream")
    bf.add_argument("--system", required=True, help="the subscribing system (ops/subscriber-systems.toml)")
    bf.add_argument("--force", action="store_true", help="copy even though the stream holds messages")
    ep = sub.add_parser("epoch", help="empty the archive and every history stream and start a new epoch")
    ep.add_argument("--reason", required=True)
    for p in (bf, ep):
        p.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    rp = sub.add_parser("replay", help="copy archived events into a queue")
    rp.add_argument("--into", required=True, help="the subscriber's own queue")
    rp.add_argument("--since", type=datetime.fromisoformat, help="RFC 3339 time; default: from the start")
    rp.add_argument("--key", action="append", dest="keys", help="topic pattern to keep (repeatable)")
    rp.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args()
    if args.command == "backfill":
        system = SUBSCRIBERS.get(args.system)
        if system is None:
            raise SystemExit(f"no subscribing system {args.system} in the subscriber systems file")
        n = asyncio.run(backfill(args.amqp_url, system, force=args.force))
        print(f"copied {n} archived event(s) into {system.history}")
    elif args.command == "epoch":
        epoch = asyncio.run(reset_archive(args.amqp_url, args.reason))
        print(f"archive and history streams emptied; epoch {epoch} started")
    else:
        n = asyncio.run(replay(args.amqp_url, args.into, since=args.since, keys=args.keys))
        print(f"replayed {n} archived event(s) into {args.into}")


if __name__ == "__main__":
    main()
