"""docs/architecture.md §4 on the real servers: a service's database role and broker user reach only its own."""

from __future__ import annotations

import aio_pika
import aiormq
import asyncpg
import pytest

from ops.accounts import DISTRICT_SYSTEMS, SERVICES, SUBSCRIBER_SYSTEMS, SUBSCRIBERS
from testkit import TEST_VHOST

AMQP = "amqp://{user}:{user}-dev-password@127.0.0.1:5672/" + TEST_VHOST


@pytest.mark.parametrize("role", SERVICES)
async def test_a_service_role_cannot_connect_to_another_services_database(role):
    for other in SERVICES:
        dsn = f"postgresql://{role}:{role}-dev-password@127.0.0.1:5432/{other}"
        if other == role:
            conn = await asyncpg.connect(dsn)
            assert await conn.fetchval("SELECT current_user") == role
            await conn.close()
        else:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await asyncpg.connect(dsn)


async def publish(user: str, routing_key: str) -> None:
    connection = await aio_pika.connect(AMQP.format(user=user))
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("events", ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=routing_key)
    finally:
        await connection.close()


@pytest.mark.parametrize("user", SERVICES)
async def test_a_service_publishes_only_its_own_routing_keys(user):
    await publish(user, f"{user}.isolation_probe.v1")
    for other in [*(s for s in SERVICES if s != user), "district"]:
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await publish(user, f"{other}.isolation_probe.v1")


@pytest.mark.parametrize("user", DISTRICT_SYSTEMS)
async def test_a_district_system_publishes_only_district_keys(user):
    await publish(user, "district.isolation_probe.v1")
    for key in ("registry.org_registered.v1", "procurement.demand_accepted.v1", f"procurement.to.{user}.x.v1"):
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await publish(user, key)


async def bind(user: str, key: str) -> None:
    connection = await aio_pika.connect(AMQP.format(user=user))
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"{user}.isolation-probe", exclusive=True)
        await queue.bind(await channel.get_exchange("events", ensure=False), key)
    finally:
        await connection.close()


@pytest.mark.parametrize("user", DISTRICT_SYSTEMS)
async def test_a_district_system_can_bind_only_its_own_answer_keys(user):
    """RabbitMQ checks a binding key against the user's topic read permission: the keys that
    would let one system read every system's answers are refused, its own are not."""
    for event in ("demand_accepted", "demand_rejected"):
        await bind(user, f"procurement.to.{user}.{event}.v1")
    others = [s for s in DISTRICT_SYSTEMS if s != user]
    assert others, "a second district system is configured for this test"
    for key in (
        "#",
        "procurement.#",
        "procurement.*.v1",
        "procurement.demand_accepted.v1",
        "procurement.demand_rejected.v1",
        "procurement.to.#",
        "procurement.to.*.demand_accepted.v1",
        *(f"procurement.to.{other}.demand_accepted.v1" for other in others),
        "registry.org_registered.v1",
    ):
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await bind(user, key)


@pytest.mark.parametrize("user", SERVICES)
async def test_a_service_cannot_read_or_declare_another_services_queues(user):
    for other in (s for s in SERVICES if s != user):
        connection = await aio_pika.connect(AMQP.format(user=user))
        try:
            channel = await connection.channel()
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await channel.declare_queue(f"{other}.isolation_probe", durable=True)
        finally:
            await connection.close()


@pytest.mark.parametrize("user", SUBSCRIBER_SYSTEMS)
async def test_a_subscriber_binds_exactly_its_entitled_keys_and_publishes_nothing(user):
    entitled = SUBSCRIBERS.get(user)
    assert entitled is not None
    for key in entitled.keys:
        await bind(user, key)
    refused = ["#", "procurement.#", "registry.*.v1", "console.account_invited.v1", "console.password_reset_issued.v1"]
    refused += [k for k in ("registry.org_registered.v1", "procurement.reviewer_assigned.v1") if k not in entitled.keys]
    for key in refused:
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await bind(user, key)
    for key in (entitled.keys[0], "district.demand_published.v1", f"{user}.anything"):
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await publish(user, key)


@pytest.mark.parametrize("user", SUBSCRIBER_SYSTEMS)
async def test_a_subscriber_cannot_declare_or_read_anyone_elses_queue(user):
    """Not the whole archive (it holds every key), not the unrouted events, not a service's queue."""
    for queue in ("events.archive", "events.unrouted"):
        connection = await aio_pika.connect(AMQP.format(user=user))
        try:
            channel = await connection.channel()
            found = await channel.declare_queue(queue, passive=True)
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await found.get(fail=False)
        finally:
            await connection.close()
    for queue in (f"{SERVICES[0]}.isolation_probe", "district-demo.isolation_probe", "events.probe"):
        connection = await aio_pika.connect(AMQP.format(user=user))
        try:
            channel = await connection.channel()
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await channel.declare_queue(queue, durable=True)
        finally:
            await connection.close()


@pytest.mark.parametrize("user", [*SERVICES, *DISTRICT_SYSTEMS, *SUBSCRIBER_SYSTEMS])
async def test_no_service_or_district_system_may_publish_to_the_default_exchange(user):
    """The default exchange routes to any queue by name, past every topic permission."""
    victim = next(s for s in SERVICES if s != user)
    connection = await aio_pika.connect(AMQP.format(user=user))
    try:
        channel = await connection.channel(publisher_confirms=True)
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await channel.default_exchange.publish(
                aio_pika.Message(b"{}"), routing_key=f"{victim}.registry.org_registered.v1"
            )
    finally:
        await connection.close()
