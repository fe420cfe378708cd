"""Consumers are named explicitly now; an event consumed before the upgrade, under the identity the
inbox recorded then (the handler function's name), is still a duplicate when it is delivered again."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import uuid4

from shared.contracts.registry import OrgRegistered
from shared.contracts.venture import GrantAwarded
from testkit import TEST_VHOST, EventTap, eventually

DISTRICT_URL = "amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/" + TEST_VHOST
KEY = "district.demand_published.v1"
# How the inbox recorded a consumption before consumers were named: `procurement.<function name>`.
_OLD_ROW = "INSERT INTO inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)"


def demand(ref: str) -> dict[str, object]:
    return {
        "event_id": str(uuid4()),
        "occurred_at": "2026-03-02T09:30:00+08:00",
        "source_system": "district-demo",
        "demand_ref": ref,
        "purchaser": {"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"},
        "street_code": "110101006",
        "title": "社区健身指导",
        "description": "为居民提供健身指导",
        "domain": "culture_sports",
        "budget_cny": "200000.00",
        "expected_beneficiaries": 1200,
        "wanted_by": "2026-06-30",
    }


async def test_a_demand_consumed_before_the_upgrade_is_not_taken_again(client, kit, db):
    old, marker = demand(f"OLD-{uuid4().hex[:10]}"), demand(f"MARK-{uuid4().hex[:10]}")
    await db.execute(_OLD_ROW, "procurement.demand_published", old["event_id"], KEY)
    async with EventTap("procurement.demand_accepted.v1", "procurement.demand_rejected.v1") as tap:
        for body in (old, marker):
            await kit.publish_raw(
                json.dumps(body, ensure_ascii=False).encode(), KEY, message_id=body["event_id"], url=DISTRICT_URL
            )
        # The marker, published after it on the same queue, is answered: the old one was handled by then.
        await kit.wait_mine(tap, "procurement.demand_accepted.v1", demand_ref=marker["demand_ref"])
        answers = tap.bodies("procurement.demand_accepted.v1") + tap.bodies("procurement.demand_rejected.v1")
    assert not [a for a in answers if a.get("demand_ref") == old["demand_ref"]]
    assert await db.fetchval("SELECT count(*) FROM demands WHERE demand_ref = $1", old["demand_ref"]) == 0


async def test_org_and_grant_events_consumed_before_the_upgrade_are_not_applied_again(client, kit, db):
    old_org = OrgRegistered(org=kit.org_snapshot())
    old_grant = GrantAwarded(
        grant_id=uuid4(),
        round_id=uuid4(),
        round_number=6,
        round_year=2026,
        application_id=uuid4(),
        project_title="银龄餐桌",
        org_id=uuid4(),
        amount_cny=Decimal("50000.00"),
        domain="elder_care",
        awarded_on=date(2026, 2, 1),
    )
    await db.execute(_OLD_ROW, "procurement.org_org_registered", old_org.event_id, old_org.routing_key)
    await db.execute(_OLD_ROW, "procurement.grant_awarded", old_grant.event_id, old_grant.routing_key)
    await kit.publish_event(old_org)
    await kit.publish_event(old_grant)
    # Markers on the same queues: once they are applied, the old events were delivered before them.
    await kit.registered_org(db)
    marker = GrantAwarded(**{**old_grant.model_dump(), "event_id": uuid4(), "grant_id": uuid4()})
    await kit.publish_event(marker)

    async def marker_kept() -> bool:
        return await db.fetchval("SELECT count(*) FROM venture_grants WHERE grant_id = $1", marker.grant_id) == 1

    await eventually(marker_kept)
    assert await db.fetchval("SELECT count(*) FROM orgs WHERE org_id = $1", old_org.org.org_id) == 0
    assert await db.fetchval("SELECT count(*) FROM venture_grants WHERE grant_id = $1", old_grant.grant_id) == 0
