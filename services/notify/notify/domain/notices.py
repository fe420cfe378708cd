"""Notices: one per (source event, recipient, channel), written once."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class NewNotice:
    """A notice to write (its id is deterministic: the same event, recipient and channel)."""

    notice_id: UUID
    source_id: UUID
    routing_key: str
    kind: str
    key: str
    scope_street: str | None
    channel: str
    subject: str
    body: str
    status: str
