from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from faststream.rabbit import RabbitBroker

from shared import logging as kit_logging
from shared.db import KIT_MIGRATIONS
from testkit import ADMIN_AMQP_URL, fresh_database, purge_queues

kit_logging.configure("kit-test", level="INFO", cache=False)

EMPTY_MIGRATIONS = Path(__file__).parent / "migrations"
# A test asking for either needs the real PostgreSQL or RabbitMQ: `make test-unit` leaves it out.
NEEDS_BROKER_OR_DATABASE = {"kit_dsn", "amqp_url", "clean_broker"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and NEEDS_BROKER_OR_DATABASE & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
async def kit_dsn() -> AsyncIterator[str]:
    await purge_queues("kit.")
    yield await fresh_database("kit_test", "postgres", migrations=[KIT_MIGRATIONS, EMPTY_MIGRATIONS])


@pytest.fixture
def amqp_url() -> str:
    return ADMIN_AMQP_URL


@pytest.fixture
async def publisher(amqp_url: str) -> AsyncIterator[RabbitBroker]:
    """A broker publishing events as another service would (the service under test has no
    FastStream connection of its own: it consumes and relays on one aio-pika connection)."""
    broker = RabbitBroker(amqp_url, logger=None)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()
