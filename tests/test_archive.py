"""The event archive: a late subscriber replays history into its own queue (docs in ops/archive.py)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import aio_pika

from ops.archive import replay, topic_matches
from testkit import ADMIN_AMQP_URL


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
