"""Public-welfare claiming (公益认领) end to end against the real database and broker: an edition,
items, claims by branches/orgs and by residents on the public page, decisions, completion,
the public page without phone numbers, statistics; every denial and bad input."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from shared.auth import Role
from shared.contracts.procurement import CommunityNeedPassed
from shared.messaging import deadletters
from testkit import ADMIN_AMQP_URL, EventTap, eventually, token

from ..conftest import ADMIN, OTHER_STREET, STREET, publish, wait_event

COMMUNITY = "钱粮胡同社区"


def org_token(org_id: UUID) -> dict[str, str]:
    return token(Role.ORG, sub=f"org-{org_id}", org_id=org_id)


def worker(street: str = STREET, community: str = COMMUNITY) -> dict[str, str]:
    return token(Role.COMMUNITY_WORKER, sub=f"cw-{community}", street=street, community=community)


def edition_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": uuid4().int % 900 + 1,
        "title": "左安浦园公益认领",
        "street_code": STREET,
        "community": COMMUNITY,
        "opens_on": "2026-03-01",
        "closes_on": "2026-04-30",
    }
    body.update(over)
    return body


def item_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "为独居老人安装扶手",
        "need": "楼道和卫生间缺少扶手，老人如厕、上下楼不便。",
        "category": "elder_care",
        "community": COMMUNITY,
        "beneficiaries_expected": 12,
        "needs": ["goods", "volunteer_hours"],
        "shares": 3,
    }
    body.update(over)
    return body


def public_claim(phone: str = "13912345678", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "resident", "name": "王阿姨", "phone": phone}
    body.update(over)
    return body


async def ok(client, method: str, url: str, headers: dict[str, str] | None, body: Any = None, status: int = 200) -> Any:
    r = await client.request(method, url, headers=headers or {}, json=body)
    assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
    return r.json()


def field_of(r) -> list[Any]:
    return r.json()["detail"][0]["loc"]


async def test_an_edition_runs_from_items_to_completion_and_the_public_page_hides_phones(client, orgs):
    organiser = await orgs.add("五色土社会工作事务所")
    unit = await orgs.add("东四街道社区卫生服务中心")
    keys = ("venture.item_claimed.v1", "venture.claim_confirmed.v1", "venture.item_completed.v1")
    async with EventTap(*keys, "venture.claim_edition_opened.v1", "venture.claim_declined.v1") as tap:
        edition = await ok(client, "POST", "/claiming/editions", org_token(organiser), edition_body(), 201)
        assert edition["organiser_name"] == "五色土社会工作事务所"
        eid = edition["id"]
        item = await ok(client, "POST", f"/claiming/editions/{eid}/items", org_token(organiser), item_body(), 201)
        iid = item["id"]

        branch = await ok(
            client, "POST", f"/claiming/items/{iid}/claims", org_token(unit), {"kind": "party_branch"}, 201
        )
        assert branch["claimer_name"] == "东四街道社区卫生服务中心党支部"
        resident = await ok(client, "POST", f"/public/claiming/items/{iid}/claims", None, public_claim(), 201)
        member = await ok(
            client,
            "POST",
            f"/public/claiming/items/{iid}/claims",
            None,
            public_claim("+86 139 0000 1111", kind="party_member", name="李党员"),
            201,
        )
        # Three shares are held: a fourth claimer is told none is left.
        r = await client.post(f"/public/claiming/items/{iid}/claims", json=public_claim("13800001111"))
        assert (
            r.status_code == 422 and field_of(r) == ["body", "shares"] and "剩余 0 份" in r.json()["detail"][0]["msg"]
        )

        h = org_token(organiser)
        await ok(client, "POST", f"/claiming/claims/{branch['id']}/confirmation", h)
        await ok(client, "POST", f"/claiming/claims/{resident['id']}/confirmation", h)
        declined = await ok(client, "POST", f"/claiming/claims/{member['id']}/decline", h, {"reason": "已有人认领"})
        assert declined["status"] == "declined"
        r = await client.post(f"/claiming/claims/{member['id']}/confirmation", headers=h)
        assert r.status_code == 409 and "已婉拒" in r.json()["detail"]

        # The declined share is free again; a partial claim covers the item.
        last = await ok(client, "POST", f"/public/claiming/items/{iid}/claims", None, public_claim("13700002222"), 201)
        confirmed = await ok(client, "POST", f"/claiming/claims/{last['id']}/confirmation", h)
        assert confirmed["status"] == "confirmed"
        done = await ok(
            client,
            "POST",
            f"/claiming/items/{iid}/completion",
            h,
            {"delivered": "安装扶手 12 处", "person_times": 36, "report_ref": "照片：扶手安装.jpg"},
        )
        assert done["status"] == "completed" and done["person_times"] == 36

        [completed] = await wait_event(tap, "venture.item_completed.v1", item_id=iid)
        assert completed["branch_claimer_org_ids"] == [str(unit)] and completed["claimer_org_ids"] == [str(unit)]
        assert completed["organiser_org_id"] == str(organiser)
        claimed = await wait_event(tap, "venture.item_claimed.v1", item_id=iid)
        assert len(claimed) == 4 and all("phone" not in b for b in claimed)
        [covered] = await wait_event(tap, "venture.claim_confirmed.v1", claim_id=last["id"])
        assert covered["item_covered"] is True
        await wait_event(tap, "venture.claim_declined.v1", claim_id=member["id"], reason="已有人认领")
        await wait_event(tap, "venture.claim_edition_opened.v1", edition_id=eid)

    page = await client.get(f"/claiming/editions/{eid}")
    assert page.status_code == 200
    [shown] = page.json()["completed_items"]
    assert {c["claimer_name"] for c in shown["claims"]} == {"东四街道社区卫生服务中心党支部", "王阿姨"}
    assert "139" not in page.text and "phone" not in page.text

    # The organiser sees the phones, to contact the claimers.
    [listed] = await ok(client, "GET", f"/claiming/editions/{eid}/claims", h)
    assert "+8613912345678" in {c["phone"] for c in listed["claims"]}

    stats = await ok(client, "GET", "/claiming/statistics", None)
    [mine] = [e for e in stats["editions"] if e["edition_id"] == eid]
    assert mine["items"] == 1 and mine["completed"] == 1 and mine["person_times"] == 36
    assert (mine["claims"], mine["by_party_branch"], mine["by_resident"], mine["by_party_member"]) == (3, 1, 2, 0)


async def test_a_completed_item_takes_no_claim_and_a_failed_claim_writes_nothing(client, orgs):
    unit = await orgs.add("崇外街道某党建单位")
    eid = (await ok(client, "POST", "/claiming/editions", worker(), edition_body(), 201))["id"]
    iid = (await ok(client, "POST", f"/claiming/editions/{eid}/items", worker(), item_body(shares=1), 201))["id"]
    c = await ok(client, "POST", f"/claiming/items/{iid}/claims", org_token(unit), {}, 201)
    await ok(client, "POST", f"/claiming/claims/{c['id']}/confirmation", worker())
    await ok(client, "POST", f"/claiming/items/{iid}/completion", worker(), {"delivered": "已完成", "person_times": 5})

    r = await client.post(f"/public/claiming/items/{iid}/claims", json=public_claim())
    assert r.status_code == 422 and field_of(r) == ["body", "item_id"] and "已完成" in r.json()["detail"][0]["msg"]
    r = await client.post(
        f"/claiming/items/{iid}/completion", json={"delivered": "再次", "person_times": 1}, headers=worker()
    )
    assert r.status_code == 409
    [listed] = await ok(client, "GET", f"/claiming/editions/{eid}/claims", worker())
    assert len(listed["claims"]) == 1 and listed["person_times"] == 5


async def test_a_fake_phone_number_is_refused_naming_the_field(client):
    eid = (await ok(client, "POST", "/claiming/editions", worker(), edition_body(), 201))["id"]
    iid = (await ok(client, "POST", f"/claiming/editions/{eid}/items", worker(), item_body(), 201))["id"]
    for fake in ("12345678901", "010-65123456", "手机号", "1391234567"):
        r = await client.post(f"/public/claiming/items/{iid}/claims", json=public_claim(fake))
        assert r.status_code == 422 and field_of(r) == ["body", "phone"], (fake, r.text)
        assert "手机号码" in r.json()["detail"][0]["msg"]
    r = await client.post(f"/public/claiming/items/{iid}/claims", json=public_claim(kind="org"))
    assert r.status_code == 422 and field_of(r) == ["body", "kind"]
    [listed] = await ok(client, "GET", f"/claiming/editions/{eid}/claims", worker())
    assert listed["claims"] == [] and listed["shares_free"] == 3


async def test_one_phone_claims_at_most_three_times_a_day(client):
    eid = (await ok(client, "POST", "/claiming/editions", worker(), edition_body(), 201))["id"]
    items = [
        (await ok(client, "POST", f"/claiming/editions/{eid}/items", worker(), item_body(shares=1), 201))["id"]
        for _ in range(4)
    ]
    for iid in items[:3]:
        await ok(client, "POST", f"/public/claiming/items/{iid}/claims", None, public_claim("13512345678"), 201)
    r = await client.post(f"/public/claiming/items/{items[3]}/claims", json=public_claim("135 1234 5678"))
    assert r.status_code == 409 and "每天最多认领 3 次" in r.json()["detail"]
    await ok(client, "POST", f"/public/claiming/items/{items[3]}/claims", None, public_claim("13512345679"), 201)


async def test_claims_outside_the_edition_dates_are_refused(client):
    eid = (await ok(client, "POST", "/claiming/editions", worker(), edition_body(opens_on="2026-03-10"), 201))["id"]
    iid = (await ok(client, "POST", f"/claiming/editions/{eid}/items", worker(), item_body(), 201))["id"]
    r = await client.post(f"/public/claiming/items/{iid}/claims", json=public_claim())
    assert r.status_code == 409 and "不在认领期内" in r.json()["detail"]
    r = await client.post("/claiming/editions", json=edition_body(closes_on="2026-02-01"), headers=worker())
    assert r.status_code == 422 and field_of(r) == ["body", "closes_on"]


async def test_another_street_another_community_and_another_org_are_refused(client, orgs):
    organiser = await orgs.add("五色土社会工作事务所")
    other = await orgs.add("另一家社工机构")
    other_street = token(Role.STREET_OFFICER, sub="so-other", street=OTHER_STREET)
    own_street = token(Role.STREET_OFFICER, sub="so-own", street=STREET)

    r = await client.post("/claiming/editions", json=edition_body(), headers=other_street)
    assert r.status_code == 403
    r = await client.post("/claiming/editions", json=edition_body(), headers=worker(community="六条社区"))
    assert r.status_code == 403
    r = await client.post(
        "/claiming/editions", json=edition_body(organiser_org_id=str(other)), headers=org_token(organiser)
    )
    assert r.status_code == 403 and "自己的名义" in r.json()["detail"]

    eid = (await ok(client, "POST", "/claiming/editions", org_token(organiser), edition_body(), 201))["id"]
    for h in (other_street, worker(community="六条社区"), worker(street=OTHER_STREET), org_token(other)):
        r = await client.post(f"/claiming/editions/{eid}/items", json=item_body(), headers=h)
        assert r.status_code == 403, r.text
        assert (await client.get(f"/claiming/editions/{eid}/claims", headers=h)).status_code == 403
    r = await client.post(f"/claiming/editions/{eid}/items", json=item_body(community="六条社区"), headers=own_street)
    assert r.status_code == 422 and field_of(r) == ["body", "community"]

    iid = (await ok(client, "POST", f"/claiming/editions/{eid}/items", own_street, item_body(), 201))["id"]
    r = await client.post(f"/claiming/items/{iid}/claims", json={"org_id": str(organiser)}, headers=org_token(other))
    assert r.status_code == 403 and "不能代其他组织认领" in r.json()["detail"]
    assert (await client.post(f"/claiming/items/{iid}/claims", json={})).status_code == 401
    c = await ok(client, "POST", f"/claiming/items/{iid}/claims", org_token(other), {}, 201)
    for h in (other_street, org_token(other), worker(community="六条社区")):
        assert (await client.post(f"/claiming/claims/{c['id']}/confirmation", headers=h)).status_code == 403
    # Nothing was decided by the refused callers.
    [listed] = await ok(client, "GET", f"/claiming/editions/{eid}/claims", ADMIN)
    assert [x["status"] for x in listed["claims"]] == ["pending"]


def passed(edition_id: str, need_id: UUID | None = None, **over: Any) -> CommunityNeedPassed:
    fields: dict[str, Any] = {
        "need_id": need_id or uuid4(),
        "edition_id": UUID(edition_id),
        "street_code": STREET,
        "community": COMMUNITY,
        "community_ref": f"{STREET}/{COMMUNITY}",
        "title": "楼道照明",
        "description": "3 号楼楼道灯坏了，老人夜里上下楼不便。",
        "residents": 18,
        "domain": "community_governance",
        "passed_on": date(2026, 3, 2),
    }
    fields.update(over)
    return CommunityNeedPassed(**fields)


async def test_a_need_the_street_passed_becomes_one_item_however_often_it_arrives(client):
    eid = (await ok(client, "POST", "/claiming/editions", worker(), edition_body(), 201))["id"]
    need_id = uuid4()
    first = passed(eid, need_id)
    async with EventTap("venture.claim_item_published.v1") as tap:
        await publish(first)
        await publish(first)  # redelivered: the inbox
        await publish(passed(eid, need_id))  # passed again under another event id: the item's id

        async def items() -> list[dict[str, Any]]:
            return (await ok(client, "GET", f"/claiming/editions/{eid}", None))["open_items"]

        [item] = await eventually(items, timeout=60)
        assert item["title"] == "楼道照明" and item["beneficiaries_expected"] == 18
        await wait_event(tap, "venture.claim_item_published.v1", item_id=item["id"])
        await tap.settle()
        assert len([b for b in tap.bodies("venture.claim_item_published.v1") if b["edition_id"] == eid]) == 1
    assert len(await items()) == 1


async def test_a_need_passed_to_an_unknown_edition_or_another_community_is_dead_lettered_with_the_reason(client):
    eid = (await ok(client, "POST", "/claiming/editions", worker(), edition_body(), 201))["id"]
    unknown = passed(str(uuid4()))
    elsewhere = passed(eid, community="六条社区", community_ref=f"{STREET}/六条社区")
    await publish(unknown)
    await publish(elsewhere)

    async def parked() -> dict[str, str] | None:
        letters = await deadletters.list_dead_letters(ADMIN_AMQP_URL, "venture")
        found = {d.message_id: d.reason for d in letters}
        wanted = (str(unknown.event_id), str(elsewhere.event_id))
        return found if all(w in found for w in wanted) else None

    reasons = await eventually(parked, timeout=60)
    assert "edition_id" in reasons[str(unknown.event_id)] and "不存在" in reasons[str(unknown.event_id)]
    assert "community" in reasons[str(elsewhere.event_id)]
    assert (await ok(client, "GET", f"/claiming/editions/{eid}", None))["open_items"] == []
