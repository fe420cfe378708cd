"""The inbox shows each recipient only its own notices; every denial is tested."""

from __future__ import annotations

import uuid
from datetime import date

from samples import STREET, eventually, org_registered, sample_dict

from shared.contracts.procurement import CommunityNeedDeclined, ReviewerAssigned
from shared.contracts.registry import AllianceMemberJoined
from shared.messaging.publish import publish_event
from testkit import token

OTHER_STREET = "110101001"


async def _own(client, **claims) -> list[dict]:
    role = claims.pop("role", "org")
    response = await client.get("/inbox", headers=token(role, **claims))
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_org_sees_and_marks_read_only_its_own_notices(client, publisher):
    a, b = uuid.uuid4(), uuid.uuid4()
    event_a = org_registered(a, email=None, webhook=None, name="甲组织")
    event_b = org_registered(b, email=None, webhook=None, name="乙组织")
    await publish_event(publisher, event_a)
    await publish_event(publisher, event_b)

    async def of(org: uuid.UUID, source: object) -> list[dict]:
        return [n for n in await _own(client, org_id=org) if n["source_event_id"] == str(source)]

    [notice_a] = await eventually(lambda: of(a, event_a.event_id))
    [notice_b] = await eventually(lambda: of(b, event_b.event_id))
    assert "甲组织" in notice_a["subject"]
    assert all(n["recipient_key"] == str(a) for n in await _own(client, org_id=a))
    assert "乙组织" not in str(await _own(client, org_id=a))

    denied = await client.post(f"/inbox/{notice_b['id']}/read", headers=token("org", org_id=a))
    assert denied.status_code == 404
    assert (await of(b, event_b.event_id))[0]["read_at"] is None

    ok = await client.post(f"/inbox/{notice_a['id']}/read", headers=token("org", org_id=a))
    assert ok.status_code == 200 and ok.json()["read_at"] is not None
    unread = await client.get("/inbox", params={"unread_only": "true"}, headers=token("org", org_id=a))
    assert notice_a["id"] not in [n["id"] for n in unread.json()]


async def test_street_officers_see_their_own_streets_notices_only(client, publisher):
    org = uuid.uuid4()
    event = org_registered(org, email=None, webhook=None)
    await publish_event(publisher, event)

    async def street_notices(street: str) -> list[dict]:
        found = await _own(client, role="street_officer", street=street)
        return [n for n in found if n["source_event_id"] == str(event.event_id)]

    [notice] = await eventually(lambda: street_notices(STREET))
    assert notice["recipient_kind"] == "street"
    assert await street_notices(OTHER_STREET) == []
    denied = await client.post(f"/inbox/{notice['id']}/read", headers=token("street_officer", street=OTHER_STREET))
    assert denied.status_code == 404
    # an org does not see the street platform's copy either
    assert all(n["recipient_kind"] == "org" for n in await _own(client, org_id=org))


async def test_district_staff_see_district_notices_and_orgs_do_not(client, publisher):
    org = uuid.uuid4()
    await publish_event(publisher, org_registered(org, email=None, webhook=None))
    joined = AllianceMemberJoined.model_validate(
        sample_dict(AllianceMemberJoined, org_id=str(org), org_name="法律援助社")
    )
    await publish_event(publisher, joined)

    async def district() -> list[dict]:
        found = await _own(client, role="district_admin")
        return [n for n in found if n["source_event_id"] == str(joined.event_id)]

    [notice] = await eventually(district)
    assert "创益汇" in notice["subject"]
    org_view = await eventually(lambda: _own(client, org_id=org))
    assert all(n["recipient_kind"] == "org" for n in org_view)


async def test_a_reviewer_sees_only_the_notices_addressed_to_its_own_login(client, publisher):
    assigned = ReviewerAssigned.model_validate(sample_dict(ReviewerAssigned, reviewer="reviewer-li"))
    await publish_event(publisher, assigned)
    [notice] = await eventually(lambda: _own(client, role="reviewer", sub="reviewer-li"))
    assert "评审" in notice["subject"]
    assert await _own(client, role="reviewer", sub="reviewer-zhao") == []
    assert await _own(client, role="monitor", sub="reviewer-li") == []


async def test_the_inbox_needs_a_valid_token(client):
    assert (await client.get("/inbox")).status_code == 401
    assert (await client.get("/inbox", headers={"Authorization": "Bearer not-a-token"})).status_code == 401
    expired = token("org", org_id=uuid.uuid4(), ttl_seconds=-10)
    assert (await client.get("/inbox", headers=expired)).status_code == 401
    assert (await client.post(f"/inbox/{uuid.uuid4()}/read")).status_code == 401


async def test_only_district_staff_may_read_the_delivery_log_or_retry(client):
    for headers in (
        token("org", org_id=uuid.uuid4()),
        token("street_officer", street=STREET),
        token("reviewer"),
        token("monitor"),
    ):
        assert (await client.get("/deliveries", headers=headers)).status_code == 403
        assert (await client.post("/deliveries/1/retry", headers=headers)).status_code == 403
    assert (await client.get("/deliveries")).status_code == 401
    assert (await client.get("/deliveries", headers=token("district_admin"))).status_code == 200
    bad = await client.get("/deliveries", params={"status": "lost"}, headers=token("district_admin"))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "status"


async def test_a_community_worker_sees_what_became_of_its_communitys_needs_and_no_other(client, publisher):
    event = CommunityNeedDeclined(
        need_id=uuid.uuid4(),
        street_code=STREET,
        community="钱粮胡同社区",
        community_ref=f"{STREET}/钱粮胡同社区",
        title="独居老人助餐",
        reason="已由民政覆盖",
        declined_on=date(2026, 3, 2),
    )
    await publish_event(publisher, event)
    await publish_event(publisher, event)  # a duplicate is one notice

    async def of(community: str, street: str = STREET) -> list[dict]:
        found = await _own(client, role="community_worker", street=street, community=community)
        return [n for n in found if n["source_event_id"] == str(event.event_id)]

    [notice] = await eventually(lambda: of("钱粮胡同社区"))
    assert notice["recipient_kind"] == "community" and "已由民政覆盖" in notice["body"]
    assert "未采纳" in notice["subject"]
    assert await of("六条社区") == [] and await of("钱粮胡同社区", street=OTHER_STREET) == []
    assert await of("钱粮胡同社区") == [notice]
