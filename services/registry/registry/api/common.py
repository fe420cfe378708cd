"""What every route shares: the service with the registry's stores, and the time of a write."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request

from registry.access import ADMIN, READERS, WRITERS
from registry.store import Stores
from shared.clock import DISTRICT_ZONE
from shared.service import Service

__all__ = ["ADMIN", "READERS", "WRITERS", "now", "service_of"]


def now() -> datetime:
    """The moment of a write, on the district's clock (a registration's "today" is today in Dongcheng).

    The real clock even in demo mode: what staff record happened when they recorded it."""
    return datetime.now(DISTRICT_ZONE)


def service_of(request: Request) -> Service[Stores]:
    service: Service[Stores] = request.app.state.service
    return service
