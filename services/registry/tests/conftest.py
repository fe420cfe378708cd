"""Registry tests run against the real PostgreSQL (database registry_test) and RabbitMQ (vhost sogc_test)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from registry.app import create_app
from registry.config import Settings
from shared import logging as kit_logging
from testkit import fresh_database, purge_queues, service_amqp_url, service_migrations

kit_logging.configure("registry-test", level="WARNING", cache=False)


@pytest.fixture
async def settings() -> Settings:
    await purge_queues("registry.")
    dsn = await fresh_database("registry_test", "registry", migrations=service_migrations("registry"))
    return Settings(
        database_url=dsn,
        amqp_url=service_amqp_url("registry"),
        retry_delay=0.05,
        outbox_poll_interval=0.2,
        db_pool_size=4,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The registry app running in-process with its real lifespan (pool, broker, relay)."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service.wait_ready()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as c:
            yield c


@pytest.fixture
async def db(settings: Settings, client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the registry's test database, to check what was (not) written."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        yield conn
    finally:
        await conn.close()
