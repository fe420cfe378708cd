"""A delivery attempt's outcome: recorded, and announced when the delivery left the system
(`notify.notification_sent.v1`) or finally failed (`notify.delivery_failed.v1`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notify import domain
from notify.adapters.failures import DeliveryError
from notify.domain import Claimed, NoticeRef
from notify.handlers.ports import Attempts
from shared.contracts.base import IntegrationEvent
from shared.contracts.notify import DeliveryFailed, NotificationSent


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a delivery is attempted."""

    max_attempts: int
    base_seconds: float
    max_seconds: float


async def record_attempt(
    attempts: Attempts, d: Claimed, error: DeliveryError | None, *, now: datetime, policy: RetryPolicy
) -> tuple[str, list[IntegrationEvent]]:
    """Record one attempt: `sent`, `failed` (parked) or `retry`; and the event it causes."""
    notice = await attempts.notice_of(d.notice_id)
    step = domain.after_attempt(
        failed=error is not None,
        permanent=error is not None and error.permanent,
        attempts=d.attempts,
        max_attempts=policy.max_attempts,
    )
    if error is None:
        await attempts.sent(d.id, d.notice_id, now)
        return step, [_sent(d, notice, now)]
    if step == "failed":
        await attempts.failed(d.id, d.notice_id, error.reason, error.error_class)
        return step, [_failed(d, notice, error, now)]
    wait = domain.backoff(d.attempts, base=policy.base_seconds, cap=policy.max_seconds)
    await attempts.retry(d.id, now + wait, error.reason, error.error_class)
    return step, []


def _sent(d: Claimed, notice: NoticeRef, now: datetime) -> NotificationSent:
    return NotificationSent(
        notice_id=d.notice_id,
        source_event_id=notice.source_id,
        source_routing_key=notice.routing_key,
        recipient_kind=notice.recipient_kind,
        recipient_key=notice.recipient_key,
        channel=d.channel,
        attempts=d.attempts,
        sent_at=now,
    )


def _failed(d: Claimed, notice: NoticeRef, error: DeliveryError, now: datetime) -> DeliveryFailed:
    return DeliveryFailed(
        notice_id=d.notice_id,
        delivery_id=d.id,
        source_event_id=notice.source_id,
        source_routing_key=notice.routing_key,
        recipient_kind=notice.recipient_kind,
        recipient_key=notice.recipient_key,
        channel=d.channel,
        attempts=d.attempts,
        last_error=error.reason,
        error_class=error.error_class,
        failed_at=now,
    )
