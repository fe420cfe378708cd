"""Consuming events: a service registers its consumers here (`Consumers.on`), and `start` consumes
them. Each message is read (`delivery`), batched with those of its queue that wait (`batching`),
handled in a transaction under the one error policy (`handling`, `failures`), and dead-lettered
when retrying cannot help (`parking`). `declaring` puts the consumers on the broker, `asyncapi`
describes them.

The names services import (`Consumers`, `InvalidMessage`, `PermanentError`, `TransientError`,
`TRANSIENT`, `current_delivery`, ...) stay importable from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from faststream.rabbit import RabbitBroker

from shared.contracts.base import IntegrationEvent
from shared.messaging import frames
from shared.messaging.asyncapi import describe_consumers
from shared.messaging.batching import Batcher
from shared.messaging.declaring import Registration, declare, delete_retired
from shared.messaging.delivery import Delivery, InvalidMessage, field_errors, parse, read
from shared.messaging.failures import TRANSIENT, PermanentError, TransientError, describe, is_transient
from shared.messaging.handling import E, Handler, Handling, InvalidHandler
from shared.messaging.parking import DeadLetters
from shared.messaging.scope import current_delivery
from shared.messaging.topology import consumer_queue

log = structlog.get_logger("shared.consumer")

# A message whose properties the AMQP client cannot decode must reach the consumer (and be
# answered), not tear down the connection it arrived on again and again.
frames.tolerate_undecodable_properties()


class Consumers:
    """Registers the consumers of one service, all with the same policy; `start` consumes them."""

    def __init__(
        self,
        service: str,
        pool: Callable[[], asyncpg.Pool | None],
        *,
        retry_delay: float = 1.0,
        stores: Callable[[asyncpg.Connection], Any] | None = None,
    ) -> None:
        self.service = service
        self.routing_keys: list[str] = []
        self._registrations: list[Registration] = []
        self._retired: dict[str, str] = {}
        self.dead_letters = DeadLetters(retry_delay=retry_delay)
        self._handling = Handling(pool, stores or (lambda conn: conn), self.dead_letters, retry_delay=retry_delay)

    def on(
        self,
        event_cls: type[E],
        *,
        name: str,
        on_invalid: InvalidHandler | None = None,
        also_bind: Sequence[str] = (),
        queue_name: str | None = None,
        stores: Callable[[asyncpg.Connection], Any] | None = None,
    ) -> Callable[[Handler[E]], Handler[E]]:
        """Decorator: `handler(event, stores) -> events to publish`, run once per event_id.

        `name` is the consumer's identity in the inbox (`<service>.<name>`), required and stable:
        renaming the function changes nothing, and renaming the consumer is a migration of its
        inbox rows (docs/architecture.md §5).

        `on_invalid`, when given, answers a message that fails its contract (its effects and
        events commit in one transaction) instead of dead-lettering it. `also_bind` adds binding
        keys whose messages are not the event (another version, a misspelt key) but still
        belong to this consumer: they arrive as invalid, to be answered rather than unrouted.

        The kit's own consumers (every service has them) take `queue_name`, so that a service
        consuming the same event for its own reasons keeps its queue, and `stores`, what their
        handler receives on the transaction's connection instead of the service's stores.
        """

        def register(handler: Handler[E]) -> Handler[E]:
            queue = consumer_queue(self.service, event_cls.routing_key, name=queue_name)
            consumer = f"{self.service}.{name}"
            if stores is not None:
                self._handling.own_stores[consumer] = stores

            async def process(items: list[Any]) -> None:
                await self._handling.batch(items, queue.name, consumer, handler)

            self._registrations.append(
                Registration(
                    queue=queue,
                    consumer=consumer,
                    event_cls=event_cls,
                    handler=handler,
                    on_invalid=on_invalid,
                    batcher=Batcher(queue.name, process),
                    doc=handler.__doc__ or event_cls.__doc__,
                    also_bind=tuple(also_bind),
                )
            )
            self.routing_keys.append(event_cls.routing_key)
            return handler

        return register

    @property
    def queue_names(self) -> list[str]:
        """The queues this service consumes, in registration order."""
        return [r.queue.name for r in self._registrations]

    @property
    def registrations(self) -> tuple[Registration, ...]:
        """The registered consumers, in registration order."""
        return tuple(self._registrations)

    def retire(self, queue: str, why: str) -> None:
        """A queue this service consumed once and no longer does: `start` deletes it, so that a
        deployment upgraded in place does not keep filling a queue nobody reads. The messages
        still in it are counted in the log (every event is also in the archive stream)."""
        if not queue.startswith(self.service + "."):
            raise ValueError(f"{self.service} can only retire its own queues, not {queue!r}")
        self._retired[queue] = why

    async def start(self, connection: AbstractRobustConnection, *, prefetch_count: int) -> None:
        """Declare each queue (bound to `events`) and consume it on a channel of `connection`.

        aio-pika directly, not through FastStream subscribers: FastStream's per-message
        dispatch (middlewares, dependency injection, context scopes) cost about a seventh of a
        consuming service's CPU and bought nothing here.
        """
        # Dead letters are published on the connection that delivered the message: if it could
        # deliver, it can park (a second connection may still be reconnecting).
        await self.dead_letters.open(connection)
        await declare(connection, self._registrations, self._deliver, prefetch_count=prefetch_count)
        await delete_retired(connection, self._retired)

    def document(self, broker: RabbitBroker) -> None:
        """Describe the consumed queues as subscribers of `broker`, for AsyncAPI only."""
        describe_consumers(broker, self._registrations)

    async def _deliver(self, reg: Registration, message: AbstractIncomingMessage) -> None:
        """Read, handle and settle one message. Nothing that goes wrong on the way leaves it
        unacked: an unacked message holds a prefetch slot until the connection closes, and a
        prefetch's worth of them stops the queue for everyone."""
        try:
            delivery = Delivery.of(reg.queue.name, message)
            event = read(reg.event_cls, delivery)
            if isinstance(event, IntegrationEvent):
                await reg.batcher.submit(message, delivery, event)
            else:
                await self._handling.invalid(message, InvalidMessage(delivery, event), reg.consumer, reg.on_invalid)
        except Exception as exc:
            log.exception("consumer_failed", queue=reg.queue.name, message_id=message.message_id)
            await self._park_unsettled(message, reg, describe(exc))
            return
        await self._park_unsettled(message, reg, "the consumer left the message unsettled")

    async def _park_unsettled(self, message: AbstractIncomingMessage, reg: Registration, reason: str) -> None:
        """The last line: a message still unsettled on an open channel is dead-lettered."""
        try:
            if message.processed or message.channel.is_closed:
                return  # settled, or its channel is gone and the broker will deliver it again
        except Exception:  # aio-pika raises for a closed channel
            return
        await self.dead_letters.park(message, reg.queue.name, reg.consumer, reason)


__all__ = [
    "TRANSIENT",
    "Consumers",
    "Delivery",
    "Handler",
    "InvalidHandler",
    "InvalidMessage",
    "PermanentError",
    "TransientError",
    "current_delivery",
    "field_errors",
    "is_transient",
    "parse",
]
