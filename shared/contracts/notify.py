"""Events notify publishes: a notice reached its recipient, or could not be delivered."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.base import IntegrationEvent


class NotificationSent(IntegrationEvent):
    """A notice left the system and reached its recipient: an e-mail accepted by the SMTP server,
    or a webhook answered 2xx. In-app inbox notices are delivered by being written and are not
    announced (GET /inbox and /statistics show them)."""

    routing_key: ClassVar[str] = "notify.notification_sent.v1"
    notice_id: UUID
    source_event_id: UUID
    source_routing_key: str
    recipient_kind: str
    recipient_key: str
    channel: str
    attempts: int = 1
    sent_at: datetime


class DeliveryFailed(IntegrationEvent):
    """A notice could not be delivered after the last retry; the delivery is parked for an operator."""

    routing_key: ClassVar[str] = "notify.delivery_failed.v1"
    notice_id: UUID
    delivery_id: int
    source_event_id: UUID
    source_routing_key: str
    recipient_kind: str
    recipient_key: str
    channel: str
    attempts: int
    last_error: str = Field(
        description="A redacted reason: the error class and fixed words, an HTTP or SMTP status code at most; "
        "never the recipient's address nor the receiver's answer."
    )
    error_class: str | None = Field(
        default=None,
        description="timeout, refused, dns, tls, connect, protocol, http_3xx, http_4xx, http_5xx, invalid_url, "
        "forbidden_target, no_signing_key, smtp_recipient_refused, smtp_sender_refused, smtp_auth, smtp_rejected, "
        "unexpected.",
    )
    failed_at: datetime
