"""Units of work and named consumers, on the real database and broker: a use case's events reach
the outbox only with its state change, and a consumer's inbox identity is its name, not its
function's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import asyncpg
import pytest

from shared.contracts.base import IntegrationEvent
from shared.messaging import inbox
from shared.messaging.publish import publish_event
from shared.service import Service, ServiceSettings
from testkit import eventually

from .conftest import EMPTY_MIGRATIONS


class KitCounted(IntegrationEvent):
    """A test-only fact."""

    routing_key: ClassVar[str] = "kit.counted.v1"
    n: int


@dataclass(frozen=True)
class Effects:
    """A store of the test service: the one table its use cases write."""

    conn: asyncpg.Connection

    async def add(self, n: int, event_id: object) -> None:
        await self.conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", n, event_id)

    async def all(self) -> list[int]:
        return [r["n"] for r in await self.conn.fetch("SELECT n FROM effects ORDER BY id")]


@dataclass(frozen=True)
class Stores:
    effects: Effects


def stores(conn: asyncpg.Connection) -> Stores:
    return Stores(Effects(conn))


def service(dsn: str, amqp_url: str) -> Service[Stores]:
    settings = ServiceSettings(database_url=dsn, amqp_url=amqp_url, retry_delay=0.05, outbox_poll_interval=0.2)
    return Service("kit", settings, migrations=EMPTY_MIGRATIONS, stores=stores)


async def outbox_keys(svc: Service[Stores]) -> list[str]:
    async with svc.connection() as conn:
        return [r["routing_key"] for r in await conn.fetch("SELECT routing_key FROM outbox ORDER BY id")]


async def test_events_emitted_in_a_unit_of_work_commit_with_its_state_or_not_at_all(kit_dsn, amqp_url):
    svc = service(kit_dsn, amqp_url)
    await svc.start()
    await svc.wait_ready()
    try:
        event = KitCounted(n=1)
        async with svc.unit_of_work() as uow:
            await uow.stores.effects.add(1, event.event_id)
            uow.emit([event])
        with pytest.raises(RuntimeError):
            async with svc.unit_of_work() as uow:
                await uow.stores.effects.add(2, event.event_id)
                uow.emit([KitCounted(n=2)])
                raise RuntimeError("the use case refused after writing")
        async with svc.reading() as read:
            assert await read.effects.all() == [1]
        assert await outbox_keys(svc) == ["kit.counted.v1"]
    finally:
        await svc.stop()


async def test_a_named_consumer_keeps_deduplicating_an_event_consumed_under_its_old_function_name(
    kit_dsn, amqp_url, publisher
):
    """Before consumers were named, the inbox identity was the handler function's name: an event
    consumed then (recorded as `kit.record_count`) and redelivered after the upgrade is a duplicate."""
    svc = service(kit_dsn, amqp_url)
    seen: list[int] = []

    @svc.consumers.on(KitCounted, name="record_count")
    async def renamed_since(event: KitCounted, stores: Stores) -> list[IntegrationEvent]:
        seen.append(event.n)
        await stores.effects.add(event.n, event.event_id)
        return []

    await svc.start()
    await svc.wait_ready()
    try:
        before, after = KitCounted(n=1), KitCounted(n=2)
        async with svc.transaction() as conn:
            assert await inbox.first_time(conn, consumer="kit.record_count", event_id=before.event_id)
        await publish_event(publisher, before)  # the redelivery of an event consumed before the upgrade
        await publish_event(publisher, after)

        async def done() -> list[int]:
            async with svc.reading() as read:
                return await read.effects.all()

        assert await eventually(done) == [2]
        assert seen == [2]
    finally:
        await svc.stop()
