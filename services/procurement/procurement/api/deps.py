"""What every route needs: the service, its setup, and today's date (with the demo clock)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Header, HTTPException, Request

from procurement.config import Settings
from procurement.handlers.projects import Setup
from shared.service import Service


def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def setup(request: Request) -> Setup:
    value: Setup = request.app.state.setup
    return value


def today(
    request: Request,
    x_demo_today: Annotated[str | None, Header(description="Demo clock (development only): ISO date")] = None,
) -> date:
    """Today in the district's time zone; in development an `X-Demo-Today` header may move the clock."""
    settings: Settings = request.app.state.service.settings
    if x_demo_today is not None:
        if settings.environment != "development" or not settings.demo_clock:
            raise HTTPException(400, detail="X-Demo-Today is refused outside development mode")
        try:
            return date.fromisoformat(x_demo_today)
        except ValueError as exc:
            raise HTTPException(422, detail=f"X-Demo-Today must be an ISO date: {exc}") from exc
    return datetime.now(ZoneInfo(settings.timezone)).date()


ServiceDep = Annotated[Service, Depends(service)]
SetupDep = Annotated[Setup, Depends(setup)]
TodayDep = Annotated[date, Depends(today)]
