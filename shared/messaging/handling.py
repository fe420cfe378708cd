"""Handling consumed events: inbox rows, effects and outbox rows in one transaction, acked after
the commit; and the one error policy: a transient error requeues the message (counted by the
quorum queue's delivery limit, after which RabbitMQ dead-letters it), any other dead-letters it at
once with the reason. A batch that fails is retried one message per transaction, so one bad
message never takes its neighbours with it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage

from shared.backoff import Backoff
from shared.contracts.base import IntegrationEvent
from shared.messaging import inbox, outbox
from shared.messaging.batching import Item
from shared.messaging.delivery import Delivery, InvalidMessage
from shared.messaging.failures import PermanentError, TransientError, describe, is_transient
from shared.messaging.parking import DeadLetters
from shared.messaging.scope import answering, handling
from shared.messaging.settling import BATCH_FALLBACKS, BATCH_SIZE, CONSUMED, settle

log = structlog.get_logger("shared.consumer")

E = TypeVar("E", bound=IntegrationEvent)
# A handler takes the event and the service's stores on the transaction's connection (the
# connection itself where the service names no stores) and returns the events it caused.
Handler = Callable[[E, Any], Awaitable[Sequence[IntegrationEvent] | None]]
InvalidHandler = Callable[[InvalidMessage, Any], Awaitable[Sequence[IntegrationEvent] | None]]


class Handling:
    """Runs one service's consumed messages through transactions under the one error policy."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool | None],
        stores: Callable[[asyncpg.Connection], Any],
        dead_letters: DeadLetters,
        *,
        retry_delay: float,
    ) -> None:
        self._pool, self._stores, self.dead_letters, self._retry_delay = pool, stores, dead_letters, retry_delay
        # Consumers whose handler takes something else than the service's stores (the kit's own).
        self.own_stores: dict[str, Callable[[asyncpg.Connection], Any]] = {}

    def _stores_of(self, consumer: str, conn: asyncpg.Connection) -> Any:
        return self.own_stores.get(consumer, self._stores)(conn)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        pool = self._pool()
        if pool is None:
            raise TransientError("database pool not ready")
        async with pool.acquire() as conn, conn.transaction():
            yield conn

    async def batch(self, items: list[Item], queue: str, consumer: str, handler: Handler[Any]) -> None:
        """Handle a batch in one transaction; if it fails, each message again on its own."""
        if len(items) == 1:
            await self.one(*items[0], queue, consumer, handler)
            return
        try:
            outcomes = await self._handle_batch(items, consumer, handler)
        except Exception as exc:
            log.warning("event_batch_failed", queue=queue, size=len(items), error=repr(exc))
            BATCH_FALLBACKS.labels(queue).inc()
            for item in items:
                await self.one(*item, queue, consumer, handler)
            return
        BATCH_SIZE.observe(len(items))
        for (message, delivery, event), outcome in zip(items, outcomes, strict=True):
            # Committed: a lost ack means a redelivery, which the inbox absorbs.
            await settle(message.ack())
            CONSUMED.labels(queue, outcome).inc()
            with handling(event, consumer, delivery):
                log.info("event_consumed" if outcome == "ok" else "event_duplicate_ignored")

    async def _handle_batch(self, items: list[Item], consumer: str, handler: Handler[Any]) -> list[str]:
        outcomes: list[str] = []
        async with self._transaction() as conn:
            fresh = await inbox.first_times(conn, consumer=consumer, events=[e for _, _, e in items])
            out: list[IntegrationEvent] = []
            for _, delivery, event in items:
                if event.event_id not in fresh:
                    outcomes.append("duplicate")
                    continue
                fresh.discard(event.event_id)  # a second copy within the batch is a duplicate too
                with handling(event, consumer, delivery):
                    out += list(await handler(event, self._stores_of(consumer, conn)) or [])
                outcomes.append("ok")
            await outbox.add(conn, out)
        return outcomes

    async def one(
        self,
        message: AbstractIncomingMessage,
        delivery: Delivery,
        event: IntegrationEvent,
        queue: str,
        consumer: str,
        handler: Handler[Any],
    ) -> None:
        """Handle one message in its own transaction."""
        with handling(event, consumer, delivery):
            try:
                async with self._transaction() as conn:
                    first = await inbox.first_time(
                        conn, consumer=consumer, event_id=event.event_id, routing_key=event.routing_key
                    )
                    if first:
                        await outbox.add(conn, list(await handler(event, self._stores_of(consumer, conn)) or []))
            except Exception as exc:
                await self._failed(message, queue, consumer, exc, describe(exc), "event_handler_failed")
                return
            # Committed. If the ack is lost with the connection, the broker redelivers and the
            # inbox absorbs the duplicate, so a failed ack is logged, never dead-lettered.
            await settle(message.ack())
            CONSUMED.labels(queue, "ok" if first else "duplicate").inc()
            log.info("event_consumed" if first else "event_duplicate_ignored")

    async def invalid(
        self,
        message: AbstractIncomingMessage,
        invalid: InvalidMessage,
        consumer: str,
        on_invalid: InvalidHandler | None,
    ) -> None:
        """Answer a message that holds no event (or dead-letter it, when the consumer answers none)."""
        log.warning("event_invalid", queue=invalid.queue, message_id=invalid.message_id, reason=invalid.reason())
        if on_invalid is None:
            await self.dead_letters.park(message, invalid.queue, consumer, f"invalid message: {invalid.reason()}")
            return
        try:
            with answering(invalid.delivery, consumer):
                async with self._transaction() as conn:
                    await outbox.add(conn, list(await on_invalid(invalid, self._stores_of(consumer, conn)) or []))
        except Exception as exc:
            reason = f"invalid message: {invalid.reason()}; {exc!r}"
            await self._failed(message, invalid.queue, consumer, exc, reason, "invalid_handler_failed")
            return
        await settle(message.ack())
        CONSUMED.labels(invalid.queue, "answered_invalid").inc()

    async def _failed(
        self, message: AbstractIncomingMessage, queue: str, consumer: str, exc: Exception, reason: str, defect: str
    ) -> None:
        """The one error policy: requeue what retrying may cure, once the database answers again;
        dead-letter the rest with `reason` (a defect, logged as `defect`, is kept for an operator
        to replay once fixed)."""
        if is_transient(exc):
            CONSUMED.labels(queue, "retry").inc()
            log.warning("event_retry", error=repr(exc))
            await self.await_recovery()
            await settle(message.nack(requeue=True))
            return
        if not isinstance(exc, PermanentError):
            log.exception(defect)
        await self.dead_letters.park(message, queue, consumer, reason)

    async def await_recovery(self, *, max_wait: float = 120.0) -> None:
        """Pause before requeueing until the database answers again (or `max_wait` passes).

        Each requeue counts against the queue's delivery limit; waiting for the database to
        come back makes an outage cost a message one delivery, not one per retry interval.
        """
        backoff, waited = Backoff(self._retry_delay), 0.0
        while waited < max_wait:
            waited += await backoff.sleep()
            pool = self._pool()
            if pool is not None:
                try:
                    async with pool.acquire(timeout=2) as conn:
                        await conn.fetchval("SELECT 1")
                    return
                except Exception as exc:
                    log.info("database_still_unavailable", error=repr(exc))
