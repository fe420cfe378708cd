"""In-memory fakes of the store interfaces the use cases take (notify.handlers.ports): just
enough behaviour, in dictionaries, for the use cases to run without a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from notify.domain import (
    Claimed,
    Entry,
    FeedItem,
    NewNotice,
    NewReminder,
    NoticeRef,
    PendingNotice,
    StoredReminder,
)


class FakeDirectory:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[Entry, int, list[str]]] = {}
        self.locked: list[tuple[str, str]] = []

    async def entry(self, kind: str, key: str) -> Entry | None:
        found = self.entries.get((kind, key))
        return found[0] if found else None

    async def learn(self, entry: Entry, *, version: int, domains: list[str] | None = None) -> bool:
        old = self.entries.get((entry.kind, entry.key))
        if old and old[1] >= version:
            return False
        self.entries[(entry.kind, entry.key)] = (entry, version, list(domains or []))
        return True

    async def lock_recipient(self, kind: str, key: str) -> None:
        self.locked.append((kind, key))

    async def orgs_in_domain(self, domain: str) -> list[Entry]:
        return sorted(
            (
                e
                for e, _, domains in self.entries.values()
                if e.kind == "org" and e.status == "registered" and domain in domains
            ),
            key=lambda e: e.key,
        )


class FakePending:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def add(self, **row: Any) -> None:
        self.rows.append({"id": len(self.rows) + 1, "resolved": False, **row})

    async def waiting_for(self, kind: str, key: str) -> list[PendingNotice]:
        return [
            PendingNotice(
                id=p["id"],
                source_id=p["source_id"],
                routing_key=p["routing_key"],
                template=p["template"],
                payload=p["payload"],
                spec=p["spec"],
                spec_index=p["spec_index"],
            )
            for p in self.rows
            if (p["wait_kind"], p["wait_key"]) == (kind, key) and not p["resolved"]
        ]

    async def resolved(self, pending_id: int) -> None:
        self.rows[pending_id - 1]["resolved"] = True


class FakeNotices:
    def __init__(self) -> None:
        self.rows: dict[tuple[Any, str, str, str], dict[str, Any]] = {}

    async def add(self, notices: Sequence[NewNotice]) -> set[UUID]:
        created = set()
        for n in notices:
            key = (n.source_id, n.kind, n.key, n.channel)
            if key not in self.rows:
                self.rows[key] = asdict(n)
                created.add(n.notice_id)
        return created


class FakeDeliveries:
    """Queued deliveries, and the outcomes the worker records."""

    def __init__(self) -> None:
        self.queued: list[tuple[UUID, str, str, dict[str, Any]]] = []
        self.notices: dict[UUID, NoticeRef] = {}
        self.outcomes: list[tuple[str, int, Any]] = []

    async def add(self, notice_id: UUID, channel: str, address: str, payload: dict[str, Any]) -> None:
        self.queued.append((notice_id, channel, address, payload))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
        return []

    async def notice_of(self, notice_id: UUID) -> NoticeRef:
        return self.notices[notice_id]

    async def sent(self, delivery_id: int, notice_id: UUID, at: datetime) -> None:
        self.outcomes.append(("sent", delivery_id, at))

    async def retry(self, delivery_id: int, at: datetime, error: str, error_class: str) -> None:
        self.outcomes.append(("retry", delivery_id, at))

    async def failed(self, delivery_id: int, notice_id: UUID, error: str, error_class: str) -> None:
        self.outcomes.append(("failed", delivery_id, error_class))


class FakeReminders:
    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.cancelled: set[tuple[str, str]] = set()

    async def add(self, r: NewReminder) -> None:
        self.rows.setdefault(r.id, asdict(r))

    async def supersede(self, name: str, thing: str, source_id: UUID) -> None:
        for r in self.rows.values():
            if (
                (r["name"], r["thing_key"]) == (name, thing)
                and r["status"] == "scheduled"
                and r["source_id"] != source_id
            ):
                r["status"] = "superseded"

    async def is_cancelled(self, name: str, thing: str) -> bool:
        return (name, thing) in self.cancelled

    async def cancel(self, name: str, thing: str, source_id: UUID) -> None:
        self.cancelled.add((name, thing))
        for r in self.rows.values():
            if (r["name"], r["thing_key"]) == (name, thing) and r["status"] == "scheduled":
                r["status"] = "cancelled"

    async def due(self, now: datetime, limit: int) -> list[StoredReminder]:
        due = sorted(
            (r for r in self.rows.values() if r["status"] == "scheduled" and r["fire_at"] <= now),
            key=lambda r: r["fire_at"],
        )
        names = (
            "id",
            "source_id",
            "routing_key",
            "name",
            "thing_key",
            "deadline",
            "workdays_before",
            "remind_on",
            "payload",
            "recipients",
        )
        return [StoredReminder(**{k: r[k] for k in names}) for r in due[:limit]]

    async def fired(self, reminder_id: UUID, at: datetime) -> None:
        self.rows[reminder_id]["status"] = "fired"

    async def skipped(self, reminder_id: UUID, at: datetime) -> None:
        self.rows[reminder_id]["status"] = "skipped"


class FakeFeed:
    def __init__(self) -> None:
        self.items: dict[UUID, FeedItem] = {}

    async def add(self, f: FeedItem) -> None:
        self.items.setdefault(f.source_id, f)


@dataclass(frozen=True)
class FakeKey:
    key_id: str
    sealed: bytes
    created_at: datetime
    retires_at: datetime | None = None


class FakeKeys:
    def __init__(self) -> None:
        self.keys: dict[str, tuple[UUID, FakeKey]] = {}

    async def lock(self, org_id: UUID) -> None:
        pass

    async def valid(self, org_id: UUID, now: datetime) -> list[FakeKey]:
        mine = [k for org, k in self.keys.values() if org == org_id and (k.retires_at is None or k.retires_at > now)]
        return sorted(mine, key=lambda k: (k.created_at, k.key_id), reverse=True)

    async def add(self, org_id: UUID, key_id: str, sealed: bytes, created_at: datetime) -> None:
        self.keys[key_id] = (org_id, FakeKey(key_id, sealed, created_at))

    async def retire(self, key_id: str, at: datetime) -> None:
        org, k = self.keys[key_id]
        self.keys[key_id] = (org, FakeKey(k.key_id, k.sealed, k.created_at, at))


@dataclass
class FakeStores:
    """The bundle a consumer or the worker hands the use cases."""

    directory: FakeDirectory = field(default_factory=FakeDirectory)
    pending: FakePending = field(default_factory=FakePending)
    notices: FakeNotices = field(default_factory=FakeNotices)
    deliveries: FakeDeliveries = field(default_factory=FakeDeliveries)
    reminders: FakeReminders = field(default_factory=FakeReminders)
    feed: FakeFeed = field(default_factory=FakeFeed)
    keys: FakeKeys = field(default_factory=FakeKeys)
