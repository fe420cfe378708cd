"""What every route shares: who may read and write, the clock, the service."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request

from registry.api.models import OverrideIn
from registry.domain.uscc import ChecksumOverride
from shared.auth import Principal, Role
from shared.service import Service

BEIJING = ZoneInfo("Asia/Shanghai")

# Street officers write, but only their street's data (checked in the use cases).
WRITERS = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)
READERS = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.REVIEWER, Role.MONITOR)
ADMIN = (Role.DISTRICT_ADMIN,)


def now() -> datetime:
    """Registry dates are Beijing dates (a registration 'today' is today in Dongcheng)."""
    return datetime.now(BEIJING)


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def override_of(body: OverrideIn | None, who: Principal) -> ChecksumOverride | None:
    if body is None:
        return None
    return ChecksumOverride(approved_by=who.sub, reason=body.reason, recorded_at=now())
