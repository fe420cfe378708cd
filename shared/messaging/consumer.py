"""Consuming events: inbox row, effects and outbox rows in one transaction, acked after the
commit; and a retry policy: transient errors are requeued (counted by the quorum queue's
delivery limit, after which RabbitMQ dead-letters the message), permanent ones are
dead-lettered at once with the reason in the message headers.

Messages of one queue that arrive while a transaction is running are handled together in the
next one (one inbox statement, the handlers in delivery order, one outbox statement, one
commit), so a backlog costs a few round trips per batch instead of per message; a lone message
is handled at once. If a batch fails, its messages are retried one per transaction, so one bad
message never takes its neighbours with it.
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import aio_pika
import asyncpg
import structlog
from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractRobustConnection
from faststream import AckPolicy
from faststream.rabbit import RabbitBroker, RabbitQueue
from prometheus_client import Counter, Histogram

from shared import context
from shared.contracts.base import IntegrationEvent
from shared.messaging import frames, inbox, outbox
from shared.messaging.delivery import ORIGINAL_USER_ID, Delivery, InvalidMessage, field_errors, parse, read, usable_id
from shared.messaging.topology import DLX, EVENTS, consumer_queue

log = structlog.get_logger("shared.consumer")

# A message whose properties the AMQP client cannot decode must reach the consumer (and be
# answered), not tear down the connection it arrived on again and again.
frames.tolerate_undecodable_properties()

_DELIVERY: ContextVar[Delivery | None] = ContextVar("consumed_delivery", default=None)


def current_delivery() -> Delivery | None:
    """The message being consumed, as delivered (None outside a consumer): for a handler that
    must keep a refused message verbatim, authorise its sender, or echo its ids."""
    return _DELIVERY.get()


CONSUMED = Counter("events_consumed_total", "Messages consumed, by queue and outcome", ["queue", "outcome"])
BATCH_SIZE = Histogram(
    "events_batch_size", "Messages handled in one transaction", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256)
)
BATCH_FALLBACKS = Counter("events_batch_fallbacks_total", "Batches retried one message at a time", ["queue"])

E = TypeVar("E", bound=IntegrationEvent)
# A handler takes the event and the service's stores on the transaction's connection (the
# connection itself where the service names no stores) and returns the events it caused.
Handler = Callable[[E, Any], Awaitable[Sequence[IntegrationEvent] | None]]
InvalidHandler = Callable[["InvalidMessage", Any], Awaitable[Sequence[IntegrationEvent] | None]]


class PermanentError(Exception):
    """Retrying cannot help: the message goes to the dead-letter queue with this reason."""


class TransientError(Exception):
    """Retrying may help (a dependency is down): the message is requeued."""


TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a connection whose backend was terminated mid-transaction
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.AdminShutdownError,
)
# SQLSTATE classes that say "the server, not the message": connection exception, insufficient
# resources, operator intervention (shutdown, restart, cancelled statement).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the same message later may succeed."""
    if isinstance(exc, TRANSIENT):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        if state[:2] in _TRANSIENT_SQLSTATE_CLASSES:
            return True
        # A database refusing connections for a while (ALLOW_CONNECTIONS false, being dropped).
        if state == "55000" and "not currently accepting connections" in str(exc):
            return True
    return False


