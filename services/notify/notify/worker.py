"""The background worker: sends due deliveries (claimed with FOR UPDATE SKIP LOCKED and a
lease, so replicas share the work and a crashed sender's rows come back) and fires due
reminders. Sending happens outside any consumer transaction; time comes from `clock`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog
from prometheus_client import Counter

from notify import domain, handlers
from notify.channels import PermanentDeliveryError, Sender
from notify.config import Settings
from notify.store import Store
from shared.contracts.base import IntegrationEvent
from shared.contracts.notify import DeliveryFailed, NotificationSent
from shared.messaging import outbox
from shared.messaging.consumer import TRANSIENT

log = structlog.get_logger("notify.worker")

ATTEMPTS = Counter("notify_delivery_attempts_total", "Delivery attempts", ["channel", "outcome"])


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
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notify-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            busy = False
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
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.worker_poll_interval)

    async def run_once(self, pool: asyncpg.Pool) -> bool:
        """One pass: fire due reminders, then send one batch; True when there may be more work."""
        now = self.clock()
        async with pool.acquire() as conn, conn.transaction():
            await handlers.fire_due_reminders(self.kit, Store(conn), now=now)
        async with pool.acquire() as conn, conn.transaction():
            lease = now + timedelta(seconds=self.settings.worker_lease_seconds)
            claimed = await Store(conn).claim_deliveries(now, lease, self.settings.worker_batch_size)
        if claimed:
            await asyncio.gather(*(self._attempt(pool, row) for row in claimed))
        return len(claimed) == self.settings.worker_batch_size

    async def _attempt(self, pool: asyncpg.Pool, row: Any) -> None:
        payload, channel = row["payload"], row["channel"]
        error: str | None = None
        permanent = False
        try:
            await self.sender.send(channel, row["address"], payload, now=self.clock())
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            permanent = isinstance(exc, PermanentDeliveryError)
        # A mail already sent but not recorded would be sent again after the lease: keep trying to record.
        for pause in (0.2, 0.5, 1.0, 2.0, 4.0, 8.0):
            try:
                await self._record(pool, row, error, permanent)
                return
            except TRANSIENT as exc:
                log.warning("delivery_record_retry", delivery_id=row["id"], error=repr(exc))
                await asyncio.sleep(pause)
        await self._record(pool, row, error, permanent)

    async def _record(self, pool: asyncpg.Pool, row: Any, error: str | None, permanent: bool) -> None:
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
            elif permanent or attempts >= self.settings.max_attempts:
                await store.delivery_failed(row["id"], row["notice_id"], error)
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
                        last_error=error,
                        failed_at=now,
                    )
                )
                ATTEMPTS.labels(channel, "failed").inc()
                log.warning("delivery_failed", delivery_id=row["id"], channel=channel, attempts=attempts, error=error)
            else:
                wait = domain.backoff(
                    attempts, base=self.settings.retry_base_seconds, cap=self.settings.retry_max_seconds
                )
                await store.delivery_retry(row["id"], now + wait, error)
                ATTEMPTS.labels(channel, "retry").inc()
                log.info("delivery_retry", delivery_id=row["id"], channel=channel, attempts=attempts, error=error)
            await outbox.add(conn, events)
