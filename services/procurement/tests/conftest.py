"""Procurement tests run against the real PostgreSQL (database procurement_test) and RabbitMQ (vhost sogc_test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from procurement.app import create_app
from procurement.config import Settings
from shared import logging as kit_logging
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import OrgRegistered, OrgSnapshot
from shared.testing import ADMIN_AMQP_URL, eventually, fresh_database, purge_queues, service_amqp_url

kit_logging.configure("procurement-test", level="WARNING")


@pytest.fixture
async def settings() -> Settings:
    await purge_queues("procurement.")
    dsn = await fresh_database("procurement_test", "procurement")
    return Settings(
        database_url=dsn, amqp_url=service_amqp_url("procurement"), retry_delay=0.05, outbox_poll_interval=0.2
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The procurement app running in-process with its real lifespan (pool, broker, relay)."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service.wait_ready()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://procurement.test") as c:
            yield c


@pytest.fixture
async def db(settings: Settings, client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the service database, for asserting on read models and kept messages."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def publish_raw(
    body: bytes, routing_key: str, *, message_id: str | None = None, url: str = ADMIN_AMQP_URL
) -> str:
    """Publish bytes to exchange `events` as an external system would; returns the message id."""
    message_id = message_id or str(uuid4())
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("events", ensure=False)
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=routing_key,
        )
    finally:
        await connection.close()
    return message_id


async def publish_event(event: IntegrationEvent) -> None:
    await publish_raw(event.model_dump_json().encode(), event.routing_key, message_id=str(event.event_id))


def org_snapshot(org_id: UUID | None = None, *, version: int = 1, **overrides: Any) -> OrgSnapshot:
    data: dict[str, Any] = {
        "org_id": org_id or uuid4(),
        "version": version,
        "name": "东城区阳光为老服务中心",
        "org_type": "private_non_enterprise",
        "status": "registered",
        "credit_code": "52110101MJ0123456W",
        "street_code": "110101006",
        "registered_on": date(2020, 5, 1),
    }
    data.update(overrides)
    return OrgSnapshot.model_validate(data)


async def registered_org(db: asyncpg.Connection, **overrides: Any) -> OrgSnapshot:
    """An org registered through a real registry event, once procurement's read model has it."""
    snapshot = org_snapshot(**overrides)
    await publish_event(OrgRegistered(org=snapshot))

    async def present() -> bool:
        return bool(await db.fetchval("SELECT version FROM orgs WHERE org_id = $1", snapshot.org_id))

    await eventually(present)
    return snapshot


class Kit:
    """Test helpers handed to tests as a fixture (conftest modules cannot be imported under importlib mode)."""

    publish_raw = staticmethod(publish_raw)
    publish_event = staticmethod(publish_event)
    org_snapshot = staticmethod(org_snapshot)
    registered_org = staticmethod(registered_org)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
