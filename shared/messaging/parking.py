"""Dead-lettering: a message retrying cannot help is copied to the dead-letter exchange with the
reason in its headers, then acked. A crash between the two leaves a second copy in the dead-letter
queue: a dead letter may repeat, but is never lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import aio_pika
import structlog
from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractRobustConnection

from shared.messaging.copying import encodable_copy, sender_kept
from shared.messaging.settling import CONSUMED, settle
from shared.messaging.topology import DLX

log = structlog.get_logger("shared.consumer")

_KEPT_WITHOUT_PROPERTIES = ("x-original-routing-key", "x-failed-at")


class DeadLetters:
    """The dead-letter exchange on a confirmed channel of the connection that delivers the messages:
    if it could deliver, it can park (a second connection may still be reconnecting)."""

    def __init__(self, *, retry_delay: float) -> None:
        self._retry_delay = retry_delay
        self._connection: AbstractRobustConnection | None = None
        self.channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def open(self, connection: AbstractRobustConnection) -> None:
        self._connection = connection
        self.channel = await connection.channel(publisher_confirms=True)
        self._exchange = await self.channel.declare_exchange(DLX.name, ExchangeType.TOPIC, durable=True)

    async def exchange(self) -> AbstractExchange:
        """The exchange, its channel reopened if the broker closed it (a channel-level error is not
        a reconnect, so the robust connection leaves it closed)."""
        if self._exchange is None or self.channel is None or self._connection is None:
            raise RuntimeError("dead-letter exchange not declared yet")
        if self.channel.is_closed:
            await self.open(self._connection)
            assert self._exchange is not None
        return self._exchange

    async def park(self, message: AbstractIncomingMessage, queue: str, consumer: str, reason: str) -> None:
        """Copy the message to the dead-letter exchange with the reason, then ack the original."""
        try:
            exchange = await self.exchange()
            await exchange.publish(_parked(message, queue, consumer, reason), routing_key=queue, mandatory=False)
        except Exception as exc:
            # Could not park it with its reason: return it to the queue to try again (the
            # queue's delivery limit still dead-letters it, without the reason, if this persists).
            log.error("dead_letter_publish_failed", error=repr(exc))
            await asyncio.sleep(self._retry_delay)
            await settle(message.nack(requeue=True))
            CONSUMED.labels(queue, "retry").inc()
            return
        await settle(message.ack())
        CONSUMED.labels(queue, "dead_lettered").inc()
        log.warning("event_dead_lettered", queue=queue, reason=reason, message_id=message.message_id)


def _parked(message: AbstractIncomingMessage, queue: str, consumer: str, reason: str) -> aio_pika.Message:
    """The dead letter: the message's own headers and properties plus why and where it failed."""
    headers = dict(message.headers or {})
    headers.update(
        {
            "x-error-reason": reason[:4000],
            "x-error-consumer": consumer,
            "x-error-queue": queue,
            "x-original-routing-key": message.routing_key or "",
            "x-failed-at": datetime.now(UTC).isoformat(),
        }
    )
    headers = sender_kept(message, headers)
    copy = encodable_copy(message, headers)
    if copy is not None:
        return copy
    # Properties the client cannot encode again: keep the body and the kit's headers.
    ours = {k: v for k, v in headers.items() if k.startswith("x-error-") or k in _KEPT_WITHOUT_PROPERTIES}
    return aio_pika.Message(message.body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, headers=ours)
