"""Notify tests run against the real PostgreSQL (database notify_test) and RabbitMQ (vhost sogc_test)."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import structlog
from asgi_lifespan import LifespanManager

from notify.app import create_app
from notify.config import Settings
from shared import logging as kit_logging
from testkit import fresh_database, purge_queues, service_amqp_url, service_migrations

sys.path.insert(0, str(Path(__file__).parent))  # tests/samples.py and tests/receivers.py

# INFO, so tests can look at every line notify logs (the `logged` fixture); shown only on failure.
kit_logging.configure("notify-test", level="INFO", cache=False)
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd, the tests' own mail server


@pytest.fixture
async def settings() -> Settings:
    await purge_queues("notify.")
    dsn = await fresh_database("notify_test", "notify", migrations=service_migrations("notify"))
    return Settings(
        database_url=dsn,
        amqp_url=service_amqp_url("notify"),
        retry_delay=0.05,
        outbox_poll_interval=0.2,
        worker_poll_interval=0.1,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
        max_attempts=4,
        worker_lease_seconds=10,
        delivery_deadline_seconds=5,
        # The receivers of these tests listen on loopback, which no deployment allows by default.
        webhook_private_allowlist="127.0.0.1/32",
        db_pool_size=4,  # the test server's connections are shared with every team's test runs
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The notify app running in-process with its real lifespan (pool, broker, relay, worker)."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service.wait_ready(timeout=90)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify.test") as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


@pytest.fixture
def running(settings: Settings):  # type: ignore[no-untyped-def]
    """Start the app with extra settings: `async with running(smtp_port=...) as client:`."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def start(**overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.model_copy(update=overrides))
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
            await app.state.service.wait_ready(timeout=90)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://notify.test") as c:
                c.app = app  # type: ignore[attr-defined]
                yield c

    return start


@pytest.fixture
async def publisher() -> AsyncIterator[object]:
    """A broker on the test vhost as the guest user: publishes events as other services would."""
    from faststream.rabbit import RabbitBroker

    from testkit import ADMIN_AMQP_URL

    broker = RabbitBroker(ADMIN_AMQP_URL, logger=None)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
def logged() -> Iterator[list[str]]:
    """Every log line emitted while the test runs (at INFO and above), as text: structlog's
    (a processor added to the configured chain, which cached loggers share) and stdlib logging's."""
    lines: list[str] = []

    def keep(_: object, __: str, event: dict) -> dict:  # type: ignore[type-arg]
        lines.append(repr(event))
        return event

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not record.name.startswith("mail.log"):  # the test's own SMTP server (aiosmtpd)
                lines.append(record.getMessage())

    # Every suite's conftest configures logging at import; the last one's level holds in a whole
    # run. INFO while this test runs (loggers are not cached in tests, so all of them follow).
    config = structlog.get_config()
    wrapper, root, root_level = config["wrapper_class"], logging.getLogger(), logging.getLogger().level
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    root.setLevel(logging.INFO)
    processors = config["processors"]
    processors.insert(0, keep)
    handler = Keep()
    root.addHandler(handler)
    try:
        yield lines
    finally:
        processors.remove(keep)
        root.removeHandler(handler)
        structlog.configure(wrapper_class=wrapper)
        root.setLevel(root_level)
