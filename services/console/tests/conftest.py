"""Console tests run against the real PostgreSQL (database console_test) and RabbitMQ (vhost sogc_test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from console.app import create_app
from console.config import Settings
from shared import logging as kit_logging
from testkit import fresh_database, purge_queues, service_amqp_url, service_migrations

kit_logging.configure("console-test", level="WARNING", cache=False)


class MovableClock:
    """The real time, plus however far a test moved it (expired links, lockouts running out)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    await purge_queues("console.")
    dsn = await fresh_database("console_test", "console", migrations=service_migrations("console"))
    return Settings(
        database_url=dsn,
        amqp_url=service_amqp_url("console"),
        retry_delay=0.05,
        outbox_poll_interval=0.2,
        db_pool_size=4,
        issuer="http://console.test",
        keys_dir=tmp_path / "issuer-keys",
        secure_cookies=False,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        lockout_failures=3,
        ip_failures=20,
        dev_maildir=tmp_path / "mail",
    )


@pytest.fixture
async def app(settings: Settings, clock: MovableClock) -> AsyncIterator[object]:
    application = create_app(settings, clock=clock)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        await application.state.service.wait_ready()
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as c:
        yield c