@dataclass(frozen=True)
class _Registration:
    queue: RabbitQueue
    consumer: str
    event_cls: type[IntegrationEvent]
    handler: Handler[Any]
    on_invalid: InvalidHandler | None
    batcher: _Batcher
    doc: str | None
    also_bind: tuple[str, ...] = ()


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
        self.service, self._pool, self._retry_delay = service, pool, retry_delay
        self._stores: Callable[[asyncpg.Connection], Any] = stores or (lambda conn: conn)
        self.routing_keys: list[str] = []
        self._registrations: list[_Registration] = []
        self._dlx: AbstractExchange | None = None
        self._connection: AbstractRobustConnection | None = None
        self._dlx_channel: AbstractChannel | None = None
        self._retired: dict[str, str] = {}

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
        consuming service's CPU and bought nothing here. A robust connection restores the
        channel, its queues, bindings and consumers after a reconnect.
        """
        # Dead letters are published on the connection that delivered the message: if it could
        # deliver, it can park (a second connection may still be reconnecting).
        await self._open_dead_letter_channel(connection)
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch_count)
        events = await channel.declare_exchange(EVENTS.name, ExchangeType.TOPIC, durable=True)
        for reg in self._registrations:
            queue = await channel.declare_queue(reg.queue.name, durable=True, arguments=dict(reg.queue.arguments or {}))
            for key in (reg.queue.routing(), *reg.also_bind):
                await queue.bind(events, routing_key=key)
            await queue.consume(functools.partial(self._deliver, reg))
        await self._delete_retired(connection)

    async def _delete_retired(self, connection: AbstractRobustConnection) -> None:
        for name, why in self._retired.items():
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

    def document(self, broker: RabbitBroker) -> None:
        """Describe the consumed queues as subscribers of `broker`, for AsyncAPI only (a broker
        that is never started: the kit consumes with aio-pika, see `start`)."""
        for reg in self._registrations:

            async def receive() -> None:  # no parameters: the payload schema is the event's, set by docs
                raise RuntimeError("documentation only")

            receive.__name__ = reg.consumer.rsplit(".", 1)[-1]
            receive.__doc__ = reg.doc
            broker.subscriber(
                reg.queue,
                EVENTS,
                ack_policy=AckPolicy.MANUAL,
                title=f"{reg.queue.name}:consume",
                description=reg.doc,
            )(receive)

    async def _deliver(self, reg: _Registration, message: AbstractIncomingMessage) -> None:
        """Read, handle and settle one message. Nothing that goes wrong on the way leaves it
        unacked: an unacked message holds a prefetch slot until the connection closes, and a
        prefetch's worth of them stops the queue for everyone."""
        try:
            delivery = Delivery.of(reg.queue.name, message)
            event = read(reg.event_cls, delivery)
            if isinstance(event, IntegrationEvent):
                await reg.batcher.submit(message, delivery, event)
            else:
                await self._invalid(message, InvalidMessage(delivery, event), reg.consumer, reg.on_invalid)
        except Exception as exc:
            log.exception("consumer_failed", queue=reg.queue.name, message_id=message.message_id)
            await self._park_unsettled(message, reg, f"{type(exc).__name__}: {exc}")
            return
        await self._park_unsettled(message, reg, "the consumer left the message unsettled")

    async def _park_unsettled(self, message: AbstractIncomingMessage, reg: _Registration, reason: str) -> None:
        """The last line: a message still unsettled on an open channel is dead-lettered."""
        try:
            if message.processed or message.channel.is_closed:
                return  # settled, or its channel is gone and the broker will deliver it again
        except Exception:  # aio-pika raises for a closed channel
            return
        await self._dead_letter(message, reg.queue.name, reg.consumer, reason)

    def on(
        self,
        event_cls: type[E],
        *,
        name: str | None = None,
        on_invalid: InvalidHandler | None = None,
        also_bind: Sequence[str] = (),
    ) -> Callable[[Handler[E]], Handler[E]]:
        """Decorator: `handler(event, stores) -> events to publish`, run once per event_id.

        `name` is the consumer's identity in the inbox (`<service>.<name>`): stable, so renaming
        the function changes nothing (until every service names its consumers, the function's
        name stands in).

        `on_invalid`, when given, answers a message that fails its contract (its effects and
        events commit in one transaction) instead of dead-lettering it. `also_bind` adds binding
        keys whose messages are not the event (another version, a misspelt key) but still
        belong to this consumer: they arrive as invalid, to be answered rather than unrouted.
        """

        def register(handler: Handler[E]) -> Handler[E]:
            queue = consumer_queue(self.service, event_cls.routing_key)
            consumer = f"{self.service}.{name or handler.__name__}"
            self._registrations.append(
                _Registration(
                    queue=queue,
                    consumer=consumer,
                    event_cls=event_cls,
                    handler=handler,
                    on_invalid=on_invalid,
                    batcher=_Batcher(self, queue.name, consumer, handler),
                    doc=handler.__doc__ or event_cls.__doc__,
                    also_bind=tuple(also_bind),
                )
            )
            self.routing_keys.append(event_cls.routing_key)
            return handler

        return register

    async def _process(
        self,
        items: list[tuple[AbstractIncomingMessage, Delivery, IntegrationEvent]],
        queue: str,
        consumer: str,
        handler: Handler[Any],
    ) -> None:
        """Handle a batch in one transaction; if it fails, each message again on its own."""
        if len(items) == 1:
            await self._receive_one(*items[0], queue, consumer, handler)
            return
        outcomes: list[str] = []
        try:
            pool = self._pool()
            if pool is None:
                raise TransientError("database pool not ready")
            async with pool.acquire() as conn, conn.transaction():
                fresh = await inbox.first_times(conn, consumer=consumer, events=[e for _, _, e in items])
                out: list[IntegrationEvent] = []
                for _, delivery, event in items:
                    if event.event_id not in fresh:
                        outcomes.append("duplicate")
                        continue
                    fresh.discard(event.event_id)  # a second copy within the batch is a duplicate too
                    with _bound(event, consumer, delivery):
                        out += list(await handler(event, self._stores(conn)) or [])
                    outcomes.append("ok")
                await outbox.add(conn, out)
        except Exception as exc:
            log.warning("event_batch_failed", queue=queue, size=len(items), error=repr(exc))
            BATCH_FALLBACKS.labels(queue).inc()
            for message, delivery, event in items:
                await self._receive_one(message, delivery, event, queue, consumer, handler)
            return
        BATCH_SIZE.observe(len(items))
        for (message, delivery, event), outcome in zip(items, outcomes, strict=True):
            # Committed: a lost ack means a redelivery, which the inbox absorbs.
            await self._settle(message.ack())
            CONSUMED.labels(queue, outcome).inc()
            with _bound(event, consumer, delivery):
                log.info("event_consumed" if outcome == "ok" else "event_duplicate_ignored")

    async def _receive_one(
        self,
        message: AbstractIncomingMessage,
        delivery: Delivery,
        event: IntegrationEvent,
        queue: str,
        consumer: str,
        handler: Handler[Any],
    ) -> None:
        with _bound(event, consumer, delivery):
            try:
                pool = self._pool()
                if pool is None:
                    raise TransientError("database pool not ready")
                async with pool.acquire() as conn, conn.transaction():
                    if not await inbox.first_time(
                        conn, consumer=consumer, event_id=event.event_id, routing_key=event.routing_key
                    ):
                        log.info("event_duplicate_ignored")
                        outcome = "duplicate"
                    else:
                        out = await handler(event, self._stores(conn))
                        await outbox.add(conn, list(out or []))
                        outcome = "ok"
            except PermanentError as exc:
                await self._dead_letter(message, queue, consumer, f"{type(exc).__name__}: {exc}")
                return
            except Exception as exc:
                if is_transient(exc):
                    CONSUMED.labels(queue, "retry").inc()
                    log.warning("event_retry", error=repr(exc))
                    await self._await_recovery()
                    await self._settle(message.nack(requeue=True))
                else:
                    # A defect, not a passing fault: keep the message for an operator to replay.
                    log.exception("event_handler_failed")
                    await self._dead_letter(message, queue, consumer, f"{type(exc).__name__}: {exc}")
                return
            # Committed. If the ack is lost with the connection, the broker redelivers and the
            # inbox absorbs the duplicate, so a failed ack is logged, never dead-lettered.
            await self._settle(message.ack())
            CONSUMED.labels(queue, outcome).inc()
            if outcome == "ok":
                log.info("event_consumed")

    @staticmethod
    async def _settle(settling: Awaitable[None]) -> None:
        try:
            await settling
        except Exception as exc:
            log.warning("message_settle_failed", error=repr(exc))

    async def _invalid(
        self,
        message: AbstractIncomingMessage,
        invalid: InvalidMessage,
        consumer: str,
        on_invalid: InvalidHandler | None,
    ) -> None:
        log.warning("event_invalid", queue=invalid.queue, message_id=invalid.message_id, reason=invalid.reason())
        if on_invalid is None:
            await self._dead_letter(message, invalid.queue, consumer, f"invalid message: {invalid.reason()}")
            return
        try:
            pool = self._pool()
            if pool is None:
                raise TransientError("database pool not ready")
            with _bound_invalid(invalid.delivery, consumer):
                async with pool.acquire() as conn, conn.transaction():
                    out = await on_invalid(invalid, self._stores(conn))
                    await outbox.add(conn, list(out or []))
        except Exception as exc:
            if is_transient(exc):
                log.warning("event_retry", error=repr(exc))
                await self._await_recovery()
                await self._settle(message.nack(requeue=True))
            else:
                log.exception("invalid_handler_failed")
                reason = f"invalid message: {invalid.reason()}; {exc!r}"
                await self._dead_letter(message, invalid.queue, consumer, reason)
            return
        await self._settle(message.ack())
        CONSUMED.labels(invalid.queue, "answered_invalid").inc()

    async def _await_recovery(self, *, max_wait: float = 120.0) -> None:
        """Pause before requeueing until the database answers again (or `max_wait` passes).

        Each requeue counts against the queue's delivery limit; waiting for the database to
        come back makes an outage cost a message one delivery, not one per retry interval.
        """
        delay, waited = self._retry_delay, 0.0
        while waited < max_wait:
            await asyncio.sleep(delay)
            waited += delay
            pool = self._pool()
            if pool is not None:
                try:
                    async with pool.acquire(timeout=2) as conn:
                        await conn.fetchval("SELECT 1")
                    return
                except Exception as exc:
                    log.info("database_still_unavailable", error=repr(exc))
            delay = min(delay * 2, 10.0)

    async def _dead_letter_exchange(self) -> AbstractExchange:
        """The dead-letter exchange on its confirmed channel, reopened if the broker closed the
        channel (a channel-level error is not a reconnect, so the robust connection leaves it closed)."""
        exchange, channel, connection = self._dlx, self._dlx_channel, self._connection
        if exchange is None or channel is None or connection is None:
            raise RuntimeError("dead-letter exchange not declared yet")
        if channel.is_closed:
            await self._open_dead_letter_channel(connection)
            assert self._dlx is not None
            exchange = self._dlx
        return exchange

    async def _open_dead_letter_channel(self, connection: AbstractRobustConnection) -> None:
        self._connection = connection
        self._dlx_channel = await connection.channel(publisher_confirms=True)
        self._dlx = await self._dlx_channel.declare_exchange(DLX.name, ExchangeType.TOPIC, durable=True)

    async def _dead_letter(self, message: AbstractIncomingMessage, queue: str, consumer: str, reason: str) -> None:
        """Copy the message to the dead-letter exchange with the reason, then ack the original.

        A crash between the two leaves a second copy in the dead-letter queue: a dead letter
        may repeat, but is never lost.
        """
        raw = message
        headers = dict(raw.headers or {})
        headers.update(
            {
                "x-error-reason": reason[:4000],
                "x-error-consumer": consumer,
                "x-error-queue": queue,
                "x-original-routing-key": raw.routing_key or "",
                "x-failed-at": datetime.now(UTC).isoformat(),
            }
        )
        if raw.user_id:
            headers[ORIGINAL_USER_ID] = raw.user_id
        try:
            exchange = await self._dead_letter_exchange()
            try:
                parked = _dead_letter_copy(raw, headers)
            except (TypeError, ValueError):  # properties the client cannot encode again: keep the body
                parked = aio_pika.Message(
                    raw.body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, headers=_error_headers(headers)
                )
            await exchange.publish(parked, routing_key=queue, mandatory=False)
        except Exception as exc:
            # Could not park it with its reason: return it to the queue to try again (the
            # queue's delivery limit still dead-letters it, without the reason, if this persists).
            log.error("dead_letter_publish_failed", error=repr(exc))
            await asyncio.sleep(self._retry_delay)
            await self._settle(message.nack(requeue=True))
            CONSUMED.labels(queue, "retry").inc()
            return
        await self._settle(message.ack())
        CONSUMED.labels(queue, "dead_lettered").inc()
        log.warning("event_dead_lettered", queue=queue, reason=reason, message_id=raw.message_id)


