"""The background worker: sends due deliveries (claimed with FOR UPDATE SKIP LOCKED and a
lease, so replicas share the work and a crashed sender's rows come back) and fires due
reminders. Sending happens outside any consumer transaction; time comes from `clock`.

Each delivery is its own task, bounded by the delivery deadline; the loop never waits for them,
so a receiver that answers a byte every few seconds delays nothing but its own delivery."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from prometheus_client import Counter

from notify import domain, handlers
from notify.channels import Sender
from notify.config import Settings
from notify.domain import SigningKey
from notify.failures import DeliveryError, classify
from notify.handlers.keys import signing_keys
from notify.keys import SecretBox
from notify.store import Store
from shared.contracts.base import IntegrationEvent
from shared.contracts.notify import DeliveryFailed, NotificationSent
from shared.messaging import outbox
from shared.messaging.consumer import TRANSIENT

log = structlog.get_logger("notify.worker")

ATTEMPTS = Counter("notify_delivery_attempts_total", "Delivery attempts", ["channel", "outcome"])
# Labels from a fixed vocabulary only (notify.failures.REASONS): never an address or a remote text.
ERRORS = Counter("notify_delivery_errors_total", "Failed delivery attempts by error class", ["channel", "error_class"])


def system_clock() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool | None],
        kit: handlers.Toolkit,
        sender: Sender,
        settings: Settings,
        clock: Callable[[], datetime] = system_clock,
    ) -> None:
        self._pool, self.kit, self.sender, self.settings, self.clock = pool, kit, sender, settings, clock
        self.box = SecretBox(settings.webhook_key_encryption_key)
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notify-worker")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._in_flight) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            busy = False
            self._wake.clear()  # before the pass: a wake-up during it is not lost
            try:
                pool = self._pool()
                if pool is not None:
                    busy = await self.run_once(pool)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("worker_cycle_failed", error=repr(exc))
            if busy:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.worker_poll_interval)

    async def run_once(self, pool: asyncpg.Pool) -> bool:
        """One pass: fire due reminders, then start an attempt for as many due deliveries as there
        are free slots, without waiting for them; True when there may be more work now."""
        now = self.clock()
        async with pool.acquire() as conn, conn.transaction():
            await handlers.fire_due_reminders(self.kit, Store(conn), now=now)
        free = self.settings.worker_concurrency - len(self._in_flight)
        if free <= 0:
            return False  # a finishing attempt wakes the loop
        async with pool.acquire() as conn, conn.transaction():
            lease = now + timedelta(seconds=self.settings.worker_lease_seconds)
            claimed = await Store(conn).claim_deliveries(now, lease, free)
        for row in claimed:
            task = asyncio.create_task(self._attempt(pool, row), name=f"notify-delivery-{row['id']}")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed) == free

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # a slot is free
        if not task.cancelled() and task.exception() is not None:
            # e.g. the database down while recording: the lease runs out and the row comes back
            log.warning("delivery_attempt_crashed", error=type(task.exception()).__name__)

    async def _attempt(self, pool: asyncpg.Pool, row: Any) -> None:
        """Send one delivery within the deadline and record the outcome (redacted)."""
        payload, channel = row["payload"], row["channel"]
        error: DeliveryError | None = None
        try:
            keys = await self._keys(pool, channel, payload)
            async with asyncio.timeout(self.settings.delivery_deadline_seconds):
                await self.sender.send(channel, row["address"], payload, now=self.clock(), keys=keys)
        except Exception as exc:  # a cancelled attempt (stop) is not a failed one: CancelledError passes
            error = classify(exc)
        # A mail already sent but not recorded would be sent again after the lease: keep trying to record.
        for pause in (0.2, 0.5, 1.0, 2.0, 4.0, 8.0):
            try:
                await self._record(pool, row, error)
                return
            except TRANSIENT as exc:
                log.warning("delivery_record_retry", delivery_id=row["id"], error=repr(exc))
                await asyncio.sleep(pause)
        await self._record(pool, row, error)

    async def _keys(self, pool: asyncpg.Pool, channel: str, payload: dict[str, Any]) -> list[SigningKey]:
        recipient = payload.get("recipient") or {}
        if channel != "webhook" or recipient.get("kind") != "org":
            return []
        async with pool.acquire() as conn:
            return await signing_keys(Store(conn), self.box, UUID(recipient["key"]), now=self.clock())

    async def _record(self, pool: asyncpg.Pool, row: Any, error: DeliveryError | None) -> None:
        channel, attempts = row["channel"], row["attempts"]
        now = self.clock()
        async with pool.acquire() as conn, conn.transaction():
            store = Store(conn)
            notice = await store.delivery_notice(row["notice_id"])
            events: list[IntegrationEvent] = []
            if error is None:
                await store.delivery_sent(row["id"], row["notice_id"], now)
                events.append(
                    NotificationSent(
                        notice_id=row["notice_id"],
                        source_event_id=notice["source_id"],
                        source_routing_key=notice["routing_key"],
                        recipient_kind=notice["recipient_kind"],
                        recipient_key=notice["recipient_key"],
                        channel=channel,
                        attempts=attempts,
                        sent_at=now,
                    )
                )
                ATTEMPTS.labels(channel, "sent").inc()
                log.info("delivery_sent", delivery_id=row["id"], channel=channel, attempts=attempts)
            elif error.permanent or attempts >= self.settings.max_attempts:
                await store.delivery_failed(row["id"], row["notice_id"], error.reason, error.error_class)
                events.append(
                    DeliveryFailed(
                        notice_id=row["notice_id"],
                        delivery_id=row["id"],
                        source_event_id=notice["source_id"],
                        source_routing_key=notice["routing_key"],
                        recipient_kind=notice["recipient_kind"],
                        recipient_key=notice["recipient_key"],
                        channel=channel,
                        attempts=attempts,
                        last_error=error.reason,
                        error_class=error.error_class,
                        failed_at=now,
                    )
                )
                ATTEMPTS.labels(channel, "failed").inc()
                ERRORS.labels(channel, error.error_class).inc()
                log.warning(
                    "delivery_failed",
                    delivery_id=row["id"],
                    channel=channel,
                    attempts=attempts,
                    error_class=error.error_class,
                    error=error.reason,
                )
            else:
                wait = domain.backoff(
                    attempts, base=self.settings.retry_base_seconds, cap=self.settings.retry_max_seconds
                )
                await store.delivery_retry(row["id"], now + wait, error.reason, error.error_class)
                ATTEMPTS.labels(channel, "retry").inc()
                ERRORS.labels(channel, error.error_class).inc()
                log.info(
                    "delivery_retry",
                    delivery_id=row["id"],
                    channel=channel,
                    attempts=attempts,
                    error_class=error.error_class,
                    error=error.reason,
                )
            await outbox.add(conn, events)
