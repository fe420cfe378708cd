"""A service's broker connection: the dead-letter queue declared, a confirmed channel on `events`
for the outbox relay, and the consumers started; retried in the background until RabbitMQ answers.
aio-pika's robust connection restores channels, queues and consumers after a broker restart."""

from __future__ import annotations

import contextlib

import aio_pika
import structlog
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from faststream.rabbit import RabbitBroker

from shared.backoff import Backoff
from shared.messaging.consumer import Consumers
from shared.messaging.topology import DLX, EVENTS, dead_letter_queue

log = structlog.get_logger("shared.service")


class BrokerConnection:
    """The AMQP connection of one service."""

    def __init__(self, name: str, amqp_url: str, broker: RabbitBroker) -> None:
        self.name, self._url, self._broker = name, amqp_url, broker
        self.connection: AbstractRobustConnection | None = None
        self.events: AbstractExchange | None = None  # on a channel with publisher confirms
        self.ready = False

    async def connect(self, consumers: Consumers, *, prefetch_count: int) -> None:
        """Connect and start consuming, retrying (with the kit's backoff) until it works."""
        backoff = Backoff(0.5)
        while True:
            try:
                await self._open(consumers, prefetch_count=prefetch_count)
                break
            except Exception as exc:
                log.warning("broker_unavailable", error=str(exc), retry_in=backoff.delay)
                await self.close()
                await backoff.sleep()
        self.ready = True
        log.info("broker_ready", consumes=consumers.routing_keys)

    async def _open(self, consumers: Consumers, *, prefetch_count: int) -> None:
        await self._broker.start()
        await self._broker.declare_exchange(DLX)
        dlq = await self._broker.declare_queue(dead_letter_queue(self.name))
        await dlq.bind(DLX.name, routing_key=f"{self.name}.#")
        # The outbox relay and the consumers use aio-pika directly on their own robust
        # connection (FastStream's per-message layers cost CPU and add nothing there).
        self.connection = await aio_pika.connect_robust(
            self._url, client_properties={"connection_name": f"{self.name} events"}
        )
        confirmed = await self.connection.channel(publisher_confirms=True)
        self.events = await confirmed.declare_exchange(EVENTS.name, aio_pika.ExchangeType.TOPIC, durable=True)
        await consumers.start(self.connection, prefetch_count=prefetch_count)

    async def is_up(self) -> bool:
        """Whether the connection is open and the broker answers."""
        consuming = self.connection is not None and not self.connection.is_closed
        return self.ready and consuming and await self._broker.ping(timeout=2)

    async def close(self) -> None:
        self.ready = False
        self.events = None
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()
            self.connection = None
        with contextlib.suppress(Exception):
            await self._broker.stop()
