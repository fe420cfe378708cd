"""With RabbitMQ unreachable, registrations still succeed; their events go out once it is back."""

from __future__ import annotations

import json

import httpx
from asgi_lifespan import LifespanManager

from registry.app import create_app
from testkit import EventTap, eventually, token

from .helpers import filing, registration

ADMIN = token("district_admin", sub="alice")


async def test_registrations_succeed_while_the_broker_is_down_and_are_published_when_it_is_back(settings):
    offline = settings.model_copy(update={"amqp_url": "amqp://registry:x@127.0.0.1:5999/"})
    app = create_app(offline)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        service = app.state.service
        await eventually(lambda: _ready_db(service))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry.test") as c:
            created = await c.post("/orgs", json=registration(), headers=ADMIN)
            filed = await c.post("/filings", json=filing(), headers=ADMIN)
            assert (created.status_code, filed.status_code) == (201, 201)
            ready = await c.get("/ready")
            assert ready.status_code == 503 and ready.json()["broker"] is False
    ids = {created.json()["org_id"], filed.json()["org_id"]}

    async with EventTap("registry.org_registered.v1", "registry.org_filed.v1") as tap:
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):

            async def both() -> list:
                found = [m for m in tap.messages if json.loads(m.body)["org"]["org_id"] in ids]
                return found if len(found) >= 2 else []

            messages = await eventually(both)
    keys = sorted(m.routing_key for m in messages)
    assert keys == ["registry.org_filed.v1", "registry.org_registered.v1"]
    assert all(m.message_id == json.loads(m.body)["event_id"] for m in messages)


async def _ready_db(service) -> bool:
    return service.pool is not None
