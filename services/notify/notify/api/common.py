"""What every route module needs: the service behind the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from notify.service import NotifyService


def service_of(request: Request) -> NotifyService:
    service: NotifyService = request.app.state.service
    return service
