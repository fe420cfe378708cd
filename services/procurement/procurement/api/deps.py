"""What every route needs: the service, its setup, today's date (the kit's demo clock), and the
caller in each role a route accepts (the role sets are `procurement.access`'s)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from procurement import access
from procurement.handlers.projects import Setup
from procurement.store import Stores
from shared.auth import Principal, current_principal, require
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

Anyone = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require(*access.STAFF))]
Admin = Annotated[Principal, Depends(require(*access.ADMIN))]
Reviewer = Annotated[Principal, Depends(require(*access.REVIEWER))]
Monitor = Annotated[Principal, Depends(require(*access.MONITOR))]
OrgUser = Annotated[Principal, Depends(require(*access.ORG))]
Objector = Annotated[Principal, Depends(require(*access.OBJECTORS))]
