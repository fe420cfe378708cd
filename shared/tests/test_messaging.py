"""The messaging kit against the real RabbitMQ and PostgreSQL: outbox, inbox, retries, dead letters."""

from __future__ import annotations

import asyncio
import json
from typing import ClassVar

import aio_pika
import asyncpg
import pytest

from shared.contracts.base import IntegrationEvent
from shared.messaging import deadletters, outbox
from shared.messaging.consumer import PermanentError, TransientError
from shared.messaging.publish import publish_event
from shared.service import Service, ServiceSettings
from testkit import EventTap, eventually

from .conftest import EMPTY_MIGRATIONS


class KitPinged(IntegrationEvent):
    """A test-only fact."""

    routing_key: ClassVar[str] = "kit.pinged.v1"
    n: int


def make_service(dsn: str, amqp_url: str) -> Service:
    settings = ServiceSettings(database_url=dsn, amqp_url=amqp_url, retry_delay=0.05, outbox_poll_interval=0.2)
    return Service("kit", settings, migrations=EMPTY_MIGRATIONS)


async def effects(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r["n"] for r in await conn.fetch("SELECT n FROM effects ORDER BY id")]
    finally:
        await conn.close()


async def test_outbox_keeps_events_while_broker_is_unreachable_and_publishes_them_later(kit_dsn, amqp_url):
    offline = make_service(kit_dsn, "amqp://guest:guest@127.0.0.1:5999/")
    await offline.start()
    await eventually(lambda: asyncio.sleep(0, result=offline.pool is not None))
    async with offline.transaction() as conn:
        await outbox.add(conn, [KitPinged(n=i) for i in range(3)])
    await asyncio.sleep(0.5)
    async with offline.connection() as conn:
        assert await outbox.pending_count(conn) == 3
    await offline.stop()

    async with EventTap("kit.pinged.v1", url=amqp_url) as tap:
        online = make_service(kit_dsn, amqp_url)
        await online.start()
        try:
            got = await tap.wait_for("kit.pinged.v1", 3)
            assert sorted(b["n"] for b in got) == [0, 1, 2]
            msg = tap.messages[0]
            assert msg.message_id == got[0]["event_id"]
            assert msg.type == "kit.pinged.v1"
            assert msg.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
            assert msg.headers["cloudEvents:id"] == msg.message_id
            assert msg.headers["cloudEvents:specversion"] == "1.0"
            assert msg.correlation_id == got[0]["correlation_id"]
            async with online.connection() as conn:
                assert await eventually(lambda: _zero(conn))
        finally:
            await online.stop()


async def _zero(conn: asyncpg.Connection) -> bool:
    return await outbox.pending_count(conn) == 0


async def test_a_held_relay_publishes_nothing_until_the_hold_ends_or_runs_out(kit_dsn, amqp_url):
    svc = make_service(kit_dsn, amqp_url)  # polls every 0.2 s
    await svc.start()
    try:
        await svc.wait_ready()
        async with svc.connection() as conn:
            await eventually(lambda: _zero(conn))
            with svc.outbox_held(at_most=60):
                async with svc.transaction() as tx:
                    await outbox.add(tx, [KitPinged(n=1)])
                await asyncio.sleep(1.0)
                assert await outbox.pending_count(conn) == 1  # held: nothing published
            assert await eventually(lambda: _zero(conn), timeout=5)  # released: published at once

            with svc.outbox_held(at_most=0.5):  # a hold that outlives its limit lets the relay go
                async with svc.transaction() as tx:
                    await outbox.add(tx, [KitPinged(n=2)])
                assert await outbox.pending_count(conn) == 1
                assert await eventually(lambda: _zero(conn), timeout=5)
    finally:
        await svc.stop()


