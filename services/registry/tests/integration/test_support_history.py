"""Consuming venture grants and procurement contracts: idempotent, poison to registry.dlq."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import aio_pika

from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ContractParty, ProjectSigned
from shared.contracts.venture import GrantAwarded
from shared.messaging import deadletters
from shared.messaging.publish import cloud_event_headers, encode
from testkit import ADMIN_AMQP_URL, eventually, token

from .helpers import registration

ADMIN = token("district_admin", sub="alice")


async def deliver(body: bytes, queue: str, message_id: str, routing_key: str) -> None:
    """Put a message straight on one of the registry's queues (no other service's queue sees it)."""
    connection = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                type=routing_key,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=queue,
        )
    finally:
        await connection.close()


async def send(event: IntegrationEvent) -> None:
    payload = event.model_dump(mode="json")
    assert cloud_event_headers  # the same encoding the kit publishes with
    await deliver(encode(payload), f"registry.{event.routing_key}", str(event.event_id), event.routing_key)


def grant(org_id: uuid.UUID, **overrides) -> GrantAwarded:
    fields = {
        "grant_id": uuid.uuid4(),
        "round_id": uuid.uuid4(),
        "round_number": 6,
        "round_year": 2025,
        "application_id": uuid.uuid4(),
        "project_title": "老年人心理关爱",
        "org_id": org_id,
        "amount_cny": Decimal("80000.00"),
        "domain": "elder_care",
        "awarded_on": date(2025, 6, 1),
    }
    return GrantAwarded(**{**fields, **overrides})


def contract(org_id: uuid.UUID) -> ProjectSigned:
    return ProjectSigned(
        project_id=uuid.uuid4(),
        contract_id=uuid.uuid4(),
        title="居家养老服务",
        purchaser=ContractParty(code="110101006", name="东四街道办事处"),
        org_id=org_id,
        org_name="阳光为老",
        amount_cny=Decimal("200000.00"),
        signed_on=date(2025, 3, 1),
        starts_on=date(2025, 3, 1),
        ends_on=date(2026, 2, 28),
        term_months=12,
        domain="elder_care",
    )


async def grants_of(db, org_id) -> int:
    return await db.fetchval("SELECT count(*) FROM support_grants WHERE org_id = $1", org_id)


async def test_grants_and_contracts_show_on_the_profile_and_in_statistics(client, db):
    org_id = uuid.UUID((await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"])
    await send(grant(org_id))
    await send(contract(org_id))

    async def both() -> dict | None:
        profile = (await client.get(f"/orgs/{org_id}", headers=ADMIN)).json()
        return profile if profile["grants"] and profile["contracts"] else None

    profile = await eventually(both)
    assert profile["support_totals"] == {
        "grants": 1,
        "grants_cny": "80000.00",
        "contracts": 1,
        "contracts_cny": "200000.00",
    }
    # Other services' tests share the broker, so their grants may be counted too: at least ours.
    support = (await client.get("/statistics/support", headers=ADMIN)).json()
    assert Decimal(support["grants"]["amount_cny"]) >= Decimal("80000.00") and support["contracts"]["orgs"] >= 1


async def test_the_same_event_delivered_twice_changes_state_once(client, db):
    org_id = uuid.uuid4()  # out of order: the org may be unknown here yet; history is kept anyway
    event = grant(org_id)
    await send(event)
    await send(event)
    # The same grant again under a new event id (a republished fact) is absorbed by the grant id.
    await send(event.model_copy(update={"event_id": uuid.uuid4()}))
    marker = grant(org_id, amount_cny=Decimal("1.00"))
    await send(marker)  # processed after the duplicates: when it is there, they have been seen

    async def two() -> bool:
        return await grants_of(db, org_id) == 2

    assert await eventually(two)
    inbox = await db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event.event_id)
    assert inbox == 1
    amounts = sorted(
        r["amount_cny"] for r in await db.fetch("SELECT amount_cny FROM support_grants WHERE org_id = $1", org_id)
    )
    assert amounts == [Decimal("1.00"), Decimal("80000.00")]


async def test_a_malformed_message_lands_in_the_dlq_with_its_reason_and_the_next_good_one_is_processed(client, db):
    queue = "registry.venture.grant_awarded.v1"
    poison_id, invalid_id = f"poison-{uuid.uuid4()}", f"invalid-{uuid.uuid4()}"
    await deliver(b"{not json", queue, poison_id, "venture.grant_awarded.v1")
    bad = grant(uuid.uuid4()).model_dump(mode="json")
    bad["amount_cny"] = 80000.5  # money as a float breaks the contract
    await deliver(json.dumps(bad).encode(), queue, invalid_id, "venture.grant_awarded.v1")
    org_id = uuid.uuid4()
    await send(grant(org_id))

    async def processed() -> bool:
        return await grants_of(db, org_id) == 1

    assert await eventually(processed)

    async def parked() -> dict:
        letters = await deadletters.list_dead_letters(ADMIN_AMQP_URL, "registry")
        found = {d.message_id: d for d in letters if d.message_id in (poison_id, invalid_id)}
        return found if len(found) == 2 else {}

    letters = await eventually(parked)
    assert "JSON 格式错误" in letters[poison_id].reason
    assert letters[poison_id].queue == queue
    assert "amount_cny" in letters[invalid_id].reason