def _dead_letter_copy(raw: AbstractIncomingMessage, headers: dict[str, Any]) -> aio_pika.Message:
    parked = aio_pika.Message(
        raw.body,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=raw.message_id,
        type=raw.type,
        correlation_id=raw.correlation_id,
        content_type=raw.content_type,
        timestamp=raw.timestamp,
        # Not `user_id`: RabbitMQ refuses (and closes the channel on) a user_id other than the
        # publishing login. The sender's login is kept in a header an operator's replay restores.
        headers=headers,
    )
    parked.properties.marshal()  # encoded now, so that properties the client cannot encode are caught here
    return parked


def _error_headers(headers: dict[str, Any]) -> dict[str, Any]:
    ours = ("x-original-routing-key", "x-failed-at")
    return {k: v for k, v in headers.items() if k.startswith("x-error-") or k in ours}


@contextmanager
def _bound(event: IntegrationEvent, consumer: str, delivery: Delivery) -> Iterator[None]:
    with (
        context.bound(
            correlation_id=_correlation(event, delivery),
            causation_id=str(event.event_id),
            event_id=str(event.event_id),
            routing_key=event.routing_key,
            consumer=consumer,
        ),
        _current(delivery),
    ):
        yield


def _correlation(event: IntegrationEvent, delivery: Delivery) -> str:
    """The sender's correlation: its AMQP correlation_id, else the body's if it set one, else
    its message_id (the relay sets the first two alike; a district system may set either)."""
    if sent := usable_id(delivery.correlation_id):
        return sent
    if "correlation_id" in event.model_fields_set:
        return event.correlation_id
    return usable_id(delivery.message_id) or event.correlation_id


