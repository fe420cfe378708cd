"""Today's date for the use cases: the real date in Beijing, or, in development/demo mode only,
a date an operator set (so a demo can step through a public notice without waiting a week)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import asyncpg

from shared.errors import Forbidden
from venture.store import orgs as store

BEIJING = timezone(timedelta(hours=8))


def real_today() -> date:
    return datetime.now(BEIJING).date()


async def today(conn: asyncpg.Connection, environment: str) -> date:
    if environment == "production":
        return real_today()
    return await store.clock_today(conn) or real_today()


async def set_today(conn: asyncpg.Connection, environment: str, value: date | None) -> date:
    """Set (or with None, release) the demo clock; refused in production mode."""
    if environment == "production":
        raise Forbidden("the controllable clock is off in production mode", code="clock_disabled")
    await store.set_clock(conn, value)
    return value or real_today()
