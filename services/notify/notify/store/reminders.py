"""Reminders before deadlines, and the things whose reminders were cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from notify.domain import NewReminder, StoredReminder
from notify.store.rows import as_json, lock, record

_ADD_REMINDER = """INSERT INTO reminders (id, source_id, routing_key, name, thing_key, deadline, workdays_before,
    remind_on, fire_at, payload, recipients, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING"""
_SUPERSEDE = """UPDATE reminders SET status = 'superseded' WHERE name = $1 AND thing_key = $2
    AND status = 'scheduled' AND source_id <> $3"""
_IS_CANCELLED = "SELECT 1 FROM reminder_cancellations WHERE name = $1 AND thing_key = $2"
_CANCEL = """INSERT INTO reminder_cancellations (name, thing_key, source_id) VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING"""
_CANCEL_SCHEDULED = """UPDATE reminders SET status = 'cancelled' WHERE name = $1 AND thing_key = $2
    AND status = 'scheduled'"""
_DUE_REMINDERS = """SELECT id, source_id, routing_key, name, thing_key, deadline, workdays_before, remind_on, payload,
    recipients FROM reminders WHERE status = 'scheduled' AND fire_at <= $1
    ORDER BY fire_at, id LIMIT $2 FOR UPDATE SKIP LOCKED"""
_FIRED = "UPDATE reminders SET status = 'fired', fired_at = $2 WHERE id = $1"
_SKIPPED = "UPDATE reminders SET status = 'skipped', fired_at = $2 WHERE id = $1"
_REMINDERS = """SELECT id, source_id, routing_key, name, thing_key, deadline, workdays_before, remind_on, fire_at,
    status, fired_at FROM reminders
    WHERE ($1::uuid IS NULL OR source_id = $1) AND ($2::text IS NULL OR status = $2)
      AND ($3::date IS NULL OR remind_on >= $3)
    ORDER BY remind_on, workdays_before DESC, id LIMIT $4"""


@dataclass(frozen=True)
class ListedReminder:
    """A reminder as operators list it."""

    id: UUID
    source_id: UUID
    routing_key: str
    name: str
    thing_key: str
    deadline: date
    workdays_before: int
    remind_on: date
    fire_at: datetime
    status: str
    fired_at: datetime | None


def _thing_lock(name: str, thing: str) -> str:
    return f"reminder:{name}:{thing}"


class ReminderStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, r: NewReminder) -> None:
        await self._conn.execute(
            _ADD_REMINDER,
            r.id,
            r.source_id,
            r.routing_key,
            r.name,
            r.thing_key,
            r.deadline,
            r.workdays_before,
            r.remind_on,
            r.fire_at,
            r.payload,
            r.recipients,
            r.status,
        )

    async def supersede(self, name: str, thing: str, source_id: UUID) -> None:
        """The thing's reminders still scheduled from another event are replaced."""
        await self._conn.execute(_SUPERSEDE, name, thing, source_id)

    async def is_cancelled(self, name: str, thing: str) -> bool:
        """Locks the thing until commit, so a concurrent cancellation is either seen here or sees our rows."""
        await lock(self._conn, _thing_lock(name, thing))
        return await self._conn.fetchval(_IS_CANCELLED, name, thing) is not None

    async def cancel(self, name: str, thing: str, source_id: UUID) -> None:
        await lock(self._conn, _thing_lock(name, thing))
        await self._conn.execute(_CANCEL, name, thing, source_id)
        await self._conn.execute(_CANCEL_SCHEDULED, name, thing)

    async def due(self, now: datetime, limit: int) -> list[StoredReminder]:
        """Scheduled reminders whose time has come, locked until commit (others' are skipped)."""
        return [
            StoredReminder(
                id=r["id"],
                source_id=r["source_id"],
                routing_key=r["routing_key"],
                name=r["name"],
                thing_key=r["thing_key"],
                deadline=r["deadline"],
                workdays_before=r["workdays_before"],
                remind_on=r["remind_on"],
                payload=as_json(r["payload"]),
                recipients=as_json(r["recipients"]),
            )
            for r in await self._conn.fetch(_DUE_REMINDERS, now, limit)
        ]

    async def fired(self, reminder_id: UUID, at: datetime) -> None:
        await self._conn.execute(_FIRED, reminder_id, at)

    async def skipped(self, reminder_id: UUID, at: datetime) -> None:
        await self._conn.execute(_SKIPPED, reminder_id, at)

    async def listing(
        self, *, source_id: UUID | None, status: str | None, since: date | None, limit: int | None
    ) -> list[ListedReminder]:
        rows = await self._conn.fetch(_REMINDERS, source_id, status, since, limit)
        return [record(ListedReminder, r) for r in rows]
