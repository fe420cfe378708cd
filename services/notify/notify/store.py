"""Every SQL statement of the notify service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from notify.domain import Entry, NewNotice

_ENTRY_COLS = "kind, key, name, email, webhook_url, street_code, status, ref"
_GET_ENTRY = f"SELECT {_ENTRY_COLS} FROM directory WHERE kind = $1 AND key = $2"
_UPSERT_VERSIONED = f"""
INSERT INTO directory ({_ENTRY_COLS}, domains, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (kind, key) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
    webhook_url = EXCLUDED.webhook_url, street_code = EXCLUDED.street_code, status = EXCLUDED.status,
    ref = EXCLUDED.ref, domains = EXCLUDED.domains, version = EXCLUDED.version, updated_at = now()
WHERE directory.version < EXCLUDED.version
RETURNING 1"""
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 7310104))"
_ORGS_IN_DOMAIN = f"""SELECT {_ENTRY_COLS} FROM directory
    WHERE kind = 'org' AND $1 = ANY(domains) AND status = 'registered' ORDER BY key"""

_ADD_PENDING = """INSERT INTO pending_notices
    (source_id, routing_key, template, payload, spec, spec_index, wait_kind, wait_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"""
_WAITING = """SELECT id, source_id, routing_key, template, payload, spec, spec_index FROM pending_notices
    WHERE wait_kind = $1 AND wait_key = $2 AND resolved_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED"""
_RESOLVED = "UPDATE pending_notices SET resolved_at = now() WHERE id = $1"

_ADD_NOTICES = """INSERT INTO notices
    (id, source_id, routing_key, recipient_kind, recipient_key, scope_street, channel, subject, body, status)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[])
    ON CONFLICT (source_id, recipient_kind, recipient_key, channel) DO NOTHING RETURNING id"""
_ADD_DELIVERY = """INSERT INTO deliveries (notice_id, channel, address, payload) VALUES ($1, $2, $3, $4)
    ON CONFLICT (notice_id) DO NOTHING"""

_NOTICE_COLS = """n.id, n.source_id, n.routing_key, n.recipient_kind, n.recipient_key, n.scope_street,
    n.channel, n.subject, n.body, n.status, n.created_at, n.read_at"""

_CLAIM = """UPDATE deliveries d SET attempts = d.attempts + 1, lease_until = $2, updated_at = now()
    FROM (SELECT id FROM deliveries WHERE status = 'due'
            AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
            AND (lease_until IS NULL OR lease_until <= $1)
          ORDER BY next_attempt_at NULLS FIRST, id LIMIT $3 FOR UPDATE SKIP LOCKED) c
    WHERE d.id = c.id
    RETURNING d.id, d.notice_id, d.channel, d.address, d.payload, d.attempts"""
_DELIVERY_NOTICE = "SELECT source_id, routing_key, recipient_kind, recipient_key FROM notices WHERE id = $1"
_SENT = """UPDATE deliveries SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL,
    last_error_class = NULL, updated_at = now() WHERE id = $1"""
_RETRY = """UPDATE deliveries SET next_attempt_at = $2, lease_until = NULL, last_error = $3, last_error_class = $4,
    updated_at = now() WHERE id = $1"""
_FAILED = """UPDATE deliveries SET status = 'failed', lease_until = NULL, last_error = $2, last_error_class = $3,
    updated_at = now() WHERE id = $1"""
_NOTICE_STATUS = "UPDATE notices SET status = $2 WHERE id = $1"
_REQUEUE = """UPDATE deliveries SET status = 'due', attempts = 0, next_attempt_at = NULL, lease_until = NULL,
    updated_at = now() WHERE id = $1 AND status = 'failed' RETURNING notice_id"""

_DELIVERY_LOG = """SELECT d.id, d.notice_id, d.channel, d.address, d.status, d.attempts, d.next_attempt_at,
    d.last_error, d.last_error_class, d.created_at, d.updated_at, d.sent_at, n.source_id, n.routing_key,
    n.recipient_kind, n.recipient_key, n.subject
    FROM deliveries d JOIN notices n ON n.id = d.notice_id
    WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR d.channel = $2)
      AND ($3::uuid IS NULL OR n.source_id = $3)
    ORDER BY d.id DESC LIMIT $4"""

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

_ADD_FEED = """INSERT INTO feed_items (id, source_id, routing_key, kind, title, body, street_code, published_on,
    starts_on, ends_on, objection_deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT (source_id) DO NOTHING"""
_FEED = """SELECT id, kind, title, body, street_code, published_on, starts_on, ends_on, objection_deadline, created_at
    FROM feed_items WHERE COALESCE(GREATEST(ends_on, objection_deadline), ends_on, objection_deadline,
      published_on + 365) >= $1
    ORDER BY published_on DESC, created_at DESC LIMIT $2"""


_VALID_KEYS = """SELECT key_id, sealed, created_at, retires_at FROM webhook_keys
    WHERE org_id = $1 AND (retires_at IS NULL OR retires_at > $2) ORDER BY created_at DESC, key_id"""
_ADD_KEY = "INSERT INTO webhook_keys (key_id, org_id, sealed, created_at) VALUES ($1, $2, $3, $4)"
_RETIRE_KEY = "UPDATE webhook_keys SET retires_at = $2 WHERE key_id = $1"

_STATS = {
    "notices": "SELECT channel AS a, status AS b, count(*) AS n FROM notices GROUP BY 1, 2",
    "deliveries": "SELECT channel AS a, status AS b, count(*) AS n FROM deliveries GROUP BY 1, 2",
    "reminders": "SELECT name AS a, status AS b, count(*) AS n FROM reminders GROUP BY 1, 2",
}
_PENDING_COUNT = "SELECT count(*) FROM pending_notices WHERE resolved_at IS NULL"
_FEED_COUNT = "SELECT kind, count(*) AS n FROM feed_items GROUP BY 1"


def _entry(row: asyncpg.Record) -> Entry:
    return Entry(**{k: row[k] for k in ("kind", "key", "name", "email", "webhook_url", "street_code", "status", "ref")})


class Store:
    """Notify's tables, on one connection (the caller owns the transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        # Entries this store read and nothing since changed (one event's work reads the same
        # recipient more than once). Absent ones are never kept: "not known" must be read again
        # under the recipient's lock, or a notice could wait for a recipient already learned.
        self._known: dict[tuple[str, str], Entry] = {}

    # --- directory -------------------------------------------------------------------
    async def entry(self, kind: str, key: str) -> Entry | None:
        if (kind, key) in self._known:
            return self._known[kind, key]
        row = await self.conn.fetchrow(_GET_ENTRY, kind, key)
        if row is None:
            return None
        self._known[kind, key] = found = _entry(row)
        return found

    async def learn(self, entry: Entry, *, version: int, domains: list[str] | None = None) -> bool:
        """Store an entry unless a newer version is already known; True when it was applied."""
        self._known.pop((entry.kind, entry.key), None)
        applied = await self.conn.fetchval(
            _UPSERT_VERSIONED,
            entry.kind,
            entry.key,
            entry.name,
            entry.email,
            entry.webhook_url,
            entry.street_code,
            entry.status,
            entry.ref,
            domains or [],
            version,
        )
        return applied is not None

    async def lock_recipient(self, kind: str, key: str) -> None:
        """Serialise "is the recipient known? else wait" against "the recipient is now known" (until commit)."""
        await self.conn.execute(_LOCK, f"{kind}:{key}")
        self._known.pop((kind, key), None)  # read it again under the lock

    async def orgs_in_domain(self, domain: str) -> list[Entry]:
        return [_entry(r) for r in await self.conn.fetch(_ORGS_IN_DOMAIN, domain)]

    # --- pending -------------------------------------------------------------------
    async def add_pending(
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
        await self.conn.execute(
            _ADD_PENDING, source_id, routing_key, template, payload, spec, spec_index, wait_kind, wait_key
        )

    async def waiting_for(self, kind: str, key: str) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_WAITING, kind, key))

    async def resolved(self, pending_id: int) -> None:
        await self.conn.execute(_RESOLVED, pending_id)

    # --- notices and deliveries --------------------------------------------------------
    async def add_notices(self, notices: Sequence[NewNotice]) -> set[UUID]:
        """Write the notices in one statement; the ids of those that are new (the unique key
        absorbs redeliveries)."""
        if not notices:
            return set()
        columns = [list(c) for c in zip(*(astuple(n) for n in notices), strict=True)]
        return {r["id"] for r in await self.conn.fetch(_ADD_NOTICES, *columns)}

    async def add_delivery(self, notice_id: UUID, channel: str, address: str, payload: dict[str, Any]) -> None:
        await self.conn.execute(_ADD_DELIVERY, notice_id, channel, address, payload)

    async def claim_deliveries(self, now: datetime, lease_until: datetime, limit: int) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_CLAIM, now, lease_until, limit))

    async def delivery_notice(self, notice_id: UUID) -> asyncpg.Record:
        return await self.conn.fetchrow(_DELIVERY_NOTICE, notice_id)

    async def delivery_sent(self, delivery_id: int, notice_id: UUID, at: datetime) -> None:
        await self.conn.execute(_SENT, delivery_id, at)
        await self.conn.execute(_NOTICE_STATUS, notice_id, "sent")

    async def delivery_retry(self, delivery_id: int, at: datetime, error: str, error_class: str) -> None:
        await self.conn.execute(_RETRY, delivery_id, at, error, error_class)

    async def delivery_failed(self, delivery_id: int, notice_id: UUID, error: str, error_class: str) -> None:
        await self.conn.execute(_FAILED, delivery_id, error, error_class)
        await self.conn.execute(_NOTICE_STATUS, notice_id, "failed")

    async def requeue(self, delivery_id: int) -> UUID | None:
        notice = await self.conn.fetchval(_REQUEUE, delivery_id)
        if notice is not None:
            await self.conn.execute(_NOTICE_STATUS, notice, "queued")
        return notice

    async def delivery_log(
        self, *, status: str | None, channel: str | None, source_id: UUID | None, limit: int
    ) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_DELIVERY_LOG, status, channel, source_id, limit))

    async def inbox(self, where: str, args: list[Any], *, unread_only: bool, limit: int) -> list[asyncpg.Record]:
        """Inbox notices matching a visibility predicate built by the caller from fixed SQL fragments."""
        extra = " AND n.read_at IS NULL" if unread_only else ""
        sql = (
            f"SELECT {_NOTICE_COLS} FROM notices n WHERE n.channel = 'inbox' AND ({where}){extra}"
            f" ORDER BY n.created_at DESC, n.id LIMIT ${len(args) + 1}"
        )
        return list(await self.conn.fetch(sql, *args, limit))

    async def mark_read(self, notice_id: UUID, where: str, args: list[Any], at: datetime) -> asyncpg.Record | None:
        sql = (
            f"UPDATE notices n SET read_at = COALESCE(n.read_at, ${len(args) + 2}) WHERE n.id = ${len(args) + 1}"
            f" AND n.channel = 'inbox' AND ({where}) RETURNING {_NOTICE_COLS}"
        )
        return await self.conn.fetchrow(sql, *args, notice_id, at)

    # --- webhook signing keys ------------------------------------------------------------
    async def valid_keys(self, org_id: UUID, now: datetime) -> list[asyncpg.Record]:
        """The organisation's keys that still sign at `now`, newest first (sealed)."""
        return list(await self.conn.fetch(_VALID_KEYS, org_id, now))

    async def add_key(self, org_id: UUID, key_id: str, sealed: bytes, created_at: datetime) -> None:
        await self.conn.execute(_ADD_KEY, key_id, org_id, sealed, created_at)

    async def retire_key(self, key_id: str, at: datetime) -> None:
        await self.conn.execute(_RETIRE_KEY, key_id, at)

    # --- reminders -------------------------------------------------------------------
    async def add_reminder(self, **r: Any) -> None:
        await self.conn.execute(
            _ADD_REMINDER,
            r["id"],
            r["source_id"],
            r["routing_key"],
            r["name"],
            r["thing_key"],
            r["deadline"],
            r["workdays_before"],
            r["remind_on"],
            r["fire_at"],
            r["payload"],
            r["recipients"],
            r["status"],
        )

    async def supersede(self, name: str, thing: str, source_id: UUID) -> None:
        await self.conn.execute(_SUPERSEDE, name, thing, source_id)

    async def is_cancelled(self, name: str, thing: str) -> bool:
        """Locks the thing until commit, so a concurrent cancellation is either seen here or sees our rows."""
        await self.lock_recipient("reminder", f"{name}:{thing}")
        return await self.conn.fetchval(_IS_CANCELLED, name, thing) is not None

    async def cancel(self, name: str, thing: str, source_id: UUID) -> None:
        await self.lock_recipient("reminder", f"{name}:{thing}")
        await self.conn.execute(_CANCEL, name, thing, source_id)
        await self.conn.execute(_CANCEL_SCHEDULED, name, thing)

    async def due_reminders(self, now: datetime, limit: int) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_DUE_REMINDERS, now, limit))

    async def fired(self, reminder_id: UUID, at: datetime) -> None:
        await self.conn.execute(_FIRED, reminder_id, at)

    async def skipped(self, reminder_id: UUID, at: datetime) -> None:
        await self.conn.execute(_SKIPPED, reminder_id, at)

    async def reminders(
        self, *, source_id: UUID | None, status: str | None, since: date | None, limit: int
    ) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_REMINDERS, source_id, status, since, limit))

    async def statistics(self) -> dict[str, Any]:
        """Counts by channel/name and status, waiting notices and feed items, for operators."""
        out: dict[str, Any] = {}
        for name, sql in _STATS.items():
            table: dict[str, dict[str, int]] = {}
            for r in await self.conn.fetch(sql):
                table.setdefault(r["a"], {})[r["b"]] = r["n"]
            out[name] = table
        out["pending"] = await self.conn.fetchval(_PENDING_COUNT)
        out["feed_items"] = {r["kind"]: r["n"] for r in await self.conn.fetch(_FEED_COUNT)}
        return out

    # --- feed ----------------------------------------------------------------------
    async def add_feed_item(self, **f: Any) -> None:
        await self.conn.execute(
            _ADD_FEED,
            f["id"],
            f["source_id"],
            f["routing_key"],
            f["kind"],
            f["title"],
            f["body"],
            f["street_code"],
            f["published_on"],
            f["starts_on"],
            f["ends_on"],
            f["objection_deadline"],
        )

    async def current_feed(self, today: date, limit: int = 200) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_FEED, today, limit))