@contextmanager
def _bound_invalid(delivery: Delivery, consumer: str) -> Iterator[None]:
    with (
        context.bound(
            correlation_id=delivery.correlation() or context.correlation_id(),
            causation_id=usable_id(delivery.message_id),
            routing_key=delivery.routing_key,
            consumer=consumer,
        ),
        _current(delivery),
    ):
        yield


@contextmanager
def _current(delivery: Delivery) -> Iterator[None]:
    token = _DELIVERY.set(delivery)
    try:
        yield
    finally:
        _DELIVERY.reset(token)


class _Batcher:
    """Collects the messages of one queue that wait while its transactions run.

    Each delivery's task submits its message and waits until it is settled; up to `workers`
    transactions per queue run at once, each taking what has queued up (at most `max_batch`).
    No message waits for a batch to fill: a lone message is handled at once.
    """

    def __init__(
        self,
        consumers: Consumers,
        queue: str,
        consumer: str,
        handler: Handler[Any],
        *,
        max_batch: int = 128,
        workers: int = 2,
    ) -> None:
        self.consumers, self.queue, self.consumer, self.handler = consumers, queue, consumer, handler
        self.max_batch, self.workers = max_batch, workers
        self.waiting: deque[tuple[AbstractIncomingMessage, Delivery, IntegrationEvent, asyncio.Future[None]]] = deque()
        self.active: set[asyncio.Task[None]] = set()

    async def submit(self, message: AbstractIncomingMessage, delivery: Delivery, event: IntegrationEvent) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((message, delivery, event, done))
        if len(self.active) < self.workers:
            task = asyncio.create_task(self._work())
            self.active.add(task)
            task.add_done_callback(self.active.discard)
        await done

    async def _work(self) -> None:
        while self.waiting:
            batch = [self.waiting.popleft() for _ in range(min(self.max_batch, len(self.waiting)))]
            try:
                items = [(m, d, e) for m, d, e, _ in batch]
                await self.consumers._process(items, self.queue, self.consumer, self.handler)
            except Exception:
                # Each delivery's own task parks whatever this left unsettled (`_deliver`).
                log.exception("event_batch_defect", queue=self.queue, size=len(batch))
            finally:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)


__all__ = [
    "Consumers",
    "Delivery",
    "InvalidMessage",
    "PermanentError",
    "TransientError",
    "current_delivery",
    "field_errors",
    "is_transient",
    "parse",
]
