"""The background worker: sends due deliveries (claimed with FOR UPDATE SKIP LOCKED and a
lease, so replicas share the work and a crashed sender's rows come back) and fires due
reminders. Sending happens outside any consumer transaction; time comes from `clock`.

Each delivery is its own task, bounded by the delivery deadline; the loop never waits for them,
so a receiver that answers a byte every few seconds delays nothing but its own delivery."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from uuid import UUID

import structlog
from prometheus_client import Counter

from notify import handlers
from notify.adapters.channels import Sender
from notify.adapters.failures import DeliveryError, classify
from notify.adapters.keys import SecretBox
from notify.config import Settings
from notify.domain import Claimed, SigningKey
from notify.store import Stores
from shared.clock import Now, real_now
from shared.messaging.consumer import TRANSIENT
from shared.service import Service

log = structlog.get_logger("notify.worker")

ATTEMPTS = Counter("notify_delivery_attempts_total", "Delivery attempts", ["channel", "outcome"])
# Labels from a fixed vocabulary only (notify.adapters.failures.REASONS): never an address or a remote text.
ERRORS = Counter("notify_delivery_errors_total", "Failed delivery attempts by error class", ["channel", "error_class"])


class Worker:
    """Runs beside the service's consumers, on the service's units of work."""

    def __init__(
        self,
        service: Service[Stores],
        kit: handlers.Toolkit,
        sender: Sender,
        settings: Settings,
        clock: Now = real_now,
    ) -> None:
        self.service, self.kit, self.sender, self.settings, self.clock = service, kit, sender, settings, clock
        self.box = SecretBox(settings.webhook_key_encryption_key)
        self.policy = handlers.RetryPolicy(
            settings.max_attempts, settings.retry_base_seconds, settings.retry_max_seconds
        )
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
                if self.service.pool is not None:
                    busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("worker_cycle_failed", error=repr(exc))
            if busy:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.worker_poll_interval)

    async def run_once(self) -> bool:
        """One pass: fire due reminders, then start an attempt for as many due deliveries as there
        are free slots, without waiting for them; True when there may be more work now."""
        now = self.clock()
        async with self.service.unit_of_work() as uow:
            uow.emit(await handlers.fire_due_reminders(self.kit, uow.stores, now=now))
        free = self.settings.worker_concurrency - len(self._in_flight)
        if free <= 0:
            return False  # a finishing attempt wakes the loop
        async with self.service.unit_of_work() as uow:
            lease = now + timedelta(seconds=self.settings.worker_lease_seconds)
            claimed = await uow.stores.deliveries.claim(now, lease, free)
        for d in claimed:
            task = asyncio.create_task(self._attempt(d), name=f"notify-delivery-{d.id}")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed) == free

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # a slot is free
        if not task.cancelled() and task.exception() is not None:
            # e.g. the database down while recording: the lease runs out and the row comes back
            log.warning("delivery_attempt_crashed", error=type(task.exception()).__name__)

    async def _attempt(self, d: Claimed) -> None:
        """Send one delivery within the deadline and record the outcome (redacted)."""
        error: DeliveryError | None = None
        try:
            keys = await self._keys(d)
            async with asyncio.timeout(self.settings.delivery_deadline_seconds):
                await self.sender.send(d.channel, d.address, d.payload, now=self.clock(), keys=keys)
        except Exception as exc:  # a cancelled attempt (stop) is not a failed one: CancelledError passes
            error = classify(exc)
        # A mail already sent but not recorded would be sent again after the lease: keep trying to record.
        for pause in (0.2, 0.5, 1.0, 2.0, 4.0, 8.0):
            try:
                await self._record(d, error)
                return
            except TRANSIENT as exc:
                log.warning("delivery_record_retry", delivery_id=d.id, error=repr(exc))
                await asyncio.sleep(pause)
        await self._record(d, error)

    async def _keys(self, d: Claimed) -> list[SigningKey]:
        recipient = d.payload.get("recipient") or {}
        if d.channel != "webhook" or recipient.get("kind") != "org":
            return []
        async with self.service.reading() as stores:
            return await handlers.signing_keys(stores.keys, self.box, UUID(recipient["key"]), now=self.clock())

    async def _record(self, d: Claimed, error: DeliveryError | None) -> None:
        async with self.service.unit_of_work() as uow:
            step, events = await handlers.record_attempt(
                uow.stores.deliveries, d, error, now=self.clock(), policy=self.policy
            )
            uow.emit(events)
        _count(d, step, error)


def _count(d: Claimed, step: str, error: DeliveryError | None) -> None:
    """Metrics and a log line per attempt (the error redacted: a class and a fixed reason)."""
    ATTEMPTS.labels(d.channel, step).inc()
    if error is None:
        log.info("delivery_sent", delivery_id=d.id, channel=d.channel, attempts=d.attempts)
        return
    ERRORS.labels(d.channel, error.error_class).inc()
    fields = {"delivery_id": d.id, "channel": d.channel, "attempts": d.attempts, "error_class": error.error_class}
    if step == "failed":
        log.warning("delivery_failed", **fields, error=error.reason)
    else:
        log.info("delivery_retry", **fields, error=error.reason)
