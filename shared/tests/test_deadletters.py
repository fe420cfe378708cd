"""Dead-letter replay on the real broker: by the operator's own user, only into the service's own
consumer queue that failed, and never by a service's own user (it may not write the default exchange)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import asyncpg
import pytest

from shared.contracts.base import IntegrationEvent
from shared.messaging import deadletters
from shared.messaging.consumer import PermanentError
from shared.service import Service, ServiceSettings
from testkit import ADMIN_AMQP_URL, eventually, fresh_database, service_amqp_url

from .conftest import EMPTY_MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]
# A provisioned service user, so the consumer runs with exactly the rights a service has.
SERVICE = "registry"
PROBE_QUEUE = f"{SERVICE}.kit.replay_probed.v1"
VICTIM_QUEUE = "venture.kit.replay_victim.v1"
GONE_QUEUE = f"{SERVICE}.kit.replay_gone.v1"


class ReplayProbed(IntegrationEvent):
    """A test-only fact."""

    routing_key: ClassVar[str] = "kit.replay_probed.v1"
    n: int


async def _delete_queues() -> None:
    async with await aio_pika.connect(ADMIN_AMQP_URL) as conn:
        channel = await conn.channel()
        for name in (PROBE_QUEUE, VICTIM_QUEUE, GONE_QUEUE, deadletters.dead_letter_queue_name(SERVICE)):
            await channel.queue_delete(name)


@pytest.fixture
async def clean_broker() -> AsyncIterator[None]:
    await _delete_queues()
    yield
    await _delete_queues()


async def operator_cli(*args: str, amqp_url: str) -> tuple[int, str]:
    """`python -m shared.messaging.deadletters …` as an operator types it (AMQP_URL from the environment)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.messaging.deadletters",
        *args,
        cwd=ROOT,
        env={**os.environ, "AMQP_URL": amqp_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def _declare_dead_letter_queue(channel: aio_pika.abc.AbstractChannel) -> None:
    """The service's dead-letter queue, as the service declares it (shared/messaging/topology.py)."""
    dlq = await channel.declare_queue(
        deadletters.dead_letter_queue_name(SERVICE), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind("events.dlx", routing_key=f"{SERVICE}.#")


async def _park(headers: dict[str, Any], *, as_user: str) -> None:
    """Put a message straight into the service's dead-letter queue, as `as_user` can."""
    async with await aio_pika.connect(as_user) as conn:
        channel = await conn.channel(publisher_confirms=True)
        dlx = await channel.get_exchange("events.dlx", ensure=False)
        message = aio_pika.Message(b'{"n": 1}', message_id="forged-1", headers=headers)
        await dlx.publish(message, routing_key=f"{SERVICE}.forged")


async def test_an_operator_replays_a_fixed_dead_letter_that_the_services_own_user_may_not(clean_broker):
    dsn = await fresh_database("kit_test", "postgres")
    settings = ServiceSettings(database_url=dsn, amqp_url=service_amqp_url(SERVICE), retry_delay=0.05)
    svc = Service(SERVICE, settings, migrations=EMPTY_MIGRATIONS)
    broken = {"yes": True}

    @svc.consumers.on(ReplayProbed, name="record")
    async def record(event: ReplayProbed, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if broken["yes"]:
            raise PermanentError("thirteen is refused today")
        await conn.execute("INSERT INTO effects (n, event_id) VALUES ($1, $2)", event.n, event.event_id)
        return []

    await svc.start()
    try:
        await svc.wait_ready()
        async with await aio_pika.connect(ADMIN_AMQP_URL) as conn:
            events = await (await conn.channel()).get_exchange("events")
            body = ReplayProbed(n=13).model_dump_json().encode()
            await events.publish(aio_pika.Message(body), routing_key=ReplayProbed.routing_key)
        [letter] = await eventually(lambda: deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE))
        assert letter.queue == PROBE_QUEUE and "thirteen" in letter.reason

        code, out = await operator_cli("replay", SERVICE, amqp_url=service_amqp_url(SERVICE))
        assert code != 0 and "运维人员自己的 RabbitMQ 用户" in out, out
        assert len(await deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE)) == 1  # still parked

        broken["yes"] = False  # the cause is fixed
        code, out = await operator_cli("replay", SERVICE, amqp_url=ADMIN_AMQP_URL)
        assert code == 0 and f"replayed 1 dead letter(s) from {SERVICE}.dlq, kept 0" in out, out
        assert await eventually(lambda: _effects(dsn)) == [13]
        assert await deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE) == []
    finally:
        await svc.stop()


async def _effects(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r["n"] for r in await conn.fetch("SELECT n FROM effects ORDER BY id")]
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param({"x-error-reason": "forged", "x-error-queue": VICTIM_QUEUE}, id="kit-headers"),
        pytest.param({"x-death": [{"queue": VICTIM_QUEUE, "reason": "rejected", "count": 1}]}, id="broker-x-death"),
    ],
)
async def test_a_forged_dead_letter_cannot_steer_a_replay_into_another_services_queue(clean_broker, forged):
    async with await aio_pika.connect(ADMIN_AMQP_URL) as conn:
        channel = await conn.channel()
        await _declare_dead_letter_queue(channel)
        victim = await channel.declare_queue(VICTIM_QUEUE, durable=True)
        # The service's own user can publish into its dead-letter queue, headers and all.
        await _park(forged, as_user=service_amqp_url(SERVICE))
        await eventually(lambda: deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE))

        done = await deadletters.replay(ADMIN_AMQP_URL, SERVICE)

        assert done.count == 0
        assert [(letter.message_id, letter.queue) for letter, _ in done.kept] == [("forged-1", VICTIM_QUEUE)]
        assert "不是 registry 的消费队列" in done.kept[0][1]
        assert (await channel.declare_queue(VICTIM_QUEUE, passive=True)).declaration_result.message_count == 0
        assert [d.message_id for d in await deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE)] == ["forged-1"]
        await victim.delete(if_unused=False, if_empty=False)


async def test_a_dead_letter_whose_queue_is_gone_stays_parked(clean_broker):
    async with await aio_pika.connect(ADMIN_AMQP_URL) as conn:
        channel = await conn.channel()
        await _declare_dead_letter_queue(channel)
    await _park({"x-error-reason": "refused", "x-error-queue": GONE_QUEUE}, as_user=ADMIN_AMQP_URL)
    await eventually(lambda: deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE))

    done = await deadletters.replay(ADMIN_AMQP_URL, SERVICE)

    assert done.count == 0 and "已不存在" in done.kept[0][1]
    assert [d.message_id for d in await deadletters.list_dead_letters(ADMIN_AMQP_URL, SERVICE)] == ["forged-1"]
