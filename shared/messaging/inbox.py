"""Idempotent consumption: record (consumer, event_id) in the transaction of the effects."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from shared.contracts.base import IntegrationEvent

_FIRST = """INSERT INTO inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)
            ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1"""


async def first_time(conn: asyncpg.Connection, *, consumer: str, event_id: UUID, routing_key: str = "") -> bool:
    """True the first time this consumer sees this event; False for a redelivery or duplicate."""
    return await conn.fetchval(_FIRST, consumer, event_id, routing_key) is not None


_FIRST_MANY = """INSERT INTO inbox (consumer, event_id, routing_key)
                 SELECT $1, id, key FROM unnest($2::uuid[], $3::text[]) AS t(id, key)
                 ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id"""


async def first_times(conn: asyncpg.Connection, *, consumer: str, events: Sequence[IntegrationEvent]) -> set[UUID]:
    """The ids among `events` this consumer sees for the first time (one statement for a batch)."""
    rows = await conn.fetch(_FIRST_MANY, consumer, [e.event_id for e in events], [e.routing_key for e in events])
    return {r["event_id"] for r in rows}
