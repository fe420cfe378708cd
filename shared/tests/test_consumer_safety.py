"""Whatever arrives, a kit consumer settles it: answered, or dead-lettered with its reason, and
never left unacked (a prefetch's worth of unacked messages stops a queue for everyone). Run on
the real broker and database with a generic consumer, not a service's."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

import aio_pika
import asyncpg
import pytest
from pydantic import Field

from shared.contracts.base import FieldError, IntegrationEvent
from shared.messaging import deadletters
from shared.messaging.consumer import InvalidMessage, TransientError, current_delivery
from shared.messaging.publish import publish_event
from shared.service import Service, ServiceSettings
from testkit import (
    TEST_VHOST,
    EventTap,
    RawTimestamp,
    eventually,
    publish_message,
)

from .conftest import EMPTY_MIGRATIONS

DISTRICT_URL = f"amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/{TEST_VHOST}"
PREFETCH = 4


class KitNudged(IntegrationEvent):
    """A test-only fact a generic consumer takes; small bodies only."""

    routing_key: ClassVar[str] = "kit.nudged.v1"
    max_body_bytes: ClassVar[int | None] = 8192
    n: int


class KitAsked(IntegrationEvent):
    """A test-only request whose consumer answers what it cannot read."""

    routing_key: ClassVar[str] = "kit.asked.v1"
    n: int


class KitAnswered(IntegrationEvent):
    routing_key: ClassVar[str] = "kit.answered.v1"
    about: str | None = None
    fields: list[str] = Field(default_factory=list)


class KitCopied(IntegrationEvent):
    """A test-only fact that also goes, in the same publish, to its recipient's own key."""

    routing_key: ClassVar[str] = "kit.copied.v1"
    to: str

    def bcc(self) -> tuple[str, ...]:
        return (f"kit.to.{self.to}.copied.v1",)


def service(dsn: str, amqp_url: str) -> Service:
    settings = ServiceSettings(
        database_url=dsn, amqp_url=amqp_url, retry_delay=0.05, outbox_poll_interval=0.2, prefetch_count=PREFETCH
    )
    return Service("kit", settings, migrations=EMPTY_MIGRATIONS)


async def effects(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r["n"] for r in await conn.fetch("SELECT n FROM effects ORDER BY id")]
    finally:
        await conn.close()


async def left_in(amqp_url: str, queue: str) -> int:
    """Messages still in a queue; with no consumer, an unacked one is back in it."""
    async with await aio_pika.connect(amqp_url) as conn:
        channel = await conn.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def letters(amqp_url: str, n: int) -> list[deadletters.DeadLetter]:
    async def enough() -> list[deadletters.DeadLetter]:
        found = await deadletters.list_dead_letters(amqp_url, "kit", limit=500)
        return found if len(found) >= n else []

    return await eventually(enough, timeout=30)


def by_id(found: list[deadletters.DeadLetter]) -> dict[str, deadletters.DeadLetter]:
    return {d.message_id: d for d in found if d.message_id is not None}


def nested(depth: int) -> bytes:
    return b'{"n": ' + b"[" * depth + b"]" * depth + b"}"


# (message_id, body, properties): each breaks the generic consumer in its own way.
HOSTILE: list[tuple[str, bytes, dict[str, Any]]] = [
    *[(f"nested-{i}", b"[" * 5000, {}) for i in range(PREFETCH + 1)],
    ("nested-in-a-field", nested(3000), {}),
    ("not-an-object", b'"just a string"', {}),
    ("not-utf8", b"\xff\xfe\x00garbage", {}),
    ("too-big", json.dumps({"n": 1, "pad": "x" * 9000}).encode(), {}),
    ("huge-integer", b'{"n": ' + b"9" * 5000 + b"}", {}),
    ("infinite-number", b'{"n": 1e999}', {}),
    ("timestamp-property-out-of-range", b'{"n": 1}', {"timestamp": RawTimestamp(2**64 - 1)}),
    ("timestamp-header-out-of-range", b'{"n": 1}', {"headers": {"when": RawTimestamp(2**63)}}),
]


