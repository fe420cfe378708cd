"""The one composition root: wires settings, the kit's runtime, consumers, the worker and routes."""

from __future__ import annotations

from fastapi import FastAPI

from notify import api
from notify.config import Settings
from notify.service import NotifyService

__all__ = ["NotifyService", "build_service", "create_app"]


def build_service(settings: Settings) -> NotifyService:
    """The service with its consumers registered (also used by provisioning to declare queues)."""
    return NotifyService(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    service = build_service(settings or Settings())
    return service.http_app(
        title="东城区社会组织通知服务 Notify",
        description="Inbox, e-mail and signed webhooks for the right people; working-day reminders; "
        "the public announcement feed (公示); the delivery log.",
        routers=[api.router, api.public.router],
    )
