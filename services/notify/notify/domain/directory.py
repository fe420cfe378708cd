"""The recipient directory's entries: what notify knows of a recipient, learned from events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """A recipient as the directory knows it."""

    kind: str
    key: str
    name: str | None = None
    email: str | None = None
    webhook_url: str | None = None
    street_code: str | None = None
    status: str | None = None
    ref: str | None = None
