"""The one composition root: wires settings, the kit's runtime, consumers and routes."""

from pathlib import Path

from fastapi import FastAPI

from registry import api, subscribers
from registry.config import Settings
from registry.store import Stores, stores
from shared.service import Service

MIGRATIONS = Path(__file__).parent / "migrations"


def build_service(settings: Settings) -> Service[Stores]:
    """The service with its consumers registered (also used by provisioning to declare queues)."""
    service = Service("registry", settings, migrations=MIGRATIONS, stores=stores)
    subscribers.register(service)
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    service = build_service(settings)
    app = service.http_app(
        title="东城区社会组织登记服务 Registry",
        description="Organisations, platforms, party branches and the support alliance.",
        routers=api.routers,
        body_limits={"/imports": settings.import_max_bytes},
    )
    app.state.calendar = settings.calendar()  # the rooms open on working days
    return app
