"""The one composition root: wires settings, the kit's runtime, consumers and routes."""

from pathlib import Path

from fastapi import FastAPI

from procurement import api, subscribers
from procurement.config import Settings
from procurement.handlers.projects import Setup
from procurement.store import Stores, stores
from shared.service import Service

MIGRATIONS = Path(__file__).parent / "migrations"


def build_service(settings: Settings) -> Service[Stores]:
    """The service with its consumers registered (also used by provisioning to declare queues)."""
    service = Service("procurement", settings, migrations=MIGRATIONS, stores=stores)
    subscribers.register(service, settings.district_systems())
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    service = build_service(settings)
    app = service.http_app(
        title="东城区政府购买服务 Procurement",
        description="Demands from district systems, the ten procurement steps, statistics and OCDS export.",
        routers=api.routers,
        body_limits={"/projects/historical": settings.historical_max_body_bytes},
    )
    policy = settings.ocds_publication_policy_url
    app.state.setup = Setup(
        rules=settings.rules(),
        calendar=settings.calendar(),
        ocid_prefix=settings.ocid_prefix,
        publication_policy=str(policy) if policy else None,
    )
    return app
