"""Delivery attempts: how long to wait after a failed one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """Wait after the `attempts`-th failure: base, 2·base, 4·base … capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Claimed:
    """A due delivery a worker leased for one attempt (`attempts` counts this one)."""

    id: int
    notice_id: UUID
    channel: str
    address: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class NoticeRef:
    """What a delivery's events say about the notice it carries."""

    source_id: UUID
    routing_key: str
    recipient_kind: str
    recipient_key: str


def after_attempt(*, failed: bool, permanent: bool, attempts: int, max_attempts: int) -> str:
    """What an attempt's outcome makes of a delivery: `sent`, `failed` (parked: a permanent error,
    or the last attempt) or `retry` (due again after the backoff)."""
    if not failed:
        return "sent"
    if permanent or attempts >= max_attempts:
        return "failed"
    return "retry"
