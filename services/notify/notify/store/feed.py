"""The public announcement feed (公示)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from notify.domain import FeedItem
from notify.store.rows import record

_ADD_FEED = """INSERT INTO feed_items (id, source_id, routing_key, kind, title, body, street_code, published_on,
    starts_on, ends_on, objection_deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT (source_id) DO NOTHING"""
_FEED = """SELECT id, kind, title, body, street_code, published_on, starts_on, ends_on, objection_deadline, created_at
    FROM feed_items WHERE COALESCE(GREATEST(ends_on, objection_deadline), ends_on, objection_deadline,
      published_on + 365) >= $1
    ORDER BY published_on DESC, created_at DESC LIMIT $2"""


@dataclass(frozen=True)
class PublishedItem:
    """A feed item as the public page and the Atom feed show it."""

    id: UUID
    kind: str
    title: str
    body: str
    street_code: str | None
    published_on: date
    starts_on: date | None
    ends_on: date | None
    objection_deadline: date | None
    created_at: datetime


class FeedStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, f: FeedItem) -> None:
        """Publish an item (once per source event)."""
        await self._conn.execute(
            _ADD_FEED,
            f.id,
            f.source_id,
            f.routing_key,
            f.kind,
            f.title,
            f.body,
            f.street_code,
            f.published_on,
            f.starts_on,
            f.ends_on,
            f.objection_deadline,
        )

    async def current(self, today: date, limit: int = 200) -> list[PublishedItem]:
        """Items whose period (or a year after publication) has not ended, newest first."""
        return [record(PublishedItem, r) for r in await self._conn.fetch(_FEED, today, limit)]
