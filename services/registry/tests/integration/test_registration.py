"""Registering, filing, graduating and changing organisations over HTTP, with their events."""

from __future__ import annotations

from shared.testing import EventTap, token

from ..helpers import filing, new_code, registration

ADMIN = token("district_admin", sub="alice")


async def outbox_keys(db, org_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT routing_key FROM outbox WHERE payload->'org'->>'org_id' = $1 ORDER BY id", org_id
    )
    return [r["routing_key"] for r in rows]


async def test_registering_an_org_over_http_puts_org_registered_on_the_broker(client):
    async with EventTap("registry.org_registered.v1") as tap:
        response = await client.post("/orgs", json=registration(), headers=ADMIN)
        assert response.status_code == 201, response.text
        org_id = response.json()["org_id"]

        async def mine() -> list:
            return [m for m in tap.messages if m.body and org_id.encode() in m.body]

        from shared.testing import eventually

        (message,) = await eventually(mine)
    body = __import__("json").loads(message.body)
    assert message.message_id == body["event_id"]
    assert message.type == "registry.org_registered.v1"
    assert body["org"]["version"] == 1 and body["org"]["status"] == "registered"
    assert body["graduated_from_filing"] is False
