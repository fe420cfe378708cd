"""Notices waiting for a recipient the directory does not know yet."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from notify.domain import PendingNotice
from notify.store.rows import as_json

_ADD_PENDING = """INSERT INTO pending_notices
    (source_id, routing_key, template, payload, spec, spec_index, wait_kind, wait_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"""
_WAITING = """SELECT id, source_id, routing_key, template, payload, spec, spec_index FROM pending_notices
    WHERE wait_kind = $1 AND wait_key = $2 AND resolved_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED"""
_RESOLVED = "UPDATE pending_notices SET resolved_at = now() WHERE id = $1"


class PendingStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        *,
        source_id: UUID,
        routing_key: str,
        template: str,
        payload: dict[str, Any],
        spec: dict[str, Any],
        spec_index: int,
        wait_kind: str,
        wait_key: str,
    ) -> None:
        await self._conn.execute(
            _ADD_PENDING, source_id, routing_key, template, payload, spec, spec_index, wait_kind, wait_key
        )

    async def waiting_for(self, kind: str, key: str) -> list[PendingNotice]:
        """The unresolved notices waiting for this recipient, locked until commit."""
        return [
            PendingNotice(
                id=r["id"],
                source_id=r["source_id"],
                routing_key=r["routing_key"],
                template=r["template"],
                payload=as_json(r["payload"]),
                spec=as_json(r["spec"]),
                spec_index=r["spec_index"],
            )
            for r in await self._conn.fetch(_WAITING, kind, key)
        ]

    async def resolved(self, pending_id: int) -> None:
        await self._conn.execute(_RESOLVED, pending_id)
