"""Delivery attempts: how long to wait after a failed one."""

from __future__ import annotations

from datetime import timedelta


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """Wait after the `attempts`-th failure: base, 2·base, 4·base … capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))
