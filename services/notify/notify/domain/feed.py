"""The public announcement feed (公示): one item per event a rule publishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class FeedItem:
    """An item to publish (its id is deterministic: one per source event)."""

    id: UUID
    source_id: UUID
    routing_key: str
    kind: str
    title: str
    body: str
    street_code: str | None
    published_on: date
    starts_on: date | None
    ends_on: date | None
    objection_deadline: date | None
