"""What every route needs: the service, its setup, and today's date (the kit's demo clock)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from procurement.handlers.projects import Setup
from procurement.store import Stores
from shared.clock import request_today
from shared.service import Service


def service(request: Request) -> Service[Stores]:
    svc: Service[Stores] = request.app.state.service
    return svc


def setup(request: Request) -> Setup:
    value: Setup = request.app.state.setup
    return value


ServiceDep = Annotated[Service[Stores], Depends(service)]
SetupDep = Annotated[Setup, Depends(setup)]
TodayDep = Annotated[date, Depends(request_today)]