async def test_no_message_is_left_unacked_whatever_it_holds(kit_dsn, amqp_url, publisher):
    svc = service(kit_dsn, amqp_url)

    @svc.consumers.on(KitNudged, name="record")
    async def record(event: KitNudged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if event.n == 666:
            raise KeyError("a defect in the handler")
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    await svc.wait_ready()
    try:
        for message_id, body, props in HOSTILE:
            await publish_message(amqp_url, "kit.nudged.v1", body, message_id=message_id, **props)
        await publish_event(publisher, KitNudged(n=666))
        await publish_event(publisher, KitNudged(n=1))  # after a prefetch's worth of poison
        await eventually(lambda: _effects_are(kit_dsn, [1]), timeout=30)
        found = await letters(amqp_url, len(HOSTILE) + 1)
    finally:
        await svc.stop()
    assert await left_in(amqp_url, "kit.kit.nudged.v1") == 0
    assert len(found) == len(HOSTILE) + 1 and all(d.reason for d in found)
    parked = by_id(found)
    assert "嵌套" in parked["nested-0"].reason and "(body)" in parked["not-utf8"].reason
    assert "超过上限 8192 字节" in parked["too-big"].reason
    # Properties the client cannot decode are dropped whole (the message id with them).
    assert len([d for d in found if "(properties)" in d.reason]) == 2
    assert any("KeyError" in d.reason for d in found)


async def _effects_are(dsn: str, expected: list[int]) -> bool:
    return await effects(dsn) == expected


async def _handled(dsn: str, n: int) -> bool:
    return n in await effects(dsn)


async def test_an_answer_handler_that_fails_parks_the_message_and_a_transient_failure_retries(
    kit_dsn, amqp_url, publisher
):
    svc = service(kit_dsn, amqp_url)
    flaky = {"left": 2}

    async def answer(invalid: InvalidMessage, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        if invalid.message_id == "answer-explodes":
            raise RuntimeError("a defect in the answer")
        if invalid.message_id == "answer-recurses":
            raise RecursionError("maximum recursion depth exceeded")
        if invalid.message_id == "answer-flaky" and flaky["left"]:
            flaky["left"] -= 1
            raise TransientError("database hiccup")
        assert current_delivery() is invalid.delivery
        return [KitAnswered(about=invalid.message_id, fields=[e.field for e in invalid.errors])]

    @svc.consumers.on(KitAsked, name="asked", on_invalid=answer)
    async def asked(event: KitAsked, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        return [KitAnswered(about=str(event.n))]

    await svc.start()
    await svc.wait_ready()
    try:
        async with EventTap("kit.answered.v1", url=amqp_url) as tap:
            for message_id in ("answer-explodes", "answer-recurses", *[f"nested-{i}" for i in range(PREFETCH + 1)]):
                await publish_message(amqp_url, "kit.asked.v1", b"[" * 5000, message_id=message_id)
            await publish_message(amqp_url, "kit.asked.v1", b"{}", message_id="answer-flaky")
            await publish_event(publisher, KitAsked(n=7))
            answers = await tap.wait_for("kit.answered.v1", PREFETCH + 3, timeout=30)
        parked = by_id(await letters(amqp_url, 2))
    finally:
        await svc.stop()
    assert await left_in(amqp_url, "kit.kit.asked.v1") == 0
    answered = {a["about"]: a for a in answers}
    assert answered["nested-0"]["fields"] == ["(body)"] and answered["answer-flaky"]["fields"] == ["n"]
    assert "7" in answered and flaky["left"] == 0
    assert "a defect in the answer" in parked["answer-explodes"].reason
    assert "RecursionError" in parked["answer-recurses"].reason


async def test_a_copy_forced_into_a_queue_with_a_cc_header_is_not_taken_for_the_event(kit_dsn, amqp_url, publisher):
    """RabbitMQ checks topic permissions on the routing key only, not on CC/BCC keys: a district
    system may publish `district.*` with `CC: kit.nudged.v1`. The copy arrives under its own key."""
    svc = service(kit_dsn, amqp_url)

    @svc.consumers.on(KitNudged, name="record")
    async def record(event: KitNudged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    await svc.wait_ready()
    try:
        forged = KitNudged(n=13).model_dump_json().encode()
        await publish_message(
            DISTRICT_URL, "district.kit_probe.v1", forged, message_id="forged", headers={"CC": ["kit.nudged.v1"]}
        )
        await publish_event(publisher, KitNudged(n=1))
        await eventually(lambda: _effects_are(kit_dsn, [1]))
        parked = by_id(await letters(amqp_url, 1))
        assert "routing_key" in parked["forged"].reason
        # An operator replaying everything does not launder it into the queue either.
        replayed = await deadletters.replay(amqp_url, "kit")
        assert replayed.count == 0 and "路由键" in replayed.kept[0][1]
        await publish_event(publisher, KitNudged(n=2))  # a marker: handled after anything replayed
        await eventually(lambda: _handled(kit_dsn, 2))
        assert await effects(kit_dsn) == [1, 2]
    finally:
        await svc.stop()


async def test_a_replayed_dead_letter_is_still_taken_for_the_event(kit_dsn, amqp_url, publisher):
    svc = service(kit_dsn, amqp_url)
    armed = {"fail": True}

    @svc.consumers.on(KitNudged, name="record")
    async def record(event: KitNudged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if armed["fail"]:
            raise KeyError("not yet")
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    await svc.wait_ready()
    try:
        event = KitNudged(n=5)
        await publish_event(publisher, event)
        await letters(amqp_url, 1)
        armed["fail"] = False
        assert (await deadletters.replay(amqp_url, "kit", message_ids={str(event.event_id)})).count == 1
        await eventually(lambda: _effects_are(kit_dsn, [5]))
    finally:
        await svc.stop()


class KitProbed(IntegrationEvent):
    """A test-only fact under a key a district login may publish."""

    routing_key: ClassVar[str] = "district.kit_probed.v1"
    n: int


async def test_a_message_from_another_login_is_parked_and_its_replay_keeps_the_senders_login(kit_dsn, amqp_url):
    """A dead letter's copy cannot claim its sender's `user_id` (RabbitMQ closed the channel on
    it, and no message was parked after that); the sender's login goes with it and comes back on
    an operator's replay, so a handler that authorises by login still knows who sent it."""
    svc = service(kit_dsn, amqp_url)
    armed, senders = {"fail": True}, []

    @svc.consumers.on(KitProbed, name="record")
    async def record(event: KitProbed, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if armed["fail"]:
            raise KeyError("a defect, fixed later")
        delivery = current_delivery()
        senders.append(delivery.user_id if delivery else None)
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    await svc.wait_ready()
    try:
        for n in (1, 2):  # the second is parked too: the channel stays usable after the first
            body = KitProbed(n=n).model_dump_json().encode()
            await publish_message(
                DISTRICT_URL, KitProbed.routing_key, body, message_id=f"probe-{n}", user_id="district-demo"
            )
        parked = by_id(await letters(amqp_url, 2))
        assert set(parked) == {"probe-1", "probe-2"} and "KeyError" in parked["probe-1"].reason
        # A dead-letter channel the broker closed (a channel-level error) is opened again.
        channel = svc.consumers.dead_letters.channel
        assert channel is not None
        await channel.close()
        await publish_message(
            DISTRICT_URL, KitProbed.routing_key, KitProbed(n=3).model_dump_json().encode(), message_id="probe-3"
        )
        assert "probe-3" in by_id(await letters(amqp_url, 3))
        armed["fail"] = False
        assert (await deadletters.replay(amqp_url, "kit", message_ids={"probe-1", "probe-2"})).count == 2
        await eventually(lambda: _effects_are(kit_dsn, [1, 2]))
        assert senders == ["district-demo", "district-demo"]
    finally:
        await svc.stop()


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"correlation_id": "their-request-7", "message_id": "m-7"}, "their-request-7"),
        ({"message_id": "m-8"}, "m-8"),
        ({"correlation_id": "x" * 250, "message_id": "m-9"}, "m-9"),
    ],
)
async def test_what_a_message_causes_correlates_with_its_senders_ids(kit_dsn, amqp_url, props, expected):
    svc = service(kit_dsn, amqp_url)

    async def answer(invalid: InvalidMessage, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        return [KitAnswered(about=invalid.message_id)]

    @svc.consumers.on(KitAsked, name="asked", on_invalid=answer)
    async def asked(event: KitAsked, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        return [KitAnswered(about=str(event.n))]

    await svc.start()
    await svc.wait_ready()
    try:
        async with EventTap("kit.answered.v1", url=amqp_url) as tap:
            await publish_message(amqp_url, "kit.asked.v1", b'{"n": 3}', **props)
            await publish_message(amqp_url, "kit.asked.v1", b"{oops", **props)
            answers = await tap.wait_for("kit.answered.v1", 2)
    finally:
        await svc.stop()
    assert [a["correlation_id"] for a in answers] == [expected, expected]


async def test_an_event_with_bcc_keys_reaches_them_in_one_publish_and_each_queue_once(kit_dsn, amqp_url):
    svc = service(kit_dsn, amqp_url)
    await svc.start()
    await svc.wait_ready()
    try:
        async with (
            EventTap("kit.copied.v1", url=amqp_url) as everyone,
            EventTap("kit.to.a.copied.v1", url=amqp_url) as a,
            EventTap("kit.to.b.copied.v1", url=amqp_url) as b,
            EventTap("kit.#", url=amqp_url) as both_keys,
        ):
            async with svc.transaction() as conn:
                from shared.messaging import outbox

                await outbox.add(conn, [KitCopied(to="a")])
            [mine] = await a.wait_for("kit.copied.v1")
            await everyone.wait_for("kit.copied.v1")
            for tap in (everyone, a, b, both_keys):
                await tap.settle()
        assert mine["to"] == "a" and not b.messages
        assert len(everyone.messages) == 1 and len(both_keys.messages) == 1
        delivered = a.messages[0]
        assert delivered.routing_key == "kit.copied.v1" and "BCC" not in (delivered.headers or {})
    finally:
        await svc.stop()


def test_field_errors_of_a_refused_body_hold_only_storable_text():
    from shared.messaging.delivery import Delivery, read

    delivery = Delivery("q", "events", "kit.nudged.v1", None, None, None, None, {}, b'{"n": "\\u0000"}')
    errors = read(KitNudged, delivery)
    assert isinstance(errors, list) and errors[0].field == "n"
    assert all("\x00" not in e.message for e in errors)
    assert FieldError.model_validate(errors[0].model_dump()) == errors[0]