async def test_duplicate_delivery_changes_state_once_even_after_a_relay_crash(kit_dsn, amqp_url, publisher):
    svc = make_service(kit_dsn, amqp_url)

    @svc.consumers.on(KitPinged, name="record")
    async def record(event: KitPinged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    try:
        await svc.wait_ready()
        event = KitPinged(n=7)
        # A relay that crashed after publishing but before marking sends the same event again.
        await publish_event(publisher, event)
        await publish_event(publisher, event)
        await publish_event(publisher, KitPinged(n=8))
        await eventually(lambda: _has(kit_dsn, 2))
        await publish_event(publisher, KitPinged(n=9))  # a marker: handled after the copies before it
        await eventually(lambda: _has(kit_dsn, 3))
        assert sorted(await effects(kit_dsn)) == [7, 8, 9]
    finally:
        await svc.stop()


async def _has(dsn: str, n: int) -> bool:
    return len(await effects(dsn)) >= n


async def test_poison_message_is_dead_lettered_with_reason_and_next_message_is_processed(kit_dsn, amqp_url, publisher):
    svc = make_service(kit_dsn, amqp_url)
    fail_once = {"armed": True}

    @svc.consumers.on(KitPinged, name="record")
    async def record(event: KitPinged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if event.n == 13 and fail_once["armed"]:
            fail_once["armed"] = False
            raise PermanentError("thirteen is refused today")
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    try:
        await svc.wait_ready()
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange("events")
        await exchange.publish(
            aio_pika.Message(b"{not json", message_id="poison-1", content_type="application/json"),
            routing_key="kit.pinged.v1",
        )
        await exchange.publish(
            aio_pika.Message(json.dumps({"n": "x"}).encode(), message_id="poison-2"), routing_key="kit.pinged.v1"
        )
        await publish_event(publisher, KitPinged(n=13))
        await publish_event(publisher, KitPinged(n=1))
        await eventually(lambda: _has(kit_dsn, 1))
        await connection.close()

        async def three_letters() -> list[deadletters.DeadLetter]:
            found = await deadletters.list_dead_letters(amqp_url, "kit")
            return found if len(found) >= 3 else []

        letters = {d.message_id: d for d in await eventually(three_letters)}
        assert "JSON 格式错误" in letters["poison-1"].reason
        assert letters["poison-1"].queue == "kit.kit.pinged.v1"
        assert "n: 应为整数" in letters["poison-2"].reason  # the field and, in Chinese, what was wrong
        refused = next(d for d in letters.values() if d.message_id not in ("poison-1", "poison-2"))
        assert "thirteen is refused today" in refused.reason

        # After the cause is fixed (fail_once disarmed), replaying the refused one processes it.
        assert (await deadletters.replay(amqp_url, "kit", message_ids={refused.message_id})).count == 1
        await eventually(lambda: _has(kit_dsn, 2))
        assert sorted(await effects(kit_dsn)) == [1, 13]
        remaining = await deadletters.list_dead_letters(amqp_url, "kit")
        assert {d.message_id for d in remaining} == {"poison-1", "poison-2"}

        shown = await deadletters.show(amqp_url, "kit", "poison-2")
        assert shown is not None and json.loads(shown["body"]) == {"n": "x"}
        assert shown["headers"]["x-error-queue"] == "kit.kit.pinged.v1"
        assert await deadletters.purge(amqp_url, "kit", message_ids={"poison-1"}) == 1
        assert [d.message_id for d in await deadletters.list_dead_letters(amqp_url, "kit")] == ["poison-2"]
    finally:
        await svc.stop()


async def test_transient_error_is_retried_until_it_succeeds(kit_dsn, amqp_url, publisher):
    svc = make_service(kit_dsn, amqp_url)
    attempts = {"n": 0}

    @svc.consumers.on(KitPinged, name="record")
    async def record(event: KitPinged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise TransientError("database hiccup")
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return [KitEchoed(n=event.n)]

    await svc.start()
    try:
        await svc.wait_ready()
        async with EventTap("kit.echoed.v1", url=amqp_url) as tap:
            source = KitPinged(n=5)
            await publish_event(publisher, source)
            echoed = await tap.wait_for("kit.echoed.v1")
        assert attempts["n"] == 3
        assert await effects(kit_dsn) == [5]
        # The event a consumer causes carries the cause's correlation and its id as causation.
        assert echoed[0]["correlation_id"] == source.correlation_id
        assert echoed[0]["causation_id"] == str(source.event_id)
    finally:
        await svc.stop()


async def test_a_retired_queue_is_deleted_at_start_and_an_absent_one_is_no_error(kit_dsn, amqp_url):
    async with await aio_pika.connect(amqp_url) as conn:
        channel = await conn.channel()
        old = await channel.declare_queue("kit.retired.v1", durable=True)
        await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=old.name)
    svc = make_service(kit_dsn, amqp_url)
    svc.consumers.retire("kit.retired.v1", why="test")
    svc.consumers.retire("kit.never.declared.v1", why="test")
    with pytest.raises(ValueError):
        svc.consumers.retire("venture.not.mine.v1", why="test")
    await svc.start()
    try:
        await svc.wait_ready()
        async with await aio_pika.connect(amqp_url) as conn:
            channel = await conn.channel()
            with pytest.raises(aio_pika.exceptions.ChannelNotFoundEntity):
                await channel.declare_queue("kit.retired.v1", passive=True)
    finally:
        await svc.stop()


async def test_a_backlog_is_handled_in_batches_exactly_once_and_a_poison_one_alone(kit_dsn, amqp_url):
    """300 queued events (10 of them delivered twice, one refused): handled in batches of many
    per transaction, each effect exactly once, each caused event with its own cause's ids, the
    refused one dead-lettered after its batch is retried message by message."""
    svc = make_service(kit_dsn, amqp_url)

    @svc.consumers.on(KitPinged, name="record")
    async def record(event: KitPinged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if event.n == 150:
            raise PermanentError("one hundred and fifty is refused")
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return [KitEchoed(n=event.n)]

    await svc.start()  # declares the queue
    await svc.wait_ready()
    await svc.stop()
    batches_before = _metric("events_batch_size_count")
    fallbacks_before = _metric("events_batch_fallbacks_total", queue="kit.kit.pinged.v1")
    sources = [KitPinged(n=i) for i in range(300)]
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange("events")
    for event in sources + sources[:10]:
        body = event.model_dump_json().encode()
        await exchange.publish(
            aio_pika.Message(body, message_id=str(event.event_id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key="kit.pinged.v1",
        )
    await connection.close()

    async with EventTap("kit.echoed.v1", url=amqp_url) as tap:
        await svc.start()
        try:
            await svc.wait_ready()
            echoed = await tap.wait_for("kit.echoed.v1", 299)
            letters = await eventually(lambda: deadletters.list_dead_letters(amqp_url, "kit"))
        finally:
            await svc.stop()
    done = await effects(kit_dsn)
    assert sorted(done) == [i for i in range(300) if i != 150]
    assert [d.reason for d in letters] == ["PermanentError: one hundred and fifty is refused"]
    by_n = {e.n: e for e in sources}
    assert all(e["causation_id"] == str(by_n[e["n"]].event_id) for e in echoed)
    assert all(e["correlation_id"] == by_n[e["n"]].correlation_id for e in echoed)
    transactions = _metric("events_batch_size_count") - batches_before
    assert 0 < transactions < 100, f"{transactions} batch transactions for 310 deliveries"
    assert _metric("events_batch_fallbacks_total", queue="kit.kit.pinged.v1") - fallbacks_before >= 1


def _metric(name: str, **labels: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


class KitEchoed(IntegrationEvent):
    routing_key: ClassVar[str] = "kit.echoed.v1"
    n: int


@pytest.mark.parametrize("bad", [1.5, "-1.00", "abc", "1.234", " 5"])
def test_money_rejects_floats_negatives_and_non_decimals(bad):
    from pydantic import BaseModel, ValidationError

    from shared.contracts.base import MoneyCNY

    class M(BaseModel):
        amount: MoneyCNY

    with pytest.raises(ValidationError):
        M(amount=bad)
    assert M(amount="200000").model_dump(mode="json") == {"amount": "200000.00"}


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (asyncpg.InternalClientError("cannot switch to state 15"), True),
        (asyncpg.ObjectNotInPrerequisiteStateError('database "x" is not currently accepting connections'), True),
        (asyncpg.AdminShutdownError("terminating connection due to administrator command"), True),
        (asyncpg.TooManyConnectionsError("sorry, too many clients already"), True),
        (ConnectionResetError(), True),
        (asyncpg.ObjectNotInPrerequisiteStateError("cursor is not open"), False),
        (asyncpg.UniqueViolationError("duplicate key"), False),
        (KeyError("bug"), False),
    ],
)
def test_database_outages_are_transient_and_defects_are_not(exc, transient):
    from shared.messaging.consumer import is_transient

    assert is_transient(exc) is transient


class KitFannedOut(IntegrationEvent):
    """A test-only fact sent to two more keys in the same publish."""

    routing_key: ClassVar[str] = "kit.fanned_out.v1"
    text: str

    def bcc(self) -> tuple[str, ...]:
        return ("kit.copy.a", "kit.copy.b")


async def test_the_outbox_rows_are_the_same_written_one_by_one_or_copied_in_bulk(kit_dsn):
    svc = make_service(kit_dsn, "amqp://guest:guest@127.0.0.1:5999/")  # no broker: rows stay pending
    await svc.start()
    try:
        await eventually(lambda: asyncio.sleep(0, result=svc.pool is not None))
        quoted = 'tab\there, "quotes", back\\slash, 北京\nnewline'
        inserted, copied = KitFannedOut(text=quoted), KitFannedOut(text=quoted)
        async with svc.transaction() as conn:
            await outbox.add(conn, [inserted, inserted])  # the same event twice is written once
            await outbox.add(conn, [copied], fresh=True)
        async with svc.connection() as conn:
            rows = {
                r["event_id"]: r
                for r in await conn.fetch("SELECT event_id, routing_key, payload, correlation_id, bcc FROM outbox")
            }
        assert len(rows) == 2
        one, bulk = rows[inserted.event_id], rows[copied.event_id]
        assert one["payload"] == inserted.model_dump(mode="json") and bulk["payload"] == copied.model_dump(mode="json")
        assert one["bcc"] == bulk["bcc"] == ["kit.copy.a", "kit.copy.b"]
        assert (one["routing_key"], one["correlation_id"]) == ("kit.fanned_out.v1", inserted.correlation_id)
        assert (bulk["routing_key"], bulk["correlation_id"]) == ("kit.fanned_out.v1", copied.correlation_id)
    finally:
        await svc.stop()
