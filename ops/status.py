"""Operators' view of each service's backlog: outbox rows not yet published (and the age of
the oldest), and consumer lag — messages waiting in each of its queues and its dead letters.

    python -m ops.status [--amqp-url amqp://admin:…@127.0.0.1:5672/] [service …]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
from dataclasses import dataclass, field

import aio_pika
import aiormq
import asyncpg

from shared.messaging.topology import dead_letter_queue_name

SERVICES = ("registry", "venture", "procurement", "notify", "console")


@dataclass
class QueueLag:
    queue: str
    messages: int | None  # None: the queue does not exist yet
    consumers: int | None


@dataclass
class ServiceStatus:
    service: str
    outbox_pending: int | None = None
    oldest_pending_seconds: float | None = None
    database_error: str | None = None
    queues: list[QueueLag] = field(default_factory=list)


async def _queue(connection: aio_pika.abc.AbstractConnection, name: str) -> QueueLag:
    channel = await connection.channel()
    try:
        declared = await channel.declare_queue(name, passive=True)
        return QueueLag(name, declared.declaration_result.message_count, declared.declaration_result.consumer_count)
    except aiormq.exceptions.ChannelNotFoundEntity:
        return QueueLag(name, None, None)
    finally:
        if not channel.is_closed:
            await channel.close()


async def service_status(service: str, dsn: str, amqp_url: str, queues: list[str]) -> ServiceStatus:
    status = ServiceStatus(service)
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
        try:
            row = await conn.fetchrow(
                """SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at)) AS oldest
                   FROM outbox WHERE published_at IS NULL"""
            )
            status.outbox_pending = int(row["pending"])
            status.oldest_pending_seconds = float(row["oldest"]) if row["oldest"] is not None else 0.0
        finally:
            await conn.close()
    except (OSError, asyncpg.PostgresError) as exc:
        status.database_error = str(exc)
    connection = await aio_pika.connect(amqp_url)
    try:
        names = [*queues, dead_letter_queue_name(service)]
        status.queues = [await _queue(connection, n) for n in names]
    finally:
        await connection.close()
    return status


def _service_config(service: str) -> tuple[str, list[str]]:
    app = importlib.import_module(f"{service}.app")
    config = importlib.import_module(f"{service}.config")
    settings = config.Settings()
    return settings.database_url, app.build_service(settings).consumers.queue_names


def render(status: ServiceStatus) -> str:
    if status.database_error:
        outbox = f"outbox: unavailable ({status.database_error})"
    else:
        outbox = f"outbox pending {status.outbox_pending}, oldest {status.oldest_pending_seconds or 0:.1f} s"
    lines = [f"{status.service}: {outbox}"]
    for q in status.queues:
        state = "not declared yet" if q.messages is None else f"{q.messages} waiting, {q.consumers} consumer(s)"
        lines.append(f"  {q.queue:<60} {state}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Outbox backlog and consumer lag per service.")
    parser.add_argument("services", nargs="*", default=list(SERVICES))
    parser.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args()
    for service in args.services:
        dsn, queues = _service_config(service)
        print(render(asyncio.run(service_status(service, dsn, args.amqp_url, queues))))


if __name__ == "__main__":
    main()
