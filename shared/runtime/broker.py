"""A service's one AMQP connection: a confirmed channel on `events` for the outbox relay, the
service's dead-letter queue declared, and the consumers started (their dead letters are published
on it too); retried in the background until RabbitMQ answers. aio-pika's robust connection restores
channels, queues, bindings and consumers after a broker restart.

FastStream does not connect: it describes the service (AsyncAPI, `shared/docs.py`) from a broker
that is never started, and runs `TestRabbitBroker` unit tests of handlers. Its per-message layers
cost CPU and added nothing to consuming (see `Consumers.start`)."""

from __future__ import annotations

import asyncio
import contextlib

import aio_pika
import structlog
from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aio_pika.connection import make_url

from shared.backoff import Backoff
from shared.messaging.consumer import Consumers
from shared.messaging.topology import DLX, EVENTS, dead_letter_queue

log = structlog.get_logger("shared.service")


class BrokerConnection:
    """The AMQP connection of one service."""

    def __init__(self, name: str, amqp_url: str) -> None:
        self.name, self._url = name, amqp_url
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
        # Kept before it connects, so that a failed attempt is closed (`close`), not left to the
        # garbage collector (aio-pika then warns of a `close()` never awaited).
        self.connection = aio_pika.RobustConnection(
            make_url(self._url), client_properties={"connection_name": f"{self.name} events"}
        )
        await self.connection.connect()
        confirmed = await self.connection.channel(publisher_confirms=True)
        self.events = await confirmed.declare_exchange(EVENTS.name, ExchangeType.TOPIC, durable=True)
        await _declare_dead_letter_queue(confirmed, self.name)
        await consumers.start(self.connection, prefetch_count=prefetch_count)

    async def is_up(self, *, timeout: float = 2.0) -> bool:
        """Whether the connection is open (a robust connection that is reconnecting gets `timeout`)."""
        connection = self.connection
        if not self.ready or connection is None or connection.is_closed:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connection.connected.wait(), timeout)
        return connection.connected.is_set()

    async def close(self) -> None:
        self.ready = False
        self.events = None
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()
            self.connection = None


async def _declare_dead_letter_queue(channel: AbstractChannel, service: str) -> None:
    """The service's dead-letter queue, bound to the dead-letter exchange for its own queues' names."""
    spec = dead_letter_queue(service)
    dlx = await channel.declare_exchange(DLX.name, ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(spec.name, durable=True, arguments=dict(spec.arguments or {}))
    await queue.bind(dlx, routing_key=f"{service}.#")
