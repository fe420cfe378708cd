"""The organisation read model from registry events: newest snapshot wins, duplicates change nothing;
graduation of a cultivated group is told once, whichever of grant and graduation comes first."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import aio_pika

from shared.auth import Role
from shared.contracts.registry import (
    OrgFiled,
    OrgGraduated,
    OrgProfileUpdated,
    OrgRegistered,
    OrgSnapshot,
    OrgStatusChanged,
)
from shared.messaging import deadletters
from testkit import ADMIN_AMQP_URL, EventTap, eventually, token

from ..conftest import STREET, application_body, publish, wait_event


def snap(org_id, version, **over):
    data = {
        "org_id": org_id,
        "version": version,
        "name": f"版本{version}",
        "org_type": "private_non_enterprise",
        "status": "registered",
        "credit_code": "52110101MJ0123456W",
        "street_code": STREET,
    }
    data.update(over)
    return OrgSnapshot(**data)


async def org_row(app, org_id):
    async with app.state.service.connection() as conn:
        return await conn.fetchrow("SELECT version, name, status FROM orgs WHERE org_id = $1", org_id)


async def test_an_older_snapshot_arriving_late_does_not_overwrite_a_newer_one(app):
    org_id = uuid4()
    await publish(
        OrgStatusChanged(
            org=snap(org_id, 3, status="suspended"),
            old_status="registered",
            new_status="suspended",
            reason="年检未通过",
        )
    )
    await eventually(lambda: org_row(app, org_id), timeout=60)
    late = [
        OrgRegistered(org=snap(org_id, 1)),
        OrgProfileUpdated(org=snap(org_id, 2, name="改名"), changed_fields=["name"]),
    ]
    for event in late:
        await publish(event)

    async def both_consumed():
        async with app.state.service.connection() as conn:
            return await conn.fetchval(
                "SELECT count(*) = 2 FROM inbox WHERE event_id = ANY($1::uuid[])", [e.event_id for e in late]
            )

    await eventually(both_consumed, timeout=60)
    row = await org_row(app, org_id)
    assert (row["version"], row["status"], row["name"]) == (3, "suspended", "版本3")


async def test_a_redelivered_event_changes_the_read_model_once(app):
    org_id = uuid4()
    first = OrgRegistered(org=snap(org_id, 1))
    await publish(first)
    await eventually(lambda: org_row(app, org_id), timeout=60)
    await publish(OrgProfileUpdated(org=snap(org_id, 2, name="新名"), changed_fields=["name"]))

    async def renamed():
        row = await org_row(app, org_id)
        return row["name"] == "新名"

    await eventually(renamed, timeout=60)
    await publish(first)  # same event_id again
    await _marker_consumed(app)  # queued behind the redelivery: once it is in, so is the redelivery
    assert (await org_row(app, org_id))["name"] == "新名"
    async with app.state.service.connection() as conn:
        seen = await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", first.event_id)
    assert seen == 1


async def _marker_consumed(app):
    """Publish an org_registered for a new org and wait until it is in the read model."""
    marker = uuid4()
    await publish(OrgRegistered(org=snap(marker, 1)))
    await eventually(lambda: org_row(app, marker), timeout=60)


async def test_an_event_consumed_before_consumers_were_named_is_not_applied_again(app):
    """An inbox row written when the consumer's identity was its function's name still deduplicates."""
    org_id = uuid4()
    before_upgrade = OrgRegistered(org=snap(org_id, 1))
    async with app.state.service.transaction() as conn:
        await conn.execute(
            "INSERT INTO inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)",
            "venture.on_org_registered",
            before_upgrade.event_id,
            before_upgrade.routing_key,
        )
    await publish(before_upgrade)  # redelivered after the upgrade
    await _marker_consumed(app)
    assert await org_row(app, org_id) is None


async def _cultivate(flow, orgs, group, sponsor):
    round_id = await flow.open_round()
    h = token(Role.ORG, sub="sponsor", org_id=sponsor)
    body = application_body(org_id=str(group), sponsor_org_id=str(sponsor))
    app_id = (await flow.ok("POST", f"/rounds/{round_id}/applications", h, body, 201))["id"]
    return await flow.funded(round_id, {app_id: 90})


async def test_a_cultivated_group_graduating_after_its_grant_is_recorded(flow, orgs, app):
    sponsor = await orgs.add("东四社区服务中心")
    group = uuid4()
    await orgs.put(
        snap(
            group,
            1,
            org_type="community_org",
            status="filed",
            credit_code=None,
            name="东四合唱团",
            sponsor_org_id=sponsor,
        )
    )
    [grant] = await _cultivate(flow, orgs, group, sponsor)
    assert grant["applied_as"] == "community"
    async with EventTap("venture.incubatee_graduated.v1") as tap:
        graduated = snap(group, 2, name="东四合唱团", credit_code="51110101MJ0000001X")
        await publish(OrgGraduated(org=graduated, filed_on=date(2024, 5, 1), registered_on=date(2026, 6, 1)))
        [event] = await wait_event(tap, "venture.incubatee_graduated.v1", org_id=str(group))
        assert event["grant_ids"] == [grant["grant_id"]] and event["registered_on"] == "2026-06-01"
        await publish(OrgGraduated(org=graduated, registered_on=date(2026, 6, 1)))  # a repeat tells nothing new
        await _graduation_marker_consumed(app)  # queued behind the repeat: once it is in, so is the repeat
        assert await _incubatee_events_written(app, group) == 1
    stats = await flow.ok("GET", "/statistics", {})
    assert stats["overall"]["community_orgs_graduated"] == 1


async def _graduation_marker_consumed(app):
    """Publish an org_graduated for a new org and wait until venture has recorded the graduation."""
    marker = uuid4()
    await publish(OrgGraduated(org=snap(marker, 2), registered_on=date(2026, 6, 1)))

    async def recorded():
        async with app.state.service.connection() as conn:
            return await conn.fetchval("SELECT 1 FROM graduations WHERE org_id = $1", marker)

    await eventually(recorded, timeout=60)


async def _incubatee_events_written(app, org_id):
    async with app.state.service.connection() as conn:
        return await conn.fetchval(
            """SELECT count(*) FROM outbox
               WHERE routing_key = 'venture.incubatee_graduated.v1' AND payload->>'org_id' = $1""",
            str(org_id),
        )


async def test_a_graduation_known_before_the_grant_is_told_at_award(flow, orgs, app):
    """The group was filed when it applied; registry's graduation reached venture before the award."""
    sponsor = await orgs.add("交道口社区服务中心")
    group = uuid4()
    filed = snap(group, 1, org_type="community_org", status="filed", credit_code=None, sponsor_org_id=sponsor)
    await publish(OrgFiled(org=filed))
    await eventually(lambda: org_row(app, group), timeout=60)
    round_id = await flow.open_round()
    h = token(Role.ORG, sub="sponsor", org_id=sponsor)
    body = application_body(org_id=str(group), sponsor_org_id=str(sponsor))
    app_id = (await flow.ok("POST", f"/rounds/{round_id}/applications", h, body, 201))["id"]
    async with EventTap("venture.incubatee_graduated.v1") as tap:
        await publish(OrgGraduated(org=snap(group, 2), registered_on=date(2026, 3, 20)))

        async def graduated():
            async with app.state.service.connection() as conn:
                return await conn.fetchval("SELECT 1 FROM graduations WHERE org_id = $1", group)

        await eventually(graduated, timeout=60)
        await flow.funded(round_id, {app_id: 90})
        [event] = await wait_event(tap, "venture.incubatee_graduated.v1", org_id=str(group))
        assert event["round_numbers"]


async def test_a_malformed_registry_event_is_dead_lettered_with_its_reason_and_the_next_one_still_applies(app):
    bad_id = str(uuid4())
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
        body = {"event_id": bad_id, "occurred_at": "2026-03-02T09:00:00+08:00", "org": {"org_id": "not-a-uuid"}}
        await exchange.publish(
            aio_pika.Message(json.dumps(body).encode(), message_id=bad_id, content_type="application/json"),
            routing_key="registry.org_registered.v1",
        )
    finally:
        await conn.close()
    good = uuid4()
    await publish(OrgRegistered(org=snap(good, 1)))
    await eventually(lambda: org_row(app, good), timeout=60)

    async def parked():
        letters = await deadletters.list_dead_letters(ADMIN_AMQP_URL, "venture")
        return [d for d in letters if d.message_id == bad_id]

    [letter] = await eventually(parked, timeout=60)
    assert letter.queue == "venture.registry.org_registered.v1" and "org.org_id" in letter.reason
