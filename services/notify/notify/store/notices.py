"""Notices: written once per (source event, recipient, channel); the inbox reads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from notify.domain import InboxScope, NewNotice
from notify.store.rows import record

_ADD_NOTICES = """INSERT INTO notices
    (id, source_id, routing_key, recipient_kind, recipient_key, scope_street, channel, subject, body, status)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[])
    ON CONFLICT (source_id, recipient_kind, recipient_key, channel) DO NOTHING RETURNING id"""

_NOTICE_COLS = """n.id, n.source_id, n.routing_key, n.recipient_kind, n.recipient_key, n.scope_street,
    n.channel, n.subject, n.body, n.status, n.created_at, n.read_at"""


@dataclass(frozen=True)
class InboxNotice:
    """A notice as its recipient reads it."""

    id: UUID
    source_id: UUID
    routing_key: str
    recipient_kind: str
    recipient_key: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None


def _where(scope: InboxScope) -> tuple[str, list[Any]]:
    """The scope as a predicate of fixed SQL fragments and its parameters (never input in the SQL)."""
    parts: list[str] = []
    args: list[Any] = []
    for kind, key in scope.recipients:
        args += [kind, key]
        parts.append(f"(n.recipient_kind = ${len(args) - 1} AND n.recipient_key = ${len(args)})")
    for kind in scope.kinds:
        args.append(kind)
        parts.append(f"n.recipient_kind = ${len(args)}")
    if scope.purchasers_except is not None:
        args.append(list(scope.purchasers_except))
        parts.append(f"(n.recipient_kind = 'purchaser' AND NOT n.recipient_key = ANY(${len(args)}::text[]))")
    return " OR ".join(parts) or "false", args


class NoticeStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, notices: Sequence[NewNotice]) -> set[UUID]:
        """Write the notices in one statement; the ids of those that are new (the unique key
        absorbs redeliveries)."""
        if not notices:
            return set()
        columns = [list(c) for c in zip(*(astuple(n) for n in notices), strict=True)]
        return {r["id"] for r in await self._conn.fetch(_ADD_NOTICES, *columns)}

    async def inbox(self, scope: InboxScope, *, unread_only: bool, limit: int | None) -> list[InboxNotice]:
        """Inbox notices within the caller's scope, newest first."""
        where, args = _where(scope)
        extra = " AND n.read_at IS NULL" if unread_only else ""
        sql = (
            f"SELECT {_NOTICE_COLS} FROM notices n WHERE n.channel = 'inbox' AND ({where}){extra}"
            f" ORDER BY n.created_at DESC, n.id LIMIT ${len(args) + 1}"
        )
        return [record(InboxNotice, r) for r in await self._conn.fetch(sql, *args, limit)]

    async def mark_read(self, notice_id: UUID, scope: InboxScope, at: datetime) -> InboxNotice | None:
        """Mark a notice within the scope read (the first reading counts); None when there is none."""
        where, args = _where(scope)
        sql = (
            f"UPDATE notices n SET read_at = COALESCE(n.read_at, ${len(args) + 2}) WHERE n.id = ${len(args) + 1}"
            f" AND n.channel = 'inbox' AND ({where}) RETURNING {_NOTICE_COLS}"
        )
        row = await self._conn.fetchrow(sql, *args, notice_id, at)
        return None if row is None else record(InboxNotice, row)
