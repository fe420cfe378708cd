"""Idempotent consumption: record (consumer, event_id) in the transaction of the effects."""

from __future__ import annotations

from uuid import UUID

import asyncpg

_FIRST = """INSERT INTO inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)
            ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1"""


async def first_time(conn: asyncpg.Connection, *, consumer: str, event_id: UUID, routing_key: str = "") -> bool:
    """True the first time this consumer sees this event; False for a redelivery or duplicate."""
    return await conn.fetchval(_FIRST, consumer, event_id, routing_key) is not None
