"""Transactional outbox: events are rows written in the caller's transaction; a relay
publishes pending rows with publisher confirms and marks them sent.

The relay wakes on LISTEN/NOTIFY (a trigger notifies on insert) and also polls, so a lost
notification only delays an event. Rows are claimed with FOR UPDATE SKIP LOCKED, so
replicas of a service can relay side by side without publishing a row twice at once.
A crash after a publish but before the mark publishes that row again: consumers are
idempotent (inbox), so the duplicate is absorbed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import asyncpg
import structlog
from aio_pika.abc import AbstractExchange
from prometheus_client import Counter

from shared import db
from shared.backoff import Backoff
from shared.contracts.base import IntegrationEvent
from shared.messaging.publish import amqp_message

log = structlog.get_logger("shared.outbox")

PUBLISHED = Counter("outbox_published_total", "Outbox rows published", ["routing_key"])
FAILED = Counter("outbox_publish_failures_total", "Outbox publish attempts that failed")

# One row per event, the same whichever way it is written: the payload serialised once by pydantic,
# bcc as JSON text (asyncpg would take a list of lists for a two-dimensional array).
_COLUMNS = ["event_id", "routing_key", "payload", "correlation_id", "occurred_at", "bcc"]
_INSERT = """INSERT INTO outbox (event_id, routing_key, payload, correlation_id, occurred_at, bcc)
             SELECT id, key, payload::jsonb, cid, at, bcc::jsonb
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                  AS t(id, key, payload, cid, at, bcc)
             ON CONFLICT (event_id) DO NOTHING"""
_CLAIM = """SELECT id, event_id, routing_key, payload::text AS body, correlation_id, occurred_at, bcc FROM outbox
            WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"""
_MARK_SENT = "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])"
_MARK_FAILED = "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])"


def _row(e: IntegrationEvent) -> tuple[Any, ...]:
    bcc = json.dumps(list(keys)) if (keys := e.bcc()) else None
    return (e.event_id, e.routing_key, e.model_dump_json(), e.correlation_id, e.occurred_at, bcc)


async def add(conn: asyncpg.Connection, events: Sequence[IntegrationEvent], *, fresh: bool = False) -> None:
    """Write events into the outbox inside the caller's open transaction.

    An event already in the outbox (same event_id) is written once. `fresh=True` says no event can
    be there yet (a bulk import's, their ids just minted): the rows go in with one COPY, which fires
    the outbox's statement-level trigger as the INSERT does, so the relay wakes alike."""
    if not events:
        return
    rows = [_row(e) for e in events]
    if fresh:
        await db.copy_rows(conn, "outbox", _COLUMNS, rows)
        return
    await conn.execute(_INSERT, *(list(column) for column in zip(*rows, strict=True)))


async def pending_count(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))


class OutboxRelay:
    """Publishes pending outbox rows of one service database to the broker."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        exchange: Callable[[], AbstractExchange | None],
        *,
        app_id: str,
        dsn: str,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        publish_timeout: float = 10.0,
    ) -> None:
        self._pool, self._exchange, self._app_id, self._dsn = pool, exchange, app_id, dsn
        self._batch, self._poll, self._timeout = batch_size, poll_interval, publish_timeout
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._holds: dict[int, float] = {}  # hold id -> monotonic deadline
        self._hold_ids = itertools.count()

    @contextlib.contextmanager
    def held(self, *, at_most: float = 120.0) -> Iterator[None]:
        """Publish nothing from this process while the block runs (at most `at_most` seconds).

        For a bulk import: it writes events far faster than the rest of the system consumes
        them, and relaying them meanwhile only makes the import compete with its own relay and
        with every consumer for the same cores. The rows wait in the outbox, in order, and go
        out when the block ends (other replicas' relays are not held)."""
        hold = next(self._hold_ids)
        self._holds[hold] = time.monotonic() + at_most
        try:
            yield
        finally:
            del self._holds[hold]
            self._wake.set()

    def _holding(self) -> float:
        """Seconds until the current holds end (0 when none)."""
        now = time.monotonic()
        return max((d - now for d in self._holds.values()), default=0.0)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="outbox-relay"),
            asyncio.create_task(self._listen(), name="outbox-listen"),
        ]

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        while not self._stopping:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                await conn.add_listener("outbox", lambda *_: self._wake.set())
                self._wake.set()  # rows may have arrived while not listening
                closed = asyncio.Event()
                conn.add_termination_listener(lambda _conn, _closed=closed: _closed.set())
                while not closed.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(closed.wait(), timeout=5)
                    await conn.execute("SELECT 1")  # notices a server that went away silently
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the poll keeps the relay going while LISTEN is down
                log.warning("outbox_listen_failed", error=str(exc))
                await asyncio.sleep(2)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close()

    async def _run(self) -> None:
        backoff = Backoff(self._poll, most=15.0)
        while not self._stopping:
            # Cleared before the pass, not after: a row committed (and notified) while a pass
            # runs wakes the next pass at once instead of waiting for the poll.
            self._wake.clear()
            held = self._holding()
            if held > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=min(held, self._poll))
                continue
            try:
                _sent, full = await self.relay_once()
                backoff.reset()
                if full:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                FAILED.inc()
                log.warning("outbox_relay_failed", error=str(exc))
                backoff.grow()
                self._wake.clear()  # a failing broker is retried after the backoff, not per insert
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff.delay)

    async def relay_once(self) -> tuple[int, bool]:
        """Claim one batch, publish it with confirms (all in flight at once), mark what was confirmed."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM, self._batch)
            if not rows:
                return 0, False
            results = await asyncio.gather(*(self._publish(r) for r in rows), return_exceptions=True)
            ok = [r["id"] for r, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)]
            failed = [(r["id"], res) for r, res in zip(rows, results, strict=True) if isinstance(res, BaseException)]
            if ok:
                await conn.execute(_MARK_SENT, ok)
            if failed:
                await conn.execute(_MARK_FAILED, [i for i, _ in failed], repr(failed[0][1])[:1000])
        for r, res in zip(rows, results, strict=True):
            if not isinstance(res, BaseException):
                PUBLISHED.labels(r["routing_key"]).inc()
        if failed:
            raise RuntimeError(f"{len(failed)} of {len(rows)} outbox rows not confirmed: {failed[0][1]!r}")
        return len(ok), len(rows) == self._batch

    async def _publish(self, row: asyncpg.Record) -> None:
        """Publish one row as stored (its JSON text, not decoded and encoded again) and wait for the
        confirm; aio-pika directly, the same message as `publish.publish_payload` builds."""
        exchange = self._exchange()
        if exchange is None:
            raise RuntimeError("broker not connected yet")
        message = amqp_message(
            row["body"].encode("utf-8"),
            routing_key=row["routing_key"],
            event_id=str(row["event_id"]),
            occurred_at=row["occurred_at"],
            correlation_id=row["correlation_id"],
            app_id=self._app_id,
            bcc=row["bcc"] or (),
        )
        await exchange.publish(message, routing_key=row["routing_key"], mandatory=False, timeout=self._timeout)


__all__ = ["OutboxRelay", "add", "pending_count"]
