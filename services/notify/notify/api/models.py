"""What the HTTP API answers, and the mapping from what the stores read."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from notify.handlers import IssuedSecret
from notify.store import InboxNotice, ListedReminder, LoggedDelivery


def _renamed(fields: dict[str, Any]) -> dict[str, Any]:
    """The API's names for the source event's id and type."""
    fields["source_event_id"] = fields.pop("source_id")
    fields["event_type"] = fields.pop("routing_key")
    return fields


class Notice(BaseModel):
    id: UUID
    source_event_id: UUID
    event_type: str
    recipient_kind: str
    recipient_key: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, n: InboxNotice) -> Notice:
        return cls(**_renamed(asdict(n)))


class Delivery(BaseModel):
    id: int
    notice_id: UUID
    source_event_id: UUID
    event_type: str
    recipient_kind: str
    recipient_key: str
    channel: str
    address: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    last_error_class: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, d: LoggedDelivery) -> Delivery:
        return cls(**_renamed(asdict(d)))


class Reminder(BaseModel):
    id: UUID
    source_event_id: UUID
    event_type: str
    name: str
    thing_key: str
    deadline: date
    workdays_before: int
    remind_on: date
    fire_at: datetime
    status: str
    fired_at: datetime | None

    @classmethod
    def of(cls, r: ListedReminder) -> Reminder:
        return cls(**_renamed(asdict(r)))


class WebhookSecret(BaseModel):
    """A new signing secret, shown this once: notify keeps it encrypted and never shows it again."""

    org_id: UUID
    key_id: str
    secret: str
    created_at: datetime
    previous_key_id: str | None
    previous_valid_until: datetime | None

    @classmethod
    def of(cls, issued: IssuedSecret) -> WebhookSecret:
        return cls(**asdict(issued))


class WebhookKey(BaseModel):
    key_id: str
    created_at: datetime
    valid_until: datetime | None
