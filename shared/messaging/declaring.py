"""A service's consumers on the broker: what each one is (`Registration`), its queue declared and
bound to `events`, and the queues it no longer consumes deleted."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
import structlog
from aio_pika import ExchangeType
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from faststream.rabbit import RabbitQueue

from shared.contracts.base import IntegrationEvent
from shared.messaging.batching import Batcher
from shared.messaging.handling import Handler, InvalidHandler
from shared.messaging.topology import EVENTS

log = structlog.get_logger("shared.consumer")


@dataclass(frozen=True)
class Registration:
    """One consumer: its queue, its inbox identity (`<service>.<name>`), the event it takes and
    what handles it."""

    queue: RabbitQueue
    consumer: str
    event_cls: type[IntegrationEvent]
    handler: Handler[Any]
    on_invalid: InvalidHandler | None
    batcher: Batcher
    doc: str | None
    also_bind: tuple[str, ...] = ()


Deliver = Callable[[Registration, AbstractIncomingMessage], Awaitable[None]]


async def declare(
    connection: AbstractRobustConnection,
    registrations: Sequence[Registration],
    deliver: Deliver,
    *,
    prefetch_count: int,
) -> None:
    """Declare each queue (bound to `events`) and consume it on one channel of `connection`.
    A robust connection restores the channel, its queues, bindings and consumers after a reconnect."""
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch_count)
    events = await channel.declare_exchange(EVENTS.name, ExchangeType.TOPIC, durable=True)
    for reg in registrations:
        queue = await channel.declare_queue(reg.queue.name, durable=True, arguments=dict(reg.queue.arguments or {}))
        for key in (reg.queue.routing(), *reg.also_bind):
            await queue.bind(events, routing_key=key)
        await queue.consume(functools.partial(deliver, reg))


async def delete_retired(connection: AbstractRobustConnection, retired: Mapping[str, str]) -> None:
    """Delete the queues a service no longer consumes (name -> why), counting what was left in them."""
    for name, why in retired.items():
        # A passive declare of an absent queue closes its channel: one short-lived channel each.
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(name, passive=True)
            left = queue.declaration_result.message_count
            await queue.delete(if_unused=False, if_empty=False)
            log.warning("queue_retired", queue=name, messages_left=left, why=why)
        except aio_pika.exceptions.ChannelNotFoundEntity:
            pass  # already gone (or never there)
        finally:
            await channel.close()
