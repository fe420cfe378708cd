"""What routes take from the running service: its units of work and stores, today, the calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

from fastapi import Depends, Request

from shared.auth import Principal, Role, require
from shared.clock import request_today
from shared.service import Service
from shared.workdays import WorkCalendar
from venture.config import Settings
from venture.store import Stores


def service_of(request: Request) -> Service[Stores]:
    return cast("Service[Stores]", request.app.state.service)


def settings_of(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def calendar_of(request: Request) -> WorkCalendar:
    return cast(WorkCalendar, request.app.state.calendar)


async def _today(request: Request) -> date:
    # The kit's clock (shared/clock.py): the real Beijing date, or in demo mode the date a district
    # admin set. Venture's routes take no date of the caller's own.
    return await request_today(request, None)


Today = Annotated[date, Depends(_today)]
Calendar = Annotated[WorkCalendar, Depends(calendar_of)]
Admin = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN))]
