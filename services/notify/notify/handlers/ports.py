"""The narrow store interfaces the use cases take (notify.store implements them; the unit tests'
fakes too). A use case that touches several takes a bundle naming just those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
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


class Directory(Protocol):
    async def entry(self, kind: str, key: str) -> Entry | None: ...
    async def learn(self, entry: Entry, *, version: int, domains: list[str] | None = None) -> bool: ...
    async def lock_recipient(self, kind: str, key: str) -> None: ...
    async def orgs_in_domain(self, domain: str) -> list[Entry]: ...


class Pending(Protocol):
    async def add(
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
    ) -> None: ...
    async def waiting_for(self, kind: str, key: str) -> list[PendingNotice]: ...
    async def resolved(self, pending_id: int) -> None: ...


class Notices(Protocol):
    async def add(self, notices: Sequence[NewNotice]) -> set[UUID]: ...


class Outgoing(Protocol):
    """Deliveries to queue for the worker."""

    async def add(self, notice_id: UUID, channel: str, address: str, payload: dict[str, Any]) -> None: ...


class Attempts(Protocol):
    """Deliveries the worker attempts, and their outcomes."""

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]: ...
    async def notice_of(self, notice_id: UUID) -> NoticeRef: ...
    async def sent(self, delivery_id: int, notice_id: UUID, at: datetime) -> None: ...
    async def retry(self, delivery_id: int, at: datetime, error: str, error_class: str) -> None: ...
    async def failed(self, delivery_id: int, notice_id: UUID, error: str, error_class: str) -> None: ...


class Reminders(Protocol):
    async def add(self, r: NewReminder) -> None: ...
    async def supersede(self, name: str, thing: str, source_id: UUID) -> None: ...
    async def is_cancelled(self, name: str, thing: str) -> bool: ...
    async def cancel(self, name: str, thing: str, source_id: UUID) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[StoredReminder]: ...
    async def fired(self, reminder_id: UUID, at: datetime) -> None: ...
    async def skipped(self, reminder_id: UUID, at: datetime) -> None: ...


class Feed(Protocol):
    async def add(self, f: FeedItem) -> None: ...


class SigningKeys(Protocol):
    async def lock(self, org_id: UUID) -> None: ...
    async def valid(self, org_id: UUID, now: datetime) -> Sequence[StoredKey]: ...
    async def add(self, org_id: UUID, key_id: str, sealed: bytes, created_at: datetime) -> None: ...
    async def retire(self, key_id: str, at: datetime) -> None: ...


class StoredKey(Protocol):
    @property
    def key_id(self) -> str: ...
    @property
    def sealed(self) -> bytes: ...


class FanOut(Protocol):
    """What turning rule entries into notices touches."""

    @property
    def directory(self) -> Directory: ...
    @property
    def pending(self) -> Pending: ...
    @property
    def notices(self) -> Notices: ...
    @property
    def deliveries(self) -> Outgoing: ...


class EventWork(FanOut, Protocol):
    """What handling one consumed event touches."""

    @property
    def reminders(self) -> Reminders: ...
    @property
    def feed(self) -> Feed: ...


class ReminderWork(FanOut, Protocol):
    """What firing due reminders touches."""

    @property
    def reminders(self) -> Reminders: ...
