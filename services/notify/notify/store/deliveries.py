"""Deliveries of e-mail and webhook notices: queued, leased to a worker, sent, retried or parked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from notify.domain import Claimed, NoticeRef
from notify.store.rows import as_json, record

_ADD_DELIVERY = """INSERT INTO deliveries (notice_id, channel, address, payload) VALUES ($1, $2, $3, $4)
    ON CONFLICT (notice_id) DO NOTHING"""
_CLAIM = """UPDATE deliveries d SET attempts = d.attempts + 1, lease_until = $2, updated_at = now()
    FROM (SELECT id FROM deliveries WHERE status = 'due'
            AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
            AND (lease_until IS NULL OR lease_until <= $1)
          ORDER BY next_attempt_at NULLS FIRST, id LIMIT $3 FOR UPDATE SKIP LOCKED) c
    WHERE d.id = c.id
    RETURNING d.id, d.notice_id, d.channel, d.address, d.payload, d.attempts"""
_DELIVERY_NOTICE = "SELECT source_id, routing_key, recipient_kind, recipient_key FROM notices WHERE id = $1"
_SENT = """UPDATE deliveries SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL,
    last_error_class = NULL, updated_at = now() WHERE id = $1"""
_RETRY = """UPDATE deliveries SET next_attempt_at = $2, lease_until = NULL, last_error = $3, last_error_class = $4,
    updated_at = now() WHERE id = $1"""
_FAILED = """UPDATE deliveries SET status = 'failed', lease_until = NULL, last_error = $2, last_error_class = $3,
    updated_at = now() WHERE id = $1"""
_NOTICE_STATUS = "UPDATE notices SET status = $2 WHERE id = $1"
_REQUEUE = """UPDATE deliveries SET status = 'due', attempts = 0, next_attempt_at = NULL, lease_until = NULL,
    updated_at = now() WHERE id = $1 AND status = 'failed' RETURNING notice_id"""
_DELIVERY_LOG = """SELECT d.id, d.notice_id, d.channel, d.address, d.status, d.attempts, d.next_attempt_at,
    d.last_error, d.last_error_class, d.created_at, d.updated_at, d.sent_at, n.source_id, n.routing_key,
    n.recipient_kind, n.recipient_key, n.subject
    FROM deliveries d JOIN notices n ON n.id = d.notice_id
    WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR d.channel = $2)
      AND ($3::uuid IS NULL OR n.source_id = $3)
    ORDER BY d.id DESC LIMIT $4"""


@dataclass(frozen=True)
class LoggedDelivery:
    """One line of the delivery log operators read (the error is the redacted one)."""

    id: int
    notice_id: UUID
    source_id: UUID
    routing_key: str
    recipient_kind: str
    recipient_key: str
    channel: str
    address: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    last_error_class: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


class DeliveryStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, notice_id: UUID, channel: str, address: str, payload: dict[str, Any]) -> None:
        await self._conn.execute(_ADD_DELIVERY, notice_id, channel, address, payload)

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
        """Lease up to `limit` due deliveries (rows other workers hold are skipped)."""
        return [
            Claimed(
                id=r["id"],
                notice_id=r["notice_id"],
                channel=r["channel"],
                address=r["address"],
                payload=as_json(r["payload"]),
                attempts=r["attempts"],
            )
            for r in await self._conn.fetch(_CLAIM, now, lease_until, limit)
        ]

    async def notice_of(self, notice_id: UUID) -> NoticeRef:
        return record(NoticeRef, await self._conn.fetchrow(_DELIVERY_NOTICE, notice_id))

    async def sent(self, delivery_id: int, notice_id: UUID, at: datetime) -> None:
        await self._conn.execute(_SENT, delivery_id, at)
        await self._conn.execute(_NOTICE_STATUS, notice_id, "sent")

    async def retry(self, delivery_id: int, at: datetime, error: str, error_class: str) -> None:
        await self._conn.execute(_RETRY, delivery_id, at, error, error_class)

    async def failed(self, delivery_id: int, notice_id: UUID, error: str, error_class: str) -> None:
        await self._conn.execute(_FAILED, delivery_id, error, error_class)
        await self._conn.execute(_NOTICE_STATUS, notice_id, "failed")

    async def requeue(self, delivery_id: int) -> UUID | None:
        """A parked (failed) delivery due again from its first attempt; None when it is not parked."""
        notice: UUID | None = await self._conn.fetchval(_REQUEUE, delivery_id)
        if notice is not None:
            await self._conn.execute(_NOTICE_STATUS, notice, "queued")
        return notice

    async def log(
        self, *, status: str | None, channel: str | None, source_id: UUID | None, limit: int | None
    ) -> list[LoggedDelivery]:
        rows = await self._conn.fetch(_DELIVERY_LOG, status, channel, source_id, limit)
        return [record(LoggedDelivery, r) for r in rows]
