"""Notices: one per (source event, recipient, channel), written once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
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


@dataclass(frozen=True)
class PendingNotice:
    """A rule entry's notice waiting for its recipient to become known (kept as it was planned)."""

    id: int
    source_id: UUID
    routing_key: str
    template: str
    payload: dict[str, Any]
    spec: dict[str, Any]
    spec_index: int


@dataclass(frozen=True)
class InboxScope:
    """The inbox notices a caller may see: those addressed to one of `recipients` (kind, key),
    those of a kind in `kinds` whatever their key, and, when `purchasers_except` is set, those
    addressed to any purchaser whose code it does not list."""

    recipients: tuple[tuple[str, str | None], ...] = ()
    kinds: tuple[str, ...] = ()
    purchasers_except: tuple[str, ...] | None = None
