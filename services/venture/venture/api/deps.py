"""What routes take from the running service: its units of work and stores, today, the calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast
from uuid import UUID

from fastapi import Depends, Request

from shared.auth import Principal, Role, require
from shared.clock import request_today
from shared.errors import NotFound
from shared.service import Service
from shared.workdays import WorkCalendar
from venture import access
from venture.config import Settings
from venture.store import RoundStore, Stores


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
Runner = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.STREET_OFFICER))]


async def check_runs_round(rounds: RoundStore, round_id: UUID, p: Principal) -> None:
    """The caller runs this round: the district, or the street officer of a street round's street."""
    r = await rounds.get(round_id)
    if r is None:
        raise NotFound(f"公益创投届次 {round_id} 不存在")
    access.check_may_run_round(p, r)
