"""Each organisation's webhook signing keys, kept sealed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from notify.store.rows import lock, record

_VALID_KEYS = """SELECT key_id, sealed, created_at, retires_at FROM webhook_keys
    WHERE org_id = $1 AND (retires_at IS NULL OR retires_at > $2) ORDER BY created_at DESC, key_id"""
_ADD_KEY = "INSERT INTO webhook_keys (key_id, org_id, sealed, created_at) VALUES ($1, $2, $3, $4)"
_RETIRE_KEY = "UPDATE webhook_keys SET retires_at = $2 WHERE key_id = $1"


@dataclass(frozen=True)
class SealedKey:
    """A signing key as kept: its secret sealed (see notify.adapters.keys), never in a repr."""

    key_id: str
    sealed: bytes = field(repr=False)
    created_at: datetime
    retires_at: datetime | None


class WebhookKeyStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, org_id: UUID) -> None:
        """Two rotations of one organisation's keys at once: one after the other (until commit)."""
        await lock(self._conn, f"webhook_keys:{org_id}")

    async def valid(self, org_id: UUID, now: datetime) -> list[SealedKey]:
        """The organisation's keys that still sign at `now`, newest first."""
        return [record(SealedKey, r) for r in await self._conn.fetch(_VALID_KEYS, org_id, now)]

    async def add(self, org_id: UUID, key_id: str, sealed: bytes, created_at: datetime) -> None:
        await self._conn.execute(_ADD_KEY, key_id, org_id, sealed, created_at)

    async def retire(self, key_id: str, at: datetime) -> None:
        await self._conn.execute(_RETIRE_KEY, key_id, at)
