"""The event archive: a late subscriber replays history into its own queue (docs in ops/archive.py)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import aiormq
import pytest

from ops.archive import replay, topic_matches
from testkit import ADMIN_AMQP_URL, TEST_VHOST


def test_topic_patterns_match_like_the_broker():
    assert topic_matches("procurement.#", "procurement.project_signed.v1")
    assert topic_matches("#", "registry.org_registered.v1")
    assert topic_matches("*.org_registered.v1", "registry.org_registered.v1")
    assert not topic_matches("procurement.*", "procurement.project_signed.v1")
    assert not topic_matches("venture.#", "procurement.project_signed.v1")


async def test_a_late_subscriber_replays_archived_events_since_a_point_in_time():
    marker = uuid.uuid4().hex
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        events = await channel.get_exchange("events")

        async def publish(key: str, n: int) -> None:
            body = json.dumps({"marker": marker, "n": n}).encode()
            msg = aio_pika.Message(body, message_id=f"{marker}-{n}", timestamp=datetime.now(UTC))
            await events.publish(msg, routing_key=key)

        await publish("notify.notification_sent.v1", 0)  # before the point in time: not replayed
        await asyncio.sleep(1.5)
        since = datetime.now(UTC) - timedelta(milliseconds=200)
        await publish("notify.notification_sent.v1", 1)
        await publish("notify.delivery_failed.v1", 2)
        await publish("procurement.demand_accepted.v1", 3)  # filtered out by --key
        await asyncio.sleep(1.0)  # the archive timestamps of the replay window must be in the past

        inbox = await channel.declare_queue(f"archive-test.{marker}", exclusive=True)
        copied = await replay(ADMIN_AMQP_URL, inbox.name, since=since, keys=["notify.#"])
        got = []
        while (msg := await inbox.get(no_ack=True, fail=False)) is not None:
            body = json.loads(msg.body)
            if body.get("marker") == marker:
                got.append((body["n"], msg.message_id))
        assert sorted(got) == [(1, f"{marker}-1"), (2, f"{marker}-2")]
        assert copied >= 2
    finally:
        await conn.close()


async def test_an_answer_published_with_its_senders_bcc_copy_is_archived_once():
    """Procurement publishes a demand answer once, with a BCC key for its sender: the archive,
    bound to the v1 key only, keeps one copy."""
    from shared.contracts.procurement import DemandAccepted
    from shared.messaging.publish import amqp_message

    answer = DemandAccepted(demand_id=uuid.uuid4(), source_system="district-demo", demand_ref="ARCHIVE-1")
    assert answer.bcc() == ("procurement.to.district-demo.demand_accepted.v1",)
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        events = await channel.get_exchange("events")
        since = datetime.now(UTC) - timedelta(seconds=1)
        message = amqp_message(
            answer.model_dump_json().encode(),
            routing_key=answer.routing_key,
            event_id=str(answer.event_id),
            occurred_at=datetime.now(UTC),
            correlation_id=answer.correlation_id,
            app_id="procurement",
            bcc=answer.bcc(),
        )
        sender = await channel.declare_queue(exclusive=True)
        await sender.bind(events, answer.bcc()[0])
        await events.publish(message, routing_key=answer.routing_key)
        await asyncio.sleep(1.0)  # the archive timestamps of the replay window must be in the past

        copy = await sender.get(no_ack=True, fail=False)
        assert copy is not None and copy.message_id == str(answer.event_id) and "BCC" not in (copy.headers or {})
        inbox = await channel.declare_queue(f"archive-test.{answer.event_id}", exclusive=True)
        await replay(ADMIN_AMQP_URL, inbox.name, since=since, keys=["procurement.#"])
        archived = []
        while (msg := await inbox.get(no_ack=True, fail=False)) is not None:
            if msg.message_id == str(answer.event_id):
                archived.append(msg.type)
        assert archived == ["procurement.demand_accepted.v1"]
    finally:
        await conn.close()


async def _read(url: str, stream: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message of a stream, from the first, as the login of `url` reads it."""
    conn = await aio_pika.connect(url)
    got: list[aio_pika.abc.AbstractIncomingMessage] = []
    try:
        channel = await conn.channel()
        await channel.set_qos(prefetch_count=100)
        queue = await channel.get_queue(stream, ensure=False)

        async def on(msg: aio_pika.abc.AbstractIncomingMessage) -> None:
            got.append(msg)
            await msg.ack()

        tag = await queue.consume(on, arguments={"x-stream-offset": "first"})
        await asyncio.sleep(3.0)  # a stream has no end: wait for what it holds
        await queue.cancel(tag)
    finally:
        await conn.close()
    return got


async def test_each_subscriber_reads_its_own_history_of_its_own_keys_after_the_epoch_marker():
    from ops.accounts import SUBSCRIBERS
    from ops.archive import EPOCH_TYPE, backfill, current_epoch, reset_archive

    grid, platform = SUBSCRIBERS.get("dongsi-grid"), SUBSCRIBERS.get("district-dataplatform")
    assert grid is not None and platform is not None
    epoch = await reset_archive(ADMIN_AMQP_URL, "test reset")
    assert await current_epoch(ADMIN_AMQP_URL) == epoch
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        events = await channel.get_exchange("events")
        for key in ("registry.org_registered.v1", "procurement.project_signed.v1", "procurement.reviewer_assigned.v1"):
            await events.publish(aio_pika.Message(b"{}", message_id=f"{key}-1", type=key), routing_key=key)
    finally:
        await conn.close()

    def own(user: str) -> str:
        return f"amqp://{user}:{user}-dev-password@127.0.0.1:5672/{TEST_VHOST}"

    history = await _read(own(grid.name), grid.history)
    assert history[0].type == EPOCH_TYPE and history[0].headers["x-epoch-id"] == epoch
    assert [m.message_id for m in history[1:]] == ["registry.org_registered.v1-1"]
    assert [m.message_id for m in (await _read(own(platform.name), platform.history))[1:]] == [
        "procurement.project_signed.v1-1"
    ]
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await _read(own(platform.name), grid.history)  # another system's history
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await _read(own(platform.name), "events.archive")  # the whole archive

    with pytest.raises(SystemExit, match="already holds messages"):
        await backfill(ADMIN_AMQP_URL, grid)  # its history would be there twice
    # A system provisioned later: its new stream gets the marker, then the archive's past of its keys.
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel()
        await channel.queue_delete(platform.history)
        stream = await channel.declare_queue(platform.history, durable=True, arguments={"x-queue-type": "stream"})
        for key in platform.keys:
            await stream.bind("events", key)
    finally:
        await conn.close()
    await asyncio.sleep(1.0)  # the replay copies what was archived before it started
    assert await backfill(ADMIN_AMQP_URL, platform) == 1
    copied = await _read(own(platform.name), platform.history)
    assert copied[0].type == EPOCH_TYPE and copied[0].headers["x-epoch-id"] == epoch
    assert [(m.message_id, m.headers.get("x-replayed-from")) for m in copied[1:]] == [
        ("procurement.project_signed.v1-1", "events.archive")
    ]
    assert "x-stream-offset" in copied[1].headers
    assert await reset_archive(ADMIN_AMQP_URL, "again") != epoch
    assert [m.type for m in await _read(own(grid.name), grid.history)] == [EPOCH_TYPE]
