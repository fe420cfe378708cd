"""Today's date for the use cases, and the demo clock that only a district admin may move.

Use cases take "today" as an argument; this is where HTTP routes get it. It is the real date in
the district's time zone, unless the service runs in **demo mode** (`<SERVICE>_DEMO_MODE=true`:
explicit, off by default even in development, refused in production). In demo mode a district
admin may

- set the date the whole service sees (`PUT /clock`, kept in the kit's `demo_clock` table), so a
  demo can step over a call for proposals or a public notice without waiting for it, and
- date one request of its own with an `X-Demo-Today` header (procurement's steps).

Nobody else moves time: an `X-Demo-Today` from any other caller is refused (403), and so is
everybody's when demo mode is off, so no organisation can act as if a deadline had not passed.
Consumers never use the demo clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import asyncpg
import jwt
from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel

from shared.auth import Principal, Role, optional_principal, require
from shared.errors import Forbidden

# The district's time zone: dates people see (deadlines, "today") are Beijing dates.
DISTRICT_ZONE = ZoneInfo("Asia/Shanghai")

# The instant, for what needs more than a date (leases, reminders' hour, keys' validity). A
# component that reads it takes a `Now` (default `real_now`), so a test can hold time still;
# nothing moves it in production or in demo mode (the demo moves dates only, above).
Now = Callable[[], datetime]


def real_now() -> datetime:
    """The real instant, timezone-aware (UTC)."""
    return datetime.now(UTC)


HEADER = "X-Demo-Today"
_GET = "SELECT today FROM demo_clock"
_SET = """INSERT INTO demo_clock (id, today, set_by) VALUES (true, $1, $2)
          ON CONFLICT (id) DO UPDATE SET today = EXCLUDED.today, set_by = EXCLUDED.set_by, set_at = now()"""
_RELEASE = "DELETE FROM demo_clock"


class DemoClock:
    """The service's clock: the real date, or in demo mode the date a district admin set."""

    def __init__(self, *, demo_mode: bool, timezone: str = DISTRICT_ZONE.key) -> None:
        self.demo_mode, self.zone = demo_mode, ZoneInfo(timezone)

    def real_today(self) -> date:
        return datetime.now(self.zone).date()

    async def today(self, conn: asyncpg.Connection) -> date:
        """The stored demo date in demo mode, else the real date (no query outside demo mode)."""
        if not self.demo_mode:
            return self.real_today()
        stored: date | None = await conn.fetchval(_GET)
        return stored or self.real_today()

    async def set(self, conn: asyncpg.Connection, value: date | None, *, by: Principal) -> date:
        """Set (or with None, release) the demo date: a district admin's act, in demo mode only."""
        self.check_may_move(by)
        if value is None:
            await conn.execute(_RELEASE)
            return self.real_today()
        await conn.execute(_SET, value, by.sub)
        return value

    def requested(self, value: date | None, principal: Principal | None) -> date | None:
        """The date a request asks to act on (`X-Demo-Today`), once the caller may ask for one."""
        if value is None:
            return None
        self.check_may_move(principal)
        return value

    def check_may_move(self, principal: Principal | None) -> None:
        if not self.demo_mode:
            raise Forbidden("演示时钟只在演示模式下可用，本服务未开启演示模式", code="demo_mode_off")
        if principal is None or principal.role is not Role.DISTRICT_ADMIN:
            raise Forbidden("只有区级管理员可以拨动演示时钟", code="demo_clock_admin_only")


async def refuse_foreign_demo_dates(request: Request) -> None:
    """App-wide dependency: a request that carries `X-Demo-Today` must come from a district admin of a
    service in demo mode (403 otherwise), on every route, whether or not the route acts on a date."""
    if HEADER not in request.headers:
        return
    demo_clock(request).check_may_move(await _caller(request))


async def _caller(request: Request) -> Principal | None:
    # Read here rather than through the auth dependencies, so that public routes stay public in
    # the OpenAPI documents; a missing or bad token is simply not a district admin.
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        return None
    try:
        principal: Principal = await request.app.state.token_verifier.verify(credentials)
    except (jwt.PyJWTError, ValueError, KeyError):
        return None
    return principal


def demo_clock(request: Request) -> DemoClock:
    clock: DemoClock = request.app.state.service.demo_clock
    return clock


async def request_today(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    x_demo_today: Annotated[
        date | None, Header(description="Demo mode, district_admin only: act as if today were this ISO date")
    ] = None,
) -> date:
    """FastAPI dependency: today for this request (the admin's `X-Demo-Today`, the demo date, or the real one)."""
    clock = demo_clock(request)
    asked = clock.requested(x_demo_today, principal)
    if asked is not None:
        return asked
    if not clock.demo_mode:
        return clock.real_today()
    async with request.app.state.service.connection() as conn:
        return await clock.today(conn)


Admin = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN))]


class ClockIn(BaseModel):
    """The demo date to set; null releases the clock (back to the real date)."""

    today: date | None


def clock_router() -> APIRouter:
    """`GET /clock` and `PUT /clock` for district admins (moving it needs demo mode)."""
    router = APIRouter(tags=["demo clock"])

    @router.get("/clock", summary="Today as the service sees it (district_admin)")
    async def get_clock(request: Request, _: Admin) -> dict[str, Any]:
        today = await request_today(request, None)
        return _state(request, today)

    @router.put("/clock", summary="Set or release the demo clock (district_admin; demo mode only)")
    async def set_clock(body: ClockIn, request: Request, who: Admin) -> dict[str, Any]:
        clock = demo_clock(request)
        clock.check_may_move(who)
        async with request.app.state.service.transaction() as conn:
            today = await clock.set(conn, body.today, by=who)
        return _state(request, today)

    return router


def _state(request: Request, today: date) -> dict[str, Any]:
    service = request.app.state.service
    return {
        "today": today.isoformat(),
        "demo_mode": service.demo_clock.demo_mode,
        "environment": service.settings.environment,
    }
