"""Consumers keep their identity across the upgrade that named them explicitly: an event consumed
before (its inbox row written under the consumer's old function name) is a duplicate after."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
from samples import eventually, org_registered

from notify.subscribers import consumer_name
from shared.messaging.publish import publish_event
from testkit import token


async def _org_notices(client: httpx.AsyncClient, org_id: uuid.UUID) -> list[dict]:
    response = await client.get("/inbox", headers=token("org", org_id=org_id))
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_event_consumed_before_the_upgrade_is_not_handled_again_when_redelivered(client, publisher, settings):
    assert consumer_name("registry.org_registered.v1") == "on_registry_org_registered_v1"
    consumed, marker = uuid.uuid4(), uuid.uuid4()
    before = org_registered(consumed, email=None, webhook=None)
    conn = await asyncpg.connect(settings.database_url)
    try:
        # The row the code before the upgrade wrote: `<service>.<the handler function's __name__>`.
        await conn.execute(
            "INSERT INTO inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)",
            "notify.on_registry_org_registered_v1",
            before.event_id,
            before.routing_key,
        )
        await publish_event(publisher, before)  # redelivered after the upgrade
        await publish_event(publisher, org_registered(marker, email=None, webhook=None))  # same queue, after it

        await eventually(lambda: _org_notices(client, marker))  # the marker was handled, so the redelivery was too
        assert await _org_notices(client, consumed) == []
        known = await conn.fetchval("SELECT count(*) FROM directory WHERE kind = 'org' AND key = $1", str(consumed))
        assert known == 0
    finally:
        await conn.close()
