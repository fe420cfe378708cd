"""The one composition root: wires settings, the kit's runtime, consumers and routes."""

from pathlib import Path

from fastapi import FastAPI

from shared.service import Service
from venture import api, subscribers
from venture.config import Settings
from venture.store import Stores, stores

MIGRATIONS = Path(__file__).parent / "migrations"


def build_service(settings: Settings) -> Service[Stores]:
    """The service with its consumers registered (also used by provisioning to declare queues)."""
    service = Service("venture", settings, migrations=MIGRATIONS, stores=stores)
    subscribers.register(service)
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    service = build_service(settings)
    app = service.http_app(
        title="东城区公益创投 Venture",
        description="Venture-philanthropy rounds (公益创投): call, review, public notice, grants in tranches, "
        "follow-up by the landing street, graduation of cultivated groups, statistics and a 360Giving export.",
        routers=api.routers(),
    )
    app.state.settings = settings
    app.state.calendar = settings.calendar()
    return app
